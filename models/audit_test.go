package models

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestAuditRecordsEveryChangeWithActorAndDiff(t *testing.T) {
	eachDialect(t, testAuditRecordsEveryChangeWithActorAndDiff)
}

func testAuditRecordsEveryChangeWithActorAndDiff(t *testing.T, dialect string) {
	s, _ := openTestStore(t, dialect)
	ctx := WithActor(context.Background(), "alice")
	if _, err := s.SetSetting(ctx, SettingRetentionDays, "30", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetSetting(ctx, SettingRetentionDays, "45", nil); err != nil {
		t.Fatal(err)
	}
	// The same value again changes nothing, and says nothing.
	if _, err := s.SetSetting(ctx, SettingRetentionDays, "45", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetSetting(ctx, "internal.x", "1", nil); err != nil {
		t.Fatal(err)
	}
	p, err := s.UpsertProvider(ctx, ProviderInput{Provider: "openai", APIKey: "sk-secret-value-1234", SetActive: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ActivateProvider(context.Background(), p.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteProvider(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	// A failed change leaves no entry.
	if err := s.DeleteProvider(ctx, 999); err == nil {
		t.Fatal("deleting an unknown provider succeeded")
	}

	entries, total, err := s.ListAudit(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ actor, action, target, before, after string }{
		{"alice", "provider.delete", "openai", `"is_active":true`, `{}`},
		{"alice", "provider.add", "openai", `{}`, `"api_key":"****1234"`},
		{"alice", "setting.set", "history.retention_days", `{"value":"30"}`, `{"value":"45"}`},
		{"alice", "setting.set", "history.retention_days", `{}`, `{"value":"30"}`},
	}
	if total != int64(len(want)) || len(entries) != len(want) {
		t.Fatalf("got %d entries (total %d), want %d: %+v", len(entries), total, len(want), entries)
	}
	for i, w := range want {
		e := entries[i]
		if e.Actor != w.actor || e.Action != w.action || e.Target != w.target ||
			!strings.Contains(e.Before, w.before) || !strings.Contains(e.After, w.after) {
			t.Errorf("entry %d = %+v, want %+v", i, e, w)
		}
		if strings.Contains(e.Before+e.After, "sk-secret") {
			t.Errorf("entry %d shows the key: %+v", i, e)
		}
		var m map[string]any
		if json.Unmarshal([]byte(e.Before), &m) != nil || json.Unmarshal([]byte(e.After), &m) != nil {
			t.Errorf("entry %d is not JSON: %+v", i, e)
		}
	}
}

func TestAuditNamesJobChangesByWhatChanged(t *testing.T) {
	eachDialect(t, testAuditNamesJobChangesByWhatChanged)
}

func testAuditNamesJobChangesByWhatChanged(t *testing.T, dialect string) {
	s, _ := openTestStore(t, dialect)
	ctx := WithActor(context.Background(), "bob")
	j := Job{ID: "a", Name: "A", Kind: KindWebhook, Config: `{"url":"http://127.0.0.1:1/","method":"POST","headers":{"Authorization":"Bearer secret-token-1234"}}`,
		Trigger: TriggerInterval, TriggerArgs: `{"seconds":300}`, Enabled: true}
	if _, err := s.CreateJob(ctx, j, nil); err != nil {
		t.Fatal(err)
	}
	steps := []func(*Job){
		func(j *Job) { j.Enabled, j.PausedReason = false, "deploy" },
		func(j *Job) { j.Enabled, j.PausedReason = true, "" },
		func(j *Job) { j.TriggerArgs = `{"seconds":600}` },
		func(j *Job) { j.Name = "B" },
	}
	for _, step := range steps {
		if _, err := s.UpdateJob(ctx, "a", func(j *Job) error { step(j); return nil }, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.DeleteJob(ctx, "a", func(Job) error { return nil }, nil); err != nil {
		t.Fatal(err)
	}
	entries, _, err := s.ListAudit(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Action)
		if e.Actor != "bob" || e.Target != "a" {
			t.Errorf("entry %+v: want actor bob, target a", e)
		}
		if strings.Contains(e.Before+e.After, "secret-token") {
			t.Errorf("entry shows a webhook secret: %+v", e)
		}
	}
	want := "job.delete,job.edit,job.reschedule,job.resume,job.pause,job.create"
	if strings.Join(got, ",") != want {
		t.Fatalf("actions %v, want %s", got, want)
	}
	if e := entries[4]; e.Before != `{"enabled":true,"paused_reason":""}` || e.After != `{"enabled":false,"paused_reason":"deploy"}` {
		t.Fatalf("pause diff: %s → %s", e.Before, e.After)
	}
}
