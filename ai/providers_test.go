package ai

import "testing"

// What one caller does to the list it got never reaches another caller.
func TestProvidersIsFreshOnEveryCall(t *testing.T) {
	first := Providers()
	first[0].Name = "changed"
	first[0].Models[0] = "changed"
	second := Providers()
	if second[0].Name != Anthropic || second[0].Models[0] != "claude-opus-4-1" {
		t.Fatalf("got %s %v, want %s [claude-opus-4-1 …]: a caller changed the list", second[0].Name, second[0].Models, Anthropic)
	}
	if p, ok := Lookup(Anthropic); !ok || p.Models[0] != "claude-opus-4-1" {
		t.Fatalf("Lookup(%s): got %v %v, want it unchanged", Anthropic, p, ok)
	}
}

func TestCanonical(t *testing.T) {
	for name, want := range map[string]string{"grok": XAI, XAI: XAI, Anthropic: Anthropic, "unknown": "unknown"} {
		if got := Canonical(name); got != want {
			t.Errorf("Canonical(%q) = %q, want %q", name, got, want)
		}
	}
}
