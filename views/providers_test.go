// settings.templ, the providers page: one card per provider, its status
// line and its form.
//
//	test                                      guards
//	TestProviderStatusActionsForAdminOnly     Activate (unless active), Test and Delete (confirmed, warning when active) only for a writer on a configured provider
//	TestProviderStatusesOOBReplaceEachLine    each status line is aimed at its own #provider-status-{name}
//	TestProviderFormForAdminAndViewer         the form posts to /providers/{name} and swaps itself; a viewer's inputs are disabled with no save; the key is never echoed
//	TestProviderFormShowsErrorsAndBaseURL     field errors tied to fields; the base URL only where the provider needs one
//	TestProviderFormOOBAndTestResult          the form's OOB replacement, and the test result's ok/bad class only with text
//	TestProvidersPageOneCardEach              one card per provider with its status and form, names escaped

package views

import (
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func providerCard(canWrite bool) ProviderCard {
	return ProviderCard{Name: "openai", DisplayName: "OpenAI", Status: "configured", Configured: true,
		KeyMasked: "••••abcd", Model: "gpt", Models: []string{"gpt", "gpt-mini"}, DefaultModel: "gpt", CanWrite: canWrite}
}

func TestProviderStatusActionsForAdminOnly(t *testing.T) {
	active := providerCard(true)
	active.Active = true
	unconfigured := providerCard(true)
	unconfigured.Configured, unconfigured.KeyMasked = false, ""
	tests := []struct {
		name                   string
		c                      ProviderCard
		activate, test, delete bool
	}{
		{"inactive", providerCard(true), true, true, true},
		{"active", active, false, true, true},
		{"unconfigured", unconfigured, false, false, false},
		{"viewer", providerCard(false), false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := one(t, parse(t, ProviderStatus(tt.c)).Selection, "div#provider-status-openai[data-testid=provider-status]")
			attrs(t, st, "data-provider", "openai", "data-status", "configured")
			present(t, st, "form[hx-post='/providers/openai/activate'][action='/providers/openai/activate'] [data-testid=provider-activate]", tt.activate)
			present(t, st, "button[data-testid=provider-test][hx-post='/providers/openai/test'][hx-target='#provider-test-openai']", tt.test)
			present(t, st, "form[hx-post='/providers/openai/delete'] [data-testid=provider-delete]", tt.delete)
			present(t, st, "[data-testid=provider-key]", tt.c.KeyMasked != "")
			if tt.delete {
				confirm := st.Find("form[hx-post='/providers/openai/delete']").AttrOr("hx-confirm", "")
				want := "Delete the OpenAI provider and its key?"
				if tt.c.Active {
					want += " It is the active provider: another configured one takes over, or none is active."
				}
				if confirm != want {
					t.Errorf("hx-confirm: got %q, want %q", confirm, want)
				}
			}
			if !tt.c.CanWrite {
				noActions(t, st)
			}
		})
	}
}

func TestProviderStatusesOOBReplaceEachLine(t *testing.T) {
	b := providerCard(true)
	b.Name = "ollama"
	doc := parse(t, ProviderStatusesOOB([]ProviderCard{providerCard(true), b}))
	for _, n := range []string{"openai", "ollama"} {
		wrap := one(t, doc.Selection, "div[hx-swap-oob='outerHTML:#provider-status-"+n+"']")
		one(t, wrap, "#provider-status-"+n)
	}
}

func TestProviderFormForAdminAndViewer(t *testing.T) {
	for _, canWrite := range []bool{true, false} {
		form := one(t, parse(t, ProviderForm(providerCard(canWrite))).Selection, "form#provider-form-openai")
		postsTo(t, form, "/providers/openai")
		attrs(t, form, "hx-target", "this", "hx-swap", "outerHTML")
		key := one(t, form, "input[type=password][data-testid=provider-key-input]")
		hasAttr(t, key, "value", false)
		attr(t, key, "placeholder", "leave empty to keep the current key")
		model := one(t, form, "input[data-testid=provider-model]")
		attr(t, model, "list", "models-openai")
		count(t, form, "datalist#models-openai option", 2)
		for _, in := range []*goquery.Selection{key, model} {
			hasAttr(t, in, "disabled", !canWrite)
		}
		present(t, form, "button[data-testid=provider-save]", canWrite)
		present(t, form, "#provider-test-openai", canWrite)
		count(t, form, "[data-testid=provider-base-url]", 0)
	}
}

func TestProviderFormShowsErrorsAndBaseURL(t *testing.T) {
	c := providerCard(true)
	c.Configured, c.NeedsBaseURL, c.BaseURL = false, true, "http://localhost:11434/v1"
	c.Errors = map[string]string{"api_key": nasty, "base_url": "unreachable"}
	form := one(t, parse(t, ProviderForm(c)).Selection, "form#provider-form-openai")
	key := one(t, form, "[data-testid=provider-key-input]")
	attrs(t, key, "placeholder", "paste the key", "aria-describedby", "error-api_key")
	escaped(t, one(t, form, "#error-api_key"))
	base := one(t, form, "input[type=url][data-testid=provider-base-url]")
	attrs(t, base, "value", "http://localhost:11434/v1", "aria-invalid", "true")
	hasAttr(t, one(t, form, "[data-testid=provider-model]"), "aria-invalid", false)
}

func TestProviderFormOOBAndTestResult(t *testing.T) {
	wrap := one(t, parse(t, ProviderFormOOB(providerCard(true))).Selection, "div[hx-swap-oob]")
	attr(t, wrap, "hx-swap-oob", "outerHTML:#provider-form-openai")
	one(t, wrap, "form#provider-form-openai")

	for _, tt := range []struct {
		text  string
		ok    bool
		class string
	}{{"", false, "test-result"}, {"", true, "test-result"}, {"Connected.", true, "test-result ok"}, {nasty, false, "test-result bad"}} {
		p := one(t, parse(t, ProviderTestResult("openai", tt.text, tt.ok)).Selection, "p#provider-test-openai[data-testid=provider-test-result]")
		attrs(t, p, "role", "status", "class", tt.class)
		text(t, p, tt.text)
	}
	escaped(t, parse(t, ProviderTestResult("openai", nasty, false)).Find("p"))
}

func TestProvidersPageOneCardEach(t *testing.T) {
	b := providerCard(false)
	b.Name, b.DisplayName = "ollama", nasty
	doc := parse(t, ProvidersPage([]ProviderCard{providerCard(true), b}))
	count(t, doc.Selection, "article[data-testid=provider-card]", 2)
	card := one(t, doc.Selection, "article#provider-card-ollama")
	attr(t, card, "data-provider", "ollama")
	escaped(t, one(t, card, "h2"))
	one(t, card, "#provider-status-ollama")
	one(t, card, "#provider-form-ollama")
	one(t, doc.Selection, "article#provider-card-openai [data-testid=provider-save]")

	count(t, parse(t, ProvidersPage(nil)).Selection, "article", 0)
}
