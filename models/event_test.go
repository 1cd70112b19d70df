package models

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"switchboard/models/modeltest"
)

// Each provider_changed event carries exactly the list its commit left:
// what ListProviders reads right after, keys left out.
func TestProviderEventsCarryTheCommittedList(t *testing.T) {
	eachDialect(t, testProviderEventsCarryTheCommittedList)
}

func testProviderEventsCarryTheCommittedList(t *testing.T, dialect string) {
	s, _ := openTestStore(t, dialect)
	ctx := context.Background()
	a, err := s.UpsertProvider(ctx, ProviderInput{Provider: "anthropic", APIKey: "ant-key-12345678", SetActive: true})
	if err != nil {
		t.Fatal(err)
	}
	o, err := s.UpsertProvider(ctx, ProviderInput{Provider: "openai", APIKey: "oai-key-12345678", SetActive: false})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name   string
		change func() error
	}{
		{"switch", func() error { return s.ActivateProvider(ctx, o.ID) }},
		{"activate the active one again", func() error { return s.ActivateProvider(ctx, o.ID) }},
		{"switch back", func() error { return s.ActivateProvider(ctx, a.ID) }},
		{"update", func() error {
			_, err := s.UpsertProvider(ctx, ProviderInput{Provider: "openai", Model: "gpt-x", SetActive: true})
			return err
		}},
		{"delete", func() error { return s.DeleteProvider(ctx, a.ID) }},
	}
	for _, st := range steps {
		if err := st.change(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		evs, err := s.EventsAfter(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		last := evs[len(evs)-1]
		var got []AIProvider
		if last.Type != EventProviderChanged || json.Unmarshal([]byte(last.Payload), &got) != nil {
			t.Fatalf("%s: last event %s %s, want provider_changed", st.name, last.Type, last.Payload)
		}
		want, _ := s.ListProviders(ctx)
		for i := range want {
			want[i].APIKeySealed = nil
		}
		norm := func(ps []AIProvider) string { b, _ := json.Marshal(ps); return string(b) }
		if !reflect.DeepEqual(norm(got), norm(want)) {
			t.Fatalf("%s: event carries\n%s\nthe store holds\n%s", st.name, norm(got), norm(want))
		}
	}
}

// A job_updated event carries the row exactly as stored, updated_at too,
// stamped by the store's clock (here one far from the wall clock).
func TestJobEventsCarryTheStoredRow(t *testing.T) { eachDialect(t, testJobEventsCarryTheStoredRow) }

func testJobEventsCarryTheStoredRow(t *testing.T, dialect string) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	s, err := Open(modeltest.Location(t, dialect), WithCipher(plainCipher{}), WithNow(func() time.Time { return at }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	if _, err := s.CreateJob(ctx, Job{ID: "j", Name: "J", Kind: KindWebhook, Config: "{}", Trigger: TriggerInterval, TriggerArgs: `{"seconds":60}`, Enabled: true}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateJob(ctx, "j", func(j *Job) error { j.Name = "renamed"; return nil }, nil); err != nil {
		t.Fatal(err)
	}
	evs, err := s.EventsAfter(ctx, 0, 10)
	if err != nil || len(evs) != 2 {
		t.Fatalf("events %v %v, want create and update", evs, err)
	}
	var got Job
	if err := json.Unmarshal([]byte(evs[1].Payload), &got); err != nil {
		t.Fatal(err)
	}
	stored, err := s.GetJob(ctx, "j")
	if err != nil {
		t.Fatal(err)
	}
	if !got.UpdatedAt.Equal(stored.UpdatedAt) || !stored.UpdatedAt.Equal(at) || got.Name != "renamed" || got.Version != stored.Version {
		t.Fatalf("event carries %s v%d %q, the store holds %s v%d %q, want both at %s", got.UpdatedAt, got.Version, got.Name, stored.UpdatedAt, stored.Version, stored.Name, at)
	}
}
