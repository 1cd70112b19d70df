package models

import (
	"context"
	"errors"
	"testing"
)

// Which provider is active after a save or a delete from the console
// (issue 13 item 6): a saved key takes over only when none is active; the
// active provider's delete hands over to a configured one when asked.
func TestActiveProviderRules(t *testing.T) { eachDialect(t, testActiveProviderRules) }

func testActiveProviderRules(t *testing.T, dialect string) {
	ctx := context.Background()
	active := func(s *Store) string {
		t.Helper()
		p, err := s.ActiveProvider(ctx)
		if errors.Is(err, ErrNotFound) {
			return ""
		}
		if err != nil {
			t.Fatal(err)
		}
		return p.Provider
	}
	save := func(s *Store, name string, in ProviderInput) AIProvider {
		t.Helper()
		in.Provider, in.APIKey, in.Model = name, "sk-"+name+"-12345678", "m"
		p, err := s.UpsertProvider(ctx, in)
		if err != nil {
			t.Fatalf("save %s: %v", name, err)
		}
		return p
	}
	ifNone := ProviderInput{ActivateIfNone: true}
	t.Run("save", func(t *testing.T) {
		s, _ := openTestStore(t, dialect)
		if p := save(s, "openai", ifNone); !p.IsActive || active(s) != "openai" {
			t.Fatalf("the first provider saved with none active: active %q, row %v", active(s), p.IsActive)
		}
		if p := save(s, "anthropic", ifNone); p.IsActive || active(s) != "openai" {
			t.Fatalf("a second provider's key took over: active %q, row %v", active(s), p.IsActive)
		}
		if p := save(s, "openai", ifNone); !p.IsActive || active(s) != "openai" {
			t.Fatalf("saving the active provider again: active %q, row %v", active(s), p.IsActive)
		}
		if p := save(s, "anthropic", ProviderInput{SetActive: true}); !p.IsActive || active(s) != "anthropic" {
			t.Fatalf("set_active (the API's default) no longer switches: active %q", active(s))
		}
	})
	tests := []struct {
		name       string
		deleteName string
		handOver   bool
		wantNext   string // the provider the delete made active, "" for none
		wantActive string
	}{
		{"the active one, handing over", "anthropic", true, "openai", "openai"},
		{"the active one, not handing over (the API)", "anthropic", false, "", ""},
		{"an inactive one, handing over", "openai", true, "", "anthropic"},
	}
	for _, tt := range tests {
		t.Run("delete "+tt.name, func(t *testing.T) {
			s, _ := openTestStore(t, dialect)
			save(s, "openai", ifNone)
			save(s, "google", ifNone)
			save(s, "anthropic", ProviderInput{SetActive: true})
			var del AIProvider
			ps, err := s.ListProviders(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				if p.Provider == tt.deleteName {
					del = p
				}
			}
			var next string
			if tt.handOver {
				next, err = s.DeleteProviderHandingOver(ctx, del.ID)
			} else {
				err = s.DeleteProvider(ctx, del.ID)
			}
			if err != nil {
				t.Fatal(err)
			}
			if next != tt.wantNext || active(s) != tt.wantActive {
				t.Fatalf("after the delete: made active %q, active %q; want %q, %q", next, active(s), tt.wantNext, tt.wantActive)
			}
		})
	}
	t.Run("delete the last one, handing over", func(t *testing.T) {
		s, _ := openTestStore(t, dialect)
		p := save(s, "openai", ifNone)
		next, err := s.DeleteProviderHandingOver(ctx, p.ID)
		if err != nil || next != "" || active(s) != "" {
			t.Fatalf("deleting the only provider: next %q, active %q, %v", next, active(s), err)
		}
		if _, err := s.DeleteProviderHandingOver(ctx, p.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleting it again: %v, want ErrNotFound", err)
		}
	})
}
