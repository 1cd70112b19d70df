// The console's pages over HTTP, signed in and out: acceptance scenario 22
// without a browser (the browser's own run is ../cmd/switchboard/e2e_test.go).
//
//	test                                    scenario  guards
//	TestSignedOutVisitorsReachOnlyTheLoginPage 22     every page and fragment redirects a signed-out visitor to the login page
//	TestCrossSiteFormPostIsRefused          22        a form POST from another origin is refused with 403 and changes nothing
//	TestViewerSeesNoActionsAndIsRefusedWrites (22)    a viewer's pages carry no action and every write of theirs is 403

package handlers_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestSignedOutVisitorsReachOnlyTheLoginPage(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("w", `"trigger":"interval","minutes":5`)
	anon := e.anonymous(t).noRedirects()
	for _, path := range []string{"/", "/jobs", "/jobs/w", "/jobs/new", "/history", "/settings", "/providers", "/users", "/audit", "/nowhere"} {
		status, _, hdr := anon.get(path)
		if status != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/login?next=") {
			t.Errorf("GET %s signed out: %d %s, want 303 to /login", path, status, hdr.Get("Location"))
		}
	}
	status, _, _ := anon.post("/jobs/w/pause", url.Values{}, false)
	if status != http.StatusSeeOther || e.job("w")["enabled"] != true {
		t.Fatalf("signed-out pause: %d, job %v", status, e.job("w")["enabled"])
	}
	status, doc, hdr := anon.get("/login")
	if status != 200 || count(doc, "login-form") != 1 {
		t.Fatalf("login page: %d", status)
	}
	if !strings.Contains(hdr.Get("Content-Security-Policy"), "script-src 'self'") || hdr.Get("X-Frame-Options") != "DENY" ||
		!strings.Contains(hdr.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatalf("security headers: %v", hdr)
	}
	if doc.Find("script:not([src])").Length() != 0 {
		t.Fatal("the page has inline script")
	}
}

func TestSignInSignOutAndRevocation(t *testing.T) {
	e := newEnv(t, nil)
	b := e.signIn(t, "alice", "admin")
	if _, doc, _ := b.get("/jobs"); text(doc, "current-user") == "" || !strings.Contains(text(doc, "current-user"), "alice") {
		t.Fatal("jobs page does not name the user")
	}
	// A copy of the cookie, as a thief would hold it.
	u, _ := url.Parse(e.srv.URL)
	stolen := e.anonymous(t).noRedirects()
	stolen.client.Jar.SetCookies(u, b.client.Jar.Cookies(u))
	if status, _, _ := stolen.get("/jobs"); status != 200 {
		t.Fatalf("copied session before sign-out: %d", status)
	}
	if status, doc, _ := b.post("/logout", nil, false); status != 200 || count(doc, "login-form") != 1 {
		t.Fatalf("sign out: %d", status)
	}
	if status, _, _ := stolen.get("/jobs"); status != http.StatusSeeOther {
		t.Fatalf("copied session after sign-out: %d, want 303 to login", status)
	}
	for _, c := range b.client.Jar.Cookies(u) {
		t.Fatalf("cookie left after sign-out: %s", c.Name)
	}

	// Wrong password, unknown user: the same answer.
	anon := e.anonymous(t)
	for _, f := range []url.Values{{"username": {"alice"}, "password": {"wrong password!"}}, {"username": {"nobody"}, "password": {"wrong password!"}}} {
		status, doc, _ := anon.post("/login", f, false)
		// 200, the form again: a 401 page is a failed load in the
		// browser's console.
		if status != http.StatusOK || text(doc, "form-error") != "Wrong username or password." || count(doc, "login-form") != 1 {
			t.Fatalf("bad sign-in: %d %q", status, text(doc, "form-error"))
		}
		for _, c := range anon.client.Jar.Cookies(u) {
			t.Fatalf("cookie after a bad sign-in: %s", c.Name)
		}
	}
}

func TestSessionCookieFlags(t *testing.T) {
	e := newEnv(t, nil)
	if _, err := e.store.CreateUser(t.Context(), "bob", testPassword, "viewer"); err != nil {
		t.Fatal(err)
	}
	anon := e.anonymous(t).noRedirects()
	status, _, hdr := anon.post("/login", url.Values{"username": {"bob"}, "password": {testPassword}, "next": {"//evil.example/x"}}, false)
	if status != http.StatusSeeOther || hdr.Get("Location") != "/" {
		t.Fatalf("sign-in with an off-site next: %d %q", status, hdr.Get("Location"))
	}
	c := hdr.Get("Set-Cookie")
	for _, want := range []string{"switchboard_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(c, want) {
			t.Errorf("cookie %q lacks %s", c, want)
		}
	}
	if strings.Contains(c, "Secure") {
		t.Errorf("cookie over plain HTTP is Secure: %q", c)
	}
}

func TestSignInIsRateLimitedBeforeBcrypt(t *testing.T) {
	e := newEnv(t, nil)
	// Twelve attempts from one address at once: the limit is checked on
	// arrival, before bcrypt, so however slow bcrypt is the burst of ten
	// admits ten and refuses two.
	start := make(chan struct{})
	var wg sync.WaitGroup
	var limited atomic.Int32
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			f := url.Values{"username": {fmt.Sprintf("user%d", i)}, "password": {"nope nope nope"}}
			resp, err := http.PostForm(e.srv.URL+"/login", f)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusTooManyRequests {
				limited.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if limited.Load() != 2 {
		t.Fatalf("%d of 12 attempts from one address were limited, want 2 (a burst of 10)", limited.Load())
	}
}

func TestEveryPageRendersForAnAdmin(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("w", `"trigger":"cron","hour":9,"minute":0`)
	e.do("POST", "/api/scheduler/jobs/w/trigger", "")
	b := e.signIn(t, "alice", "admin")
	tests := []struct {
		path    string
		testids []string
	}{
		{"/jobs", []string{"jobs-table", "job-row", "pause-open", "run-now", "new-job", "live-badge", "scheduler-timezone"}},
		{"/jobs?status=paused", []string{"jobs-table", "job-filters"}},
		{"/jobs/w", []string{"job-summary", "schedule-editor", "schedule-preview", "preview-run", "job-form", "runs-table", "delete-job"}},
		{"/jobs/new", []string{"job-form", "job-id", "schedule-preview"}},
		{"/history", []string{"history-filters", "runs-table", "pager"}},
		{"/history?job=w&status=success", []string{"runs-table"}},
		{"/settings", []string{"settings-form", "active-provider-form", "provider-list"}},
		{"/providers", []string{"provider-card", "provider-status", "provider-save"}},
		{"/users", []string{"users-table", "new-user-form"}},
		{"/audit", []string{"audit-table", "pager"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			status, doc, hdr := b.get(tt.path)
			if status != 200 {
				t.Fatalf("status %d", status)
			}
			if hdr.Get("Content-Security-Policy") == "" {
				t.Error("no CSP")
			}
			for _, id := range tt.testids {
				if count(doc, id) == 0 {
					t.Errorf("no [data-testid=%s]", id)
				}
			}
			for _, sel := range []string{`link[rel=stylesheet][href^="/static/"]`, `script[src^="/static/"]`} {
				if doc.Find(sel).Length() == 0 {
					t.Errorf("no %s", sel)
				}
			}
		})
	}
	for _, path := range []string{"/jobs?status=bogus", "/history?status=bogus", "/history?page=0", "/jobs/Bad%20Id"} {
		if status, doc, _ := b.get(path); status != http.StatusBadRequest || count(doc, "error-page") != 1 {
			t.Errorf("GET %s: %d, want 400 with an error page", path, status)
		}
	}
	if status, _, _ := b.get("/jobs/missing"); status != http.StatusNotFound {
		t.Errorf("unknown job page: %d", status)
	}
}

func TestViewerSeesNoActionsAndIsRefusedWrites(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("w", `"trigger":"interval","minutes":5`)
	e.do("POST", "/api/settings/ai-provider", `{"provider":"openai","api_key":"sk-test-abcdef123456"}`)
	v := e.signIn(t, "victor", "viewer")
	for _, path := range []string{"/jobs", "/jobs/w", "/providers", "/settings"} {
		status, doc, _ := v.get(path)
		if status != 200 {
			t.Fatalf("%s: %d", path, status)
		}
		for _, id := range []string{"pause-open", "resume", "run-now", "new-job", "schedule-editor", "job-form", "delete-job", "provider-save", "provider-activate", "provider-delete", "save-settings", "activate-selected"} {
			if n := count(doc, id); n != 0 {
				t.Errorf("%s shows %d [data-testid=%s] to a viewer", path, n, id)
			}
		}
	}
	writes := []struct{ path string }{{"/jobs/w/pause"}, {"/jobs/w/run"}, {"/jobs/w/delete"}, {"/settings"}, {"/providers/openai/delete"}, {"/users"}}
	for _, w := range writes {
		if status, _, _ := v.post(w.path, url.Values{"reason": {"x"}}, true); status != http.StatusForbidden {
			t.Errorf("viewer POST %s: %d, want 403", w.path, status)
		}
	}
	if j := e.job("w"); j["enabled"] != true {
		t.Fatal("a viewer's pause took effect")
	}
	for _, path := range []string{"/users", "/audit"} {
		if status, _, _ := v.get(path); status != http.StatusForbidden {
			t.Errorf("viewer GET %s: %d, want 403", path, status)
		}
	}
	// The API refuses a viewer's session too.
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/scheduler/jobs/w/pause", nil)
	resp, err := v.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("viewer API pause: %d", resp.StatusCode)
	}
	req, _ = http.NewRequest("GET", e.srv.URL+"/api/scheduler/jobs", nil)
	if resp, err = v.client.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("viewer API read: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestCrossSiteFormPostIsRefused(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("w", `"trigger":"interval","minutes":5`)
	b := e.signIn(t, "alice", "admin")
	status, _, _ := b.post("/jobs/w/pause", url.Values{}, false, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if status != http.StatusForbidden || e.job("w")["enabled"] != true {
		t.Fatalf("cross-site pause: %d, enabled %v", status, e.job("w")["enabled"])
	}
	status, _, _ = b.post("/jobs/w/pause", url.Values{}, false, "Sec-Fetch-Site", "same-origin")
	if status != http.StatusOK || e.job("w")["enabled"] != false {
		t.Fatalf("same-origin pause: %d, enabled %v", status, e.job("w")["enabled"])
	}
}

func TestPagesPastTheEndAndUnknownFiles(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("w", `"trigger":"cron","hour":9,"minute":0`)
	e.do("POST", "/api/scheduler/jobs/w/trigger", "")
	b := e.signIn(t, "alice", "admin").noRedirects()
	redirects := []struct{ path, to string }{
		{"/history?page=99", "/history"},
		{"/history?job=w&page=7", "/history?job=w"},
		{"/history?status=error&page=2", "/history?status=error"},
		{"/audit?page=99", "/audit"},
	}
	for _, tt := range redirects {
		status, _, hdr := b.get(tt.path)
		if status != http.StatusSeeOther || hdr.Get("Location") != tt.to {
			t.Errorf("GET %s: %d to %q, want 303 to %q", tt.path, status, hdr.Get("Location"), tt.to)
		}
	}
	if status, doc, _ := b.get("/history?page=1"); status != http.StatusOK || doc.Find(`[data-testid=pager]`).Text() == "" {
		t.Errorf("the first page: %d", status)
	}
	// The browser's own /favicon.ico request finds the console's icon.
	if status, _, hdr := e.anonymous(t).get("/favicon.ico", "Accept", "image/*"); status != http.StatusOK || hdr.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("/favicon.ico: %d %s, want the icon", status, hdr.Get("Content-Type"))
	}
	// An unknown file: the console's 404 page, signed in or not.
	for _, c := range []*browser{b, e.anonymous(t)} {
		status, doc, hdr := c.get("/static/0123456789ab/app.js")
		if status != http.StatusNotFound || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") || count(doc, "error-page") != 1 {
			t.Errorf("unknown static file: %d %s, want a 404 page", status, hdr.Get("Content-Type"))
		}
	}
}

// A user added through the form appears in the list at once, in order:
// the answer carries the table's rows out of band.
func TestAddedUserAppearsInTheList(t *testing.T) {
	e := newEnv(t, nil)
	b := e.signIn(t, "mallory", "admin")
	req, _ := http.NewRequest("POST", e.srv.URL+"/users", strings.NewReader(url.Values{"username": {"bob"}, "password": {testPassword}, "role": {"viewer"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("add a user: %d", resp.StatusCode)
	}
	// htmx parses an answer inside a <template>, where a <tbody> stands alone.
	raw, _ := io.ReadAll(resp.Body)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader("<template>" + string(raw) + "</template>"))
	if err != nil {
		t.Fatal(err)
	}
	body := doc.Find(`tbody#users-body[hx-swap-oob]`)
	var names []string
	body.Find(`[data-testid=user-row]`).Each(func(_ int, s *goquery.Selection) { names = append(names, s.AttrOr("data-username", "")) })
	if got := strings.Join(names, ","); got != "bob,mallory" {
		t.Errorf("rows sent with the answer: %q, want bob,mallory in %s", got, raw)
	}
	if strings.Contains(doc.Text(), "Reload") {
		t.Errorf("the answer still asks for a reload: %q", doc.Find(".saved").Text())
	}
}
