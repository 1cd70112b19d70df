package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func testJob(id string) Job {
	return Job{ID: id, Name: id, Kind: KindWebhook, Config: `{"url":"http://127.0.0.1:1/"}`,
		Trigger: TriggerInterval, TriggerArgs: `{"seconds":600}`, Enabled: true}
}

// Each job write calls its apply inside the transaction, after the row and
// its audit entry are written; an error from apply leaves nothing changed.
func TestJobWritesApplyInTheirTransaction(t *testing.T) {
	eachDialect(t, testJobWritesApplyInTheirTransaction)
}

func testJobWritesApplyInTheirTransaction(t *testing.T, dialect string) {
	s, _ := openTestStore(t, dialect)
	ctx := context.Background()
	boom := errors.New("apply failed")
	var applied []string

	if _, err := s.CreateJob(ctx, testJob("a"), func(j Job) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("create with a failing apply: got %v", err)
	}
	if _, err := s.GetJob(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a failed create stored the job: %v", err)
	}
	j, err := s.CreateJob(ctx, testJob("a"), func(j Job) error {
		applied = append(applied, fmt.Sprintf("create %s v%d", j.ID, j.Version))
		return nil
	})
	if err != nil || j.Version != 1 {
		t.Fatalf("create: v%d, %v", j.Version, err)
	}
	if _, err := s.CreateJob(ctx, testJob("a"), nil); !errors.As(err, new(*ConflictError)) {
		t.Fatalf("second create: got %v, want a ConflictError", err)
	}

	pause := func(j *Job) error { j.Enabled = false; return nil }
	if _, err := s.UpdateJob(ctx, "a", pause, func(before, after Job) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("update with a failing apply: got %v", err)
	}
	if j, _ := s.GetJob(ctx, "a"); !j.Enabled || j.Version != 1 {
		t.Fatalf("a failed update changed the row: enabled=%v v%d", j.Enabled, j.Version)
	}
	for range 2 {
		j, err = s.UpdateJob(ctx, "a", func(j *Job) error { j.Enabled = !j.Enabled; return nil }, func(before, after Job) error {
			applied = append(applied, fmt.Sprintf("update v%d→v%d enabled %v→%v", before.Version, after.Version, before.Enabled, after.Enabled))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if stored, _ := s.GetJob(ctx, "a"); stored.Version != 3 || !stored.Enabled || j.Version != 3 {
		t.Fatalf("after two updates: stored v%d enabled=%v, returned v%d; want v3 enabled", stored.Version, stored.Enabled, j.Version)
	}
	if j, err := s.UpdateJob(ctx, "a", func(*Job) error { return ErrUnchanged }, func(Job, Job) error {
		applied = append(applied, "unchanged")
		return nil
	}); err != nil || j.Version != 3 {
		t.Fatalf("unchanged update: v%d, %v", j.Version, err)
	}
	if _, err := s.UpdateJob(ctx, "nope", pause, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("update of an unknown job: got %v", err)
	}

	refuse := func(Job) error { return boom }
	if _, err := s.DeleteJob(ctx, "a", refuse, nil); !errors.Is(err, boom) {
		t.Fatalf("delete refused by check: got %v", err)
	}
	if _, err := s.DeleteJob(ctx, "a", func(Job) error { return nil }, refuse); !errors.Is(err, boom) {
		t.Fatalf("delete with a failing apply: got %v", err)
	}
	if _, err := s.GetJob(ctx, "a"); err != nil {
		t.Fatalf("a refused delete removed the job: %v", err)
	}
	if _, err := s.DeleteJob(ctx, "a", func(Job) error { return nil }, func(j Job) error {
		applied = append(applied, "delete "+j.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetJob(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted job still stored: %v", err)
	}
	want := []string{"create a v1", "update v1→v2 enabled true→false", "update v2→v3 enabled false→true", "delete a"}
	if !slices.Equal(applied, want) {
		t.Fatalf("applied: got %q, want %q", applied, want)
	}
	// One audit entry per committed change, none for the failed ones.
	entries, _, err := s.ListAudit(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 4 {
		t.Fatalf("%d audit entries, want 4 (create, two updates, delete)", len(entries))
	}
}

func TestListRunsDefaultsToFiftyNewestFirst(t *testing.T) {
	eachDialect(t, testListRunsDefaultsToFiftyNewestFirst)
}

func testListRunsDefaultsToFiftyNewestFirst(t *testing.T, dialect string) {
	s, _ := openTestStore(t, dialect)
	ctx := context.Background()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 51 {
		if _, err := s.InsertFinishedRun(ctx, JobRun{JobID: "j", JobName: "J", Source: SourceSchedule, Status: StatusSuccess, StartedAt: start.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, limit := range []int{0, -1} {
		runs, total, err := s.ListRuns(ctx, RunFilter{Limit: limit})
		if err != nil || total != 51 || len(runs) != 50 || !runs[0].StartedAt.Equal(start.Add(50*time.Minute)) {
			t.Fatalf("limit %d: got %d of %d runs (%v), want the 50 newest of 51", limit, len(runs), total, err)
		}
	}
	if runs, _, _ := s.ListRuns(ctx, RunFilter{Limit: 1}); len(runs) != 1 {
		t.Fatalf("limit 1: got %d runs", len(runs))
	}
}

func TestMask(t *testing.T) {
	for secret, want := range map[string]string{"": "****", "abcd": "****", "abcde": "****bcde", "sk-0123456789": "****6789"} {
		if got := Mask(secret); got != want {
			t.Errorf("Mask(%q) = %q, want %q", secret, got, want)
		}
	}
}

// The event log holds every committed provider and setting change, in
// commit order, with the state it left; internal settings and failed
// writes leave nothing.
func TestEventLogHoldsCommittedState(t *testing.T) { eachDialect(t, testEventLogHoldsCommittedState) }

func testEventLogHoldsCommittedState(t *testing.T, dialect string) {
	s, _ := openTestStore(t, dialect)
	ctx := context.Background()
	if _, err := s.SetSetting(ctx, "ui.theme", "dark", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetSetting(ctx, "ui.theme", "light", func() error { return errors.New("apply failed") }); err == nil {
		t.Fatal("a setting write whose apply failed succeeded")
	}
	if st, _ := s.GetSetting(ctx, "ui.theme"); st.Value != "dark" {
		t.Fatalf("a failed setting write left %q, want dark", st.Value)
	}
	if _, err := s.SetSetting(ctx, "internal.marker", "1", nil); err != nil {
		t.Fatal(err)
	}
	a, _ := s.UpsertProvider(ctx, ProviderInput{Provider: "openai", APIKey: "sk-aaaaaaaa", SetActive: true})
	if _, err := s.UpsertProvider(ctx, ProviderInput{Provider: "xai", APIKey: "xai-bbbbbbbb", SetActive: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.ActivateProvider(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.ActivateProvider(ctx, 9999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("activate unknown: %v", err)
	}
	want := []string{
		"setting ui.theme=dark",
		"providers openai:true",
		"providers openai:false xai:true",
		"providers openai:true xai:false",
	}
	evs, err := s.EventsAfter(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		switch e.Type {
		case EventSettingChanged:
			var p SettingPayload
			_ = json.Unmarshal([]byte(e.Payload), &p)
			got = append(got, "setting "+p.Key+"="+p.Value)
		case EventProviderChanged:
			var ps []AIProvider
			_ = json.Unmarshal([]byte(e.Payload), &ps)
			desc := "providers"
			for _, p := range ps {
				desc += fmt.Sprintf(" %s:%v", p.Provider, p.IsActive)
			}
			got = append(got, desc)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("changes reported:\n%q\nwant\n%q", got, want)
	}
}
