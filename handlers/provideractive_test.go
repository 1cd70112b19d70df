package handlers_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// Which provider is active after the console's save and delete, and after
// the API's (issue 13 item 6). The API keeps api.md's promises: an add
// (set_active defaults to true) makes the provider the only active one; a
// delete of the active one leaves none active.
func TestProviderActiveRules(t *testing.T) {
	e := newEnv(t, nil)
	b := e.signIn(t, "alice", "admin")
	active := func() string {
		t.Helper()
		_, m := e.do("GET", "/api/settings/ai-provider/active", "")
		if p, ok := m["provider"].(map[string]any); ok {
			return p["name"].(string)
		}
		return ""
	}
	idOf := func(name string) string {
		t.Helper()
		_, m := e.do("GET", "/api/settings/ai-providers", "")
		for _, p := range m["data"].([]any) {
			if p := p.(map[string]any); p["name"] == name && p["id"] != nil {
				return fmt.Sprint(int64(p["id"].(float64)))
			}
		}
		t.Fatalf("%s is not configured", name)
		return ""
	}
	const key = "sk-console-key-12345"
	steps := []struct {
		name        string
		do          func() (int, *goquery.Document)
		wantStatus  int
		wantActive  string
		toastHas    string // "" for no toast to check
		toastHasNot string
	}{
		{"the console saves a first key: it becomes active", func() (int, *goquery.Document) {
			s, doc, _ := b.post("/providers/openai", url.Values{"api_key": {key}}, true)
			return s, doc
		}, 200, "openai", "saved and made active", ""},
		{"the console saves a second key: the first stays active", func() (int, *goquery.Document) {
			s, doc, _ := b.post("/providers/anthropic", url.Values{"api_key": {key}}, true)
			return s, doc
		}, 200, "openai", "Anthropic saved.", "active"},
		{"the console saves the active one again", func() (int, *goquery.Document) {
			s, doc, _ := b.post("/providers/openai", url.Values{"model": {"gpt-4o"}}, true)
			return s, doc
		}, 200, "openai", "saved.", "made active"},
		{"the console deletes the active one: another takes over, and says so", func() (int, *goquery.Document) {
			s, doc, _ := b.post("/providers/openai/delete", nil, true)
			return s, doc
		}, 200, "anthropic", "Anthropic is now the active provider", ""},
		{"the API adds a provider: set_active defaults to true (api.md)", func() (int, *goquery.Document) {
			s, _ := e.do("POST", "/api/settings/ai-provider", `{"provider":"google","api_key":"`+key+`"}`)
			return s, nil
		}, 200, "google", "", ""},
		{"the API adds one with set_active false", func() (int, *goquery.Document) {
			s, _ := e.do("POST", "/api/settings/ai-provider", `{"provider":"xai","api_key":"`+key+`","set_active":false}`)
			return s, nil
		}, 200, "google", "", ""},
		{"the API deletes the active one: none is active (api.md)", func() (int, *goquery.Document) {
			s, _ := e.do("DELETE", "/api/settings/ai-provider/"+idOf("google"), "")
			return s, nil
		}, 200, "", "", ""},
		{"the console saves a key while none is active: it becomes active", func() (int, *goquery.Document) {
			s, doc, _ := b.post("/providers/xai", url.Values{"api_key": {key}}, true)
			return s, doc
		}, 200, "xai", "saved and made active", ""},
		{"the console deletes an inactive one", func() (int, *goquery.Document) {
			s, doc, _ := b.post("/providers/anthropic/delete", nil, true)
			return s, doc
		}, 200, "xai", "Anthropic deleted.", "active"},
		{"the console deletes the last, active one: it says none is active", func() (int, *goquery.Document) {
			s, doc, _ := b.post("/providers/xai/delete", nil, true)
			return s, doc
		}, 200, "", "No provider is active now", ""},
	}
	for _, st := range steps {
		status, doc := st.do()
		if status != st.wantStatus {
			t.Fatalf("%s: status %d, want %d", st.name, status, st.wantStatus)
		}
		if got := active(); got != st.wantActive {
			t.Errorf("%s: active %q, want %q", st.name, got, st.wantActive)
		}
		if st.toastHas != "" {
			msg := text(doc, "toast")
			if !strings.Contains(msg, st.toastHas) || (st.toastHasNot != "" && strings.Contains(msg, st.toastHasNot)) {
				t.Errorf("%s: toast %q, want it to say %q and not %q", st.name, msg, st.toastHas, st.toastHasNot)
			}
		}
	}
	// A card with no provider configured offers no connection test.
	_, doc, _ := b.get("/providers")
	doc.Find(`[data-testid=provider-card]`).Each(func(_ int, c *goquery.Selection) {
		name, _ := c.Attr("data-provider")
		if n := c.Find(`[data-testid=provider-test]`).Length(); n != 0 {
			t.Errorf("the unconfigured %s card offers a connection test", name)
		}
	})
	if status, _, _ := b.post("/providers/openai", url.Values{"api_key": {key}}, true); status != 200 {
		t.Fatalf("save openai: %d", status)
	}
	_, doc, _ = b.get("/providers")
	if n := doc.Find(`[data-provider=openai] [data-testid=provider-test]`).Length(); n != 1 {
		t.Errorf("the configured openai card offers %d connection tests, want 1", n)
	}
}
