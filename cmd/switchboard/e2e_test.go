// The console in Debian's Chromium, driven by chromedp against the whole
// program: acceptance scenarios 20-22.
//
//	test                scenario  guards
//	TestBrowserConsole  20        pause (with a reason), resume, run now and a reschedule in one browser show in the other's jobs page live, without reload
//	                    21        switching the active provider with the settings form in one browser: both show exactly that provider active, alone
//	                    22        a signed-out viewer reaches only the login page; a hostile page's form POST is refused and pauses nothing

package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserConsole drives the console in Debian's Chromium: acceptance
// scenarios 20–22, sign-in and sign-out, the schedule editor's preview and a
// viewer's read-only pages.
func TestBrowserConsole(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "e2e.db"), map[string]string{"SWITCHBOARD_ADMIN_PASSWORD": adminPassword})
	a := newBrowser(t, desktop)
	do(t, a, "open the login page", chromedp.Navigate(s.url+"/jobs"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-form]`)))
	screenshot(t, a, "01-login")
	audit(t, a, "login")
	do(t, a, "a wrong password",
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-username]`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-password]`), "not the password"),
		chromedp.Click(chromedp.CSS(`[data-testid=login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=form-error]`)))
	audit(t, a, "login with an error")
	signInBrowser(t, a, s.url, "admin", adminPassword)
	audit(t, a, "jobs, fresh")

	// Add a second admin and a viewer through the users page.
	for _, u := range []struct{ name, role string }{{"bob", "admin"}, {"vera", "viewer"}} {
		do(t, a, "add user "+u.name,
			chromedp.Navigate(s.url+"/users"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=new-user-form]`)),
			chromedp.SendKeys(chromedp.CSS(`[data-testid=new-username]`), u.name),
			chromedp.SendKeys(chromedp.CSS(`[data-testid=new-password]`), adminPassword),
			chromedp.SetValue(chromedp.CSS(`[data-testid=new-role]`), u.role),
			chromedp.Click(chromedp.CSS(`[data-testid=add-user]`)))
		waitJS(t, a, "the user to be added", `!!document.querySelector('#new-user-form .saved')`)
		waitJS(t, a, "the new user in the list, without a reload", `!!document.querySelector('#users-body tr[data-username=`+u.name+`]')`)
	}
	do(t, a, "reload users", chromedp.Navigate(s.url+"/users"), chromedp.WaitVisible(chromedp.CSS(`[data-username=vera]`)))
	screenshot(t, a, "08-users")
	audit(t, a, "users")

	b := newBrowser(t, desktop)
	signInBrowser(t, b, s.url, "bob", adminPassword)
	do(t, a, "jobs page", chromedp.Navigate(s.url+"/jobs"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=jobs-table]`)))
	waitLive(t, a)
	waitLive(t, b)

	// Scenario 20: pause, resume, run and reschedule in A; B follows live.
	const job = "technical_monitor"
	do(t, a, "open the pause menu with a reason",
		chromedp.Click(chromedp.CSS(`#job-`+job+` [data-testid=pause-open]`)),
		chromedp.SendKeys(chromedp.CSS(`#job-`+job+` [data-testid=pause-reason]`), "e2e maintenance"))
	audit(t, a, "jobs with the pause menu open")
	do(t, a, "pause with a reason", chromedp.Click(chromedp.CSS(`#job-`+job+` [data-testid=pause]`)))
	waitJS(t, a, "A to show the pause", rowJS(job, `r.dataset.state === 'paused'`))
	audit(t, a, "jobs with a paused job")
	seen := waitJS(t, b, "B to show the pause", rowJS(job, `r.dataset.state === 'paused' && r.textContent.includes('e2e maintenance')`))
	t.Logf("pause reached the other browser %v after the first showed it", seen)
	waitJS(t, b, "B's Paused chip to count it", `document.querySelector('#job-filters [data-count=paused]').textContent === '1'`)
	screenshot(t, a, "02-jobs")
	do(t, a, "resume", chromedp.Click(chromedp.CSS(`#job-`+job+` [data-testid=resume]`)))
	waitJS(t, b, "B to show the resume", rowJS(job, `r.dataset.state === 'scheduled'`))
	do(t, a, "run now", chromedp.Click(chromedp.CSS(`#job-`+job+` [data-testid=run-now]`)))
	waitJS(t, b, "B to show the run's result", rowJS(job, `r.dataset.lastStatus === 'skipped'`))
	waitJS(t, a, "the toast in A", `!!document.querySelector('[data-testid=toast]')`)
	audit(t, a, "jobs after a run, with its toast")
	audit(t, b, "jobs after a run, seen live")

	// The schedule editor: the preview follows the typing; saving
	// reschedules, and B's row shows it.
	do(t, a, "open the job", chromedp.Navigate(s.url+"/jobs/"+job), chromedp.WaitVisible(chromedp.CSS(`[data-testid=schedule-editor]`)))
	waitLive(t, a)
	audit(t, a, "the job page")
	do(t, a, "choose cron", chromedp.Click(chromedp.CSS(`[data-testid=mode-cron]`)))
	do(t, a, "type 02:30", chromedp.SendKeys(chromedp.CSS(`[data-testid=cron-hour]`), "2"), chromedp.SendKeys(chromedp.CSS(`[data-testid=cron-minute]`), "30"))
	waitJS(t, a, "a 02:30 preview with a DST warning", `document.querySelectorAll('[data-testid=preview-run]').length === 5 && document.querySelector('[data-testid=preview-describe]').textContent.includes('02:30') && !!document.querySelector('[data-testid=dst-warning]')`)
	do(t, a, "type an invalid hour", chromedp.SendKeys(chromedp.CSS(`[data-testid=cron-hour]`), "9"))
	waitJS(t, a, "the preview to name the error", `!!document.querySelector('[data-testid=preview-error]')`)
	audit(t, a, "the editor with an error shown")
	do(t, a, "choose an interval preset", chromedp.Click(chromedp.CSS(`[data-testid=mode-interval]`)),
		chromedp.Click(chromedp.CSS(`[data-preset-every="5"]`)))
	waitJS(t, a, "an interval preview", `(document.querySelector('[data-testid=preview-describe]') || {}).textContent === 'Every 5 minutes'`)
	screenshot(t, a, "03-job-detail")
	do(t, a, "save the schedule", chromedp.Click(chromedp.CSS(`[data-testid=save-schedule]`)))
	waitJS(t, a, "saved", `!!document.querySelector('[data-testid=schedule-saved]')`)
	waitJS(t, b, "B to show the new schedule", rowJS(job, `r.querySelector('[data-testid=job-schedule]').textContent.includes('Every 5 minutes')`))

	// The table shows 50 jobs a page and takes only its own rows live: a
	// job created before this page is counted, not added; one that sorts
	// into it (after the last row of the last page) is added.
	for i := range 50 {
		body := fmt.Sprintf(`{"id":"zz_%02d","name":"Filler %d","kind":"prompt","config":{"prompt":"hi"},"trigger":"interval","hours":1}`, i, i)
		if status, m := s.call(t, "POST", "/api/scheduler/jobs", body); status != 201 {
			t.Fatalf("create filler: %d %v", status, m)
		}
	}
	do(t, b, "page 2 in B", chromedp.Navigate(s.url+"/jobs?page=2"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=jobs-pager]`)))
	waitLive(t, b)
	waitJS(t, b, "page 2 to hold the last 8 jobs", `document.querySelectorAll('#jobs-body tr[data-job-id]').length === 8`)
	for _, id := range []string{"aa_new", "zz_99"} {
		body := `{"id":"` + id + `","name":"` + id + `","kind":"prompt","config":{"prompt":"hi"},"trigger":"interval","hours":1}`
		if status, m := s.call(t, "POST", "/api/scheduler/jobs", body); status != 201 {
			t.Fatalf("create %s: %d %v", id, status, m)
		}
	}
	waitJS(t, b, "B to add the job that belongs on page 2", `!!document.querySelector('#job-zz_99')`)
	waitJS(t, b, "B to say a job was added on another page",
		`(() => { const h = document.querySelector('[data-testid=jobs-stale]'); return !h.hidden && h.textContent.includes('1 new job'); })()`)
	// aa_new's event came before zz_99's: by now B has dealt with it.
	waitJS(t, b, "page 2 to hold its 8 jobs and zz_99, not aa_new (page 1's)",
		`document.querySelectorAll('#jobs-body tr[data-job-id]').length === 9 && !document.querySelector('#job-aa_new')`)
	screenshot(t, b, "02b-jobs-page-2")
	audit(t, b, "jobs, page 2")

	// Scenario 21: switch the active provider with the settings form in A;
	// B's list follows, and exactly one provider is active in both.
	for _, p := range []string{`{"provider":"openai","api_key":"sk-e2e-openai-1111"}`, `{"provider":"anthropic","api_key":"sk-e2e-anthropic-2222"}`} {
		if status, m := s.call(t, "POST", "/api/settings/ai-provider", p); status != 200 {
			t.Fatalf("add provider: %d %v", status, m)
		}
	}
	do(t, a, "settings in A", chromedp.Navigate(s.url+"/settings"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=active-provider-form]`)))
	do(t, b, "settings in B", chromedp.Navigate(s.url+"/settings"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=provider-list]`)))
	waitLive(t, a)
	waitLive(t, b)
	// Anthropic, added last, is active: each switch below is a real change,
	// so seeing it proves the previous request has finished.
	for _, want := range []string{"openai", "anthropic"} {
		waitJS(t, a, "no request in flight", `!document.querySelector('.htmx-request')`)
		// The pushed update of the previous switch can replace the form at
		// any moment; choosing and submitting in one script keeps both on
		// the same form, as a person's choice and click do.
		do(t, a, "switch to "+want, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
			document.querySelector('[data-testid=active-provider-select]').value = '%s';
			document.querySelector('[data-testid=activate-selected]').click();
		})()`, want)))
		one := fmt.Sprintf(`(() => { const a = document.querySelectorAll('#provider-list [data-status=active]'); return a.length === 1 && a[0].dataset.provider === '%s'; })()`, want)
		waitJS(t, a, "A to show "+want+" active alone", one)
		waitJS(t, b, "B to show "+want+" active alone", one)
	}
	screenshot(t, a, "05-settings")
	audit(t, a, "settings")
	for _, page := range []struct{ path, sel, name string }{
		{"/providers", `[data-testid=provider-card]`, "06-providers"},
		{"/history", `[data-testid=runs-table]`, "04-history"},
		{"/audit", `[data-testid=audit-table]`, "09-audit"},
		{"/jobs/new", `[data-testid=job-form]`, "07-new-job"},
	} {
		do(t, a, "open "+page.path, chromedp.Navigate(s.url+page.path), chromedp.WaitVisible(chromedp.CSS(page.sel)))
		screenshot(t, a, page.name)
		audit(t, a, page.path)
	}
	do(t, a, "open /audit", chromedp.Navigate(s.url+"/audit"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=audit-row]`)))
	waitJS(t, a, "every audit date on one line", `[...document.querySelectorAll('[data-testid=audit-row] time')].every(e => e.getClientRects().length === 1)`)

	// A viewer sees no actions, then signs out and reaches only the login
	// page.
	v := newBrowser(t, phone)
	signInBrowser(t, v, s.url, "vera", adminPassword)
	waitJS(t, v, "a read-only jobs page", `document.querySelectorAll('[data-testid=job-row]').length >= 7 && !document.querySelector('[data-testid=pause-open], [data-testid=run-now], [data-testid=resume], [data-testid=new-job]')`)
	screenshot(t, v, "10-viewer-phone")
	audit(t, v, "a viewer's jobs at 390 px")
	do(t, v, "sign out", chromedp.Click(chromedp.CSS(`[data-testid=sign-out]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-form]`)))
	for _, path := range []string{"/jobs", "/settings", "/jobs/" + job} {
		do(t, v, "visit "+path+" signed out", chromedp.Navigate(s.url+path), chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-form]`)))
	}

	// Scenario 22: a form on another origin posting to the console is
	// refused, though the browser holds a session.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!DOCTYPE html><form id="f" method="post" action="%s/jobs/%s/pause"><input name="reason" value="evil"></form>
<script>document.getElementById('f').submit()</script>`, s.url, job)
	}))
	defer evil.Close()
	// The refusal is a failed load in the console: the one error a test
	// may provoke.
	expectConsole(t, a, "status of 403 (Forbidden)")
	do(t, a, "visit a hostile page", chromedp.Navigate(evil.URL))
	waitJS(t, a, "the refusal", `document.body && document.body.textContent.includes('Cross-origin request refused')`)
	if _, m := s.call(t, "GET", "/api/scheduler/jobs/"+job, ""); m["enabled"] != true {
		t.Fatalf("a cross-site post paused the job: %v", m)
	}
}
