package models

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
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
