// layout.templ: every page's frame, form messages and the list pager.
//
//	test                                  guards
//	TestLayoutNavFollowsTheRole           Users and Audit only for an admin; the current page is marked; the sign-out form posts to /logout
//	TestLayoutSignInPageHasNoChrome       with no user: no header, skip link or sign-out, the content still in main#main
//	TestLayoutGoesLiveOnlyWithEvents      the SSE connection (sse-connect, the events it swaps) and the live badge only when the page has an events URL
//	TestLayoutEscapesAndCarriesTheFlash   title, user, cluster and flash text come out escaped; the flash is a toast in the live region
//	TestLayoutConfiguresHTMXToSwap422     the htmx config swaps 409 and 422 answers and no other 4xx/5xx, and forbids eval
//	TestFieldErrorMatchesAriaDescribedBy  a field's message has the id invalid() points aria-describedby at; nothing without an error
//	TestFormErrorIsAnAlert                a form's message is an alert, escaped; nothing when empty
//	TestPagerNavLinksNewerAndOlder        prev/next only when there is one, "Page n of m · total", never "of 0"

package views

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

func page(role string) Page {
	return Page{Title: "Jobs", Nav: "jobs", User: "ada", Role: role, CanWrite: role == "admin",
		CSS: "/static/app.1.css", Icon: "/static/icon.1.svg", HTMX: "/static/htmx.1.js", SSE: "/static/sse.1.js", JS: "/static/app.1.js",
		Timezone: "Europe/Paris"}
}

var content = templ.Raw(`<p data-testid="content">the page</p>`)

func TestLayoutNavFollowsTheRole(t *testing.T) {
	for _, tt := range []struct {
		role string
		nav  []string
	}{
		{"admin", []string{"/", "/jobs", "/history", "/settings", "/providers", "/users", "/audit"}},
		{"viewer", []string{"/", "/jobs", "/history", "/settings", "/providers"}},
	} {
		t.Run(tt.role, func(t *testing.T) {
			doc := parse(t, Layout(page(tt.role), content))
			body := one(t, doc.Selection, "body")
			attrs(t, body, "data-role", tt.role, "data-timezone", "Europe/Paris")
			nav := one(t, body, "header nav[aria-label=Main]")
			if got := hrefs(nav, "a"); !slices.Equal(got, tt.nav) {
				t.Errorf("nav: got %q, want %q", got, tt.nav)
			}
			attr(t, one(t, nav, "a[aria-current]"), "href", "/jobs")
			attr(t, one(t, nav, "a[aria-current]"), "aria-current", "page")
			text(t, one(t, body, "[data-testid=current-user]"), "ada "+tt.role)
			attr(t, one(t, body, "form:has([data-testid=sign-out])"), "action", "/logout")
			attr(t, one(t, body, "a[data-testid=skip-link]"), "href", "#main")
			main := one(t, body, "main#main")
			attr(t, main, "class", "page-jobs")
			one(t, main, "[data-testid=content]")
		})
	}
}

func TestLayoutSignInPageHasNoChrome(t *testing.T) {
	p := page("")
	p.User, p.Nav = "", "login"
	doc := parse(t, Layout(p, content))
	for _, sel := range []string{"header", "nav", "[data-testid=skip-link]", "[data-testid=sign-out]", "#live"} {
		count(t, doc.Selection, sel, 0)
	}
	one(t, doc.Selection, "main#main [data-testid=content]")
	one(t, doc.Selection, "#toasts[aria-live=polite]")
}

func TestLayoutGoesLiveOnlyWithEvents(t *testing.T) {
	p := page("viewer")
	doc := parse(t, Layout(p, content))
	count(t, doc.Selection, "#live", 0)
	count(t, doc.Selection, "#live-badge", 0)

	p.Events = "/events?view=jobs"
	doc = parse(t, Layout(p, content))
	live := one(t, doc.Selection, "div#live")
	attrs(t, live, "sse-connect", "/events?view=jobs", "hx-ext", "sse,live-targets")
	swap := one(t, live, "[sse-swap]")
	attrs(t, swap, "sse-swap", "snapshot,job_updated,job_deleted,job_started,job_completed,provider_changed,setting_changed,resync", "hx-swap", "none")
	attr(t, one(t, doc.Selection, "#live-badge[data-testid=live-badge]"), "data-state", "connecting")
	attr(t, one(t, doc.Selection, "#live-announcer"), "aria-live", "polite")
}

func TestLayoutEscapesAndCarriesTheFlash(t *testing.T) {
	p := page("admin")
	p.Title, p.User, p.Cluster, p.Flash = nasty, nasty, nasty, nasty
	// A <title> holds text whatever it is given, so look at the bytes.
	if raw := render(t, Layout(p, content)); strings.Contains(raw, nasty) {
		t.Errorf("page: got %q unescaped, want it escaped", nasty)
	}
	doc := parse(t, Layout(p, content))
	text(t, one(t, doc.Selection, "title"), nasty+" · Switchboard")
	escaped(t, one(t, doc.Selection, "[data-testid=current-user]"))
	badge := one(t, doc.Selection, "a[data-testid=cluster-badge]")
	attr(t, badge, "href", "/settings#instances")
	escaped(t, badge)
	toast := one(t, doc.Selection, "#toasts [data-testid=toast]")
	attr(t, toast, "role", "status")
	escaped(t, toast)
	count(t, doc.Selection, "body script", 0)
	// The assets are the page's hashed URLs.
	attr(t, one(t, doc.Selection, "link[rel=stylesheet]"), "href", "/static/app.1.css")
	count(t, doc.Selection, "head script[defer]", 3)
}

func TestLayoutConfiguresHTMXToSwap422(t *testing.T) {
	meta := one(t, parse(t, Layout(page("admin"), content)).Selection, "meta[name=htmx-config]")
	var cfg struct {
		AllowEval        *bool `json:"allowEval"`
		ResponseHandling []struct {
			Code string `json:"code"`
			Swap bool   `json:"swap"`
		} `json:"responseHandling"`
	}
	if err := json.Unmarshal([]byte(meta.AttrOr("content", "")), &cfg); err != nil {
		t.Fatalf("htmx-config: %v", err)
	}
	if cfg.AllowEval == nil || *cfg.AllowEval {
		t.Errorf("allowEval: got %v, want false", cfg.AllowEval)
	}
	swaps := map[string]bool{}
	var codes []string
	for _, h := range cfg.ResponseHandling {
		swaps[h.Code] = h.Swap
		codes = append(codes, h.Code)
	}
	for code, want := range map[string]bool{"204": false, "[23]..": true, "409": true, "422": true, "[45]..": false} {
		if got, ok := swaps[code]; !ok || got != want {
			t.Errorf("responseHandling %s: swap got %v (listed %v), want %v", code, got, ok, want)
		}
	}
	// htmx takes the first match: the catch-all for errors must come last.
	if codes[len(codes)-1] != "[45].." {
		t.Errorf("responseHandling order: got %q, want [45].. last", codes)
	}
}

func TestFieldErrorMatchesAriaDescribedBy(t *testing.T) {
	errs := map[string]string{"name": nasty}
	p := one(t, parse(t, FieldError(errs, "name")).Selection, "p.field-error")
	attrs(t, p, "id", "error-name", "data-testid", "error-name")
	escaped(t, p)
	if got := invalid(errs, "name", "name")["aria-describedby"]; got != "error-name" {
		t.Errorf("invalid(): aria-describedby got %v, want error-name", got)
	}
	if got := render(t, FieldError(errs, "id")); got != "" {
		t.Errorf("FieldError without an error: got %q, want nothing", got)
	}
}

func TestFormErrorIsAnAlert(t *testing.T) {
	p := one(t, parse(t, FormError(nasty)).Selection, "p[data-testid=form-error]")
	attr(t, p, "role", "alert")
	escaped(t, p)
	if got := render(t, FormError("")); got != "" {
		t.Errorf("FormError(\"\"): got %q, want nothing", got)
	}
}

func TestPagerNavLinksNewerAndOlder(t *testing.T) {
	for _, tt := range []struct {
		p     Pager
		text  string
		links []string // "rel href", in order
	}{
		{Pager{Page: 1, TotalPages: 3, Total: 120, Next: "/history?page=2"}, "Page 1 of 3 · 120 total Older →", []string{"next /history?page=2"}},
		{Pager{Page: 2, TotalPages: 3, Total: 120, Prev: "/history?page=1", Next: "/history?page=3"}, "← Newer Page 2 of 3 · 120 total Older →", []string{"prev /history?page=1", "next /history?page=3"}},
		{Pager{Page: 1}, "Page 1 of 1 · 0 total", nil},
	} {
		nav := one(t, parse(t, PagerNav(tt.p)).Selection, "nav[data-testid=pager]")
		attr(t, nav, "aria-label", "Pages")
		text(t, nav, tt.text)
		var got []string
		nav.Find("a").Each(func(_ int, a *goquery.Selection) {
			got = append(got, a.AttrOr("rel", "")+" "+a.AttrOr("href", ""))
		})
		if !slices.Equal(got, tt.links) {
			t.Errorf("page %d links: got %q, want %q", tt.p.Page, got, tt.links)
		}
	}
}
