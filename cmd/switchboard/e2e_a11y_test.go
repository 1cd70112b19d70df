// Accessibility in the browser (issue 18): the keyboard alone pauses,
// resumes and runs a job, and focus lands on the successor of the control
// that was swapped away; the skip link, the focus ring on the top bar, the
// phone's labelled cards and the states TestBrowserConsole does not reach
// (no provider yet, a running and a successful run, a form with errors)
// pass axe.

package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// focusIs is a script true when focus is on the element a selector finds.
func focusIs(sel string) string {
	return fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && document.activeElement === e; })()`, sel)
}

// activeDesc says where focus is, for failure messages.
const activeDesc = `(() => { const a = document.activeElement; if (!a) return 'nothing'; const r = a.closest('tr[id]'); return a.tagName + (a.dataset.testid ? '[' + a.dataset.testid + ']' : '') + (r ? ' in #' + r.id : ''); })()`

func key(t *testing.T, ctx context.Context, what, keys string) {
	t.Helper()
	do(t, ctx, what, chromedp.KeyEvent(keys))
}

// tabTo presses Tab until focus reaches the element a selector finds.
func tabTo(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	for range 80 {
		key(t, ctx, "Tab", kb.Tab)
		if evalJS[bool](t, ctx, focusIs(sel)) {
			return
		}
	}
	t.Fatalf("80 Tabs never reached %s; focus is on %s", sel, evalJS[string](t, ctx, activeDesc))
}

// waitFocus waits until focus is on the element a selector finds.
func waitFocus(t *testing.T, ctx context.Context, what, sel string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](focusIs(sel), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("%s: focus never reached %s; it is on %s", what, sel, evalJS[string](t, ctx, activeDesc))
	}
}

// contrast is the WCAG contrast ratio of two computed colours, rgb(r, g, b).
func contrast(t *testing.T, a, b string) float64 {
	t.Helper()
	lum := func(c string) float64 {
		var r, g, bl float64
		if _, err := fmt.Sscanf(strings.ReplaceAll(c, " ", ""), "rgb(%g,%g,%g)", &r, &g, &bl); err != nil {
			t.Fatalf("colour %q: %v", c, err)
		}
		ch := func(v float64) float64 {
			v /= 255
			if v <= 0.03928 {
				return v / 12.92
			}
			return math.Pow((v+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(bl)
	}
	la, lb := lum(a), lum(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

// TestBrowserKeyboardAndAccessibility: issue 18, items 1–6.
func TestBrowserKeyboardAndAccessibility(t *testing.T) {
	// A webhook that answers when told to: the run is seen running, then
	// successful.
	release := make(chan struct{})
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hook.Close()
	released := false
	defer func() {
		if !released {
			close(release)
		}
	}()

	s := startServer(t, filepath.Join(t.TempDir(), "a11y.db"), map[string]string{"SWITCHBOARD_ADMIN_PASSWORD": adminPassword})
	const job = "aa_hook"
	body := `{"id":"` + job + `","name":"A hook","kind":"webhook","config":{"url":"` + hook.URL + `/ping","method":"POST"},"trigger":"interval","hours":1}`
	if status, m := s.call(t, "POST", "/api/scheduler/jobs", body); status != 201 {
		t.Fatalf("create the webhook job: %d %v", status, m)
	}
	a := newBrowser(t, desktop)
	signInBrowser(t, a, s.url, "admin", adminPassword)

	// No provider yet: Settings says so with a link inside a sentence.
	do(t, a, "settings with no provider", chromedp.Navigate(s.url+"/settings"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=active-provider-form]`)))
	audit(t, a, "settings with no provider")
	do(t, a, "users", chromedp.Navigate(s.url+"/users"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=users-table]`)))
	audit(t, a, "users")

	// The skip link is the first stop and leads into the page.
	do(t, a, "the jobs page", chromedp.Navigate(s.url+"/jobs"), chromedp.WaitVisible(chromedp.CSS(`#job-`+job)))
	waitLive(t, a)
	key(t, a, "Tab", kb.Tab)
	waitFocus(t, a, "the first Tab", `[data-testid=skip-link]`)
	if top := evalJS[float64](t, a, `document.querySelector('[data-testid=skip-link]').getBoundingClientRect().top`); top < 0 {
		t.Errorf("the focused skip link is off-screen (top %v)", top)
	}
	key(t, a, "Enter on the skip link", kb.Enter)
	waitFocus(t, a, "the skip link", `main#main`)

	// The focus ring on the dark top bar: 3:1 against it.
	do(t, a, "reload", chromedp.Navigate(s.url+"/jobs"), chromedp.WaitVisible(chromedp.CSS(`#job-`+job)))
	waitLive(t, a)
	tabTo(t, a, `.topbar nav a`)
	ring := evalJS[string](t, a, `getComputedStyle(document.activeElement).outlineColor`)
	style := evalJS[string](t, a, `getComputedStyle(document.activeElement).outlineStyle`)
	bar := evalJS[string](t, a, `getComputedStyle(document.querySelector('.topbar')).backgroundColor`)
	if c := contrast(t, ring, bar); style == "none" || c < 3 {
		t.Errorf("the focus ring on the top bar is %s %s on %s: %.2f:1, want 3:1", style, ring, bar, c)
	}

	// Pause, resume and run with the keyboard alone; after each swap focus
	// is on the row's successor control.
	row := `#job-` + job
	tabTo(t, a, row+` [data-testid=pause-open]`)
	key(t, a, "Enter on Pause…", kb.Enter)
	waitFocus(t, a, "the open pause menu", row+` [data-testid=pause-reason]`)
	key(t, a, "type a reason", "keyboard maintenance")
	key(t, a, "Enter in the reason", kb.Enter)
	waitJS(t, a, "the row to show the pause", rowJS(job, `r.dataset.state === 'paused' && r.textContent.includes('keyboard maintenance')`))
	waitFocus(t, a, "after pausing", row+` [data-testid=resume]`)
	audit(t, a, "jobs with a paused job, focus on Resume")

	key(t, a, "Enter on Resume", kb.Enter)
	waitJS(t, a, "the row to show the resume", rowJS(job, `r.dataset.state === 'scheduled'`))
	waitFocus(t, a, "after resuming", row+` [data-testid=pause-open]`)

	key(t, a, "Tab to Run now", kb.Tab)
	waitFocus(t, a, "one Tab after Pause…", row+` [data-testid=run-now]`)
	key(t, a, "Enter on Run now", kb.Enter)
	// While the run lasts Run now is disabled: focus holds the row.
	waitJS(t, a, "the row to show the run", rowJS(job, `r.dataset.state === 'running'`))
	waitFocus(t, a, "while the run lasts", row)
	audit(t, a, "jobs with a running job, focus on its row")
	close(release)
	released = true
	waitJS(t, a, "the run's success", rowJS(job, `r.dataset.state === 'scheduled' && r.dataset.lastStatus === 'success'`))
	waitFocus(t, a, "after the run", row+` [data-testid=run-now]`)
	audit(t, a, "jobs after a successful run")
	key(t, a, "Tab after the run", kb.Tab)
	waitFocus(t, a, "the next Tab", row+` [data-testid=edit]`)
	// A live update replaces the row under the operator's focus: it stays
	// on the same control of the new row.
	if status, m := s.call(t, "POST", "/api/scheduler/jobs/"+job+"/pause", `{"reason":"paused elsewhere"}`); status != 200 {
		t.Fatalf("pause over the API: %d %v", status, m)
	}
	waitJS(t, a, "the live pause", rowJS(job, `r.dataset.state === 'paused'`))
	waitFocus(t, a, "after a live update of the row", row+` [data-testid=edit]`)

	// The job's own page keeps focus the same way.
	summary := `#job-summary-` + job
	do(t, a, "the job's page", chromedp.Navigate(s.url+"/jobs/"+job), chromedp.WaitVisible(chromedp.CSS(summary)))
	waitLive(t, a)
	tabTo(t, a, summary+` [data-testid=resume]`)
	key(t, a, "Enter on the page's Resume", kb.Enter)
	waitJS(t, a, "the page to show the resume", `document.querySelector('`+summary+`').dataset.state === 'scheduled'`)
	waitFocus(t, a, "after resuming on the job's page", summary+` [data-testid=pause-open]`)

	// A server-side error names its field to a screen reader.
	expectConsole(t, a, "status of 422 (Unprocessable Entity)") // the refusal, on purpose
	do(t, a, "a webhook job with a bad URL", chromedp.Navigate(s.url+"/jobs/new"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=job-form]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=job-id]`), "bad_hook"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=job-name-input]`), "Bad hook"),
		chromedp.SetValue(chromedp.CSS(`[data-testid=job-kind]`), "webhook"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=job-url]`), "ftp://example.com/"),
		chromedp.Click(chromedp.CSS(`[data-testid=save-job]`)))
	waitJS(t, a, "the URL's error", `!!document.querySelector('#error-config')`)
	if got := evalJS[string](t, a, `(() => { const u = document.querySelector('[data-testid=job-url]'); return u.getAttribute('aria-invalid') + ' ' + u.getAttribute('aria-describedby'); })()`); got != "true error-config" {
		t.Errorf("the URL field after its error: aria-invalid, aria-describedby = %q", got)
	}
	audit(t, a, "a new job with an error")

	// On a phone the table is cards: each value says its column.
	do(t, a, "a phone", chromedp.EmulateViewport(phone.width, phone.height), chromedp.Navigate(s.url+"/jobs"), chromedp.WaitVisible(chromedp.CSS(row)))
	waitLive(t, a)
	unlabelled := evalJS[string](t, a, `(() => {
		const out = [], heads = [...document.querySelectorAll('#jobs-table thead th')].map(h => h.textContent.trim());
		document.querySelectorAll('#jobs-body tr[data-job-id]').forEach(r => [...r.cells].forEach((td, i) => {
			// Actions and the name say what they are; a selection box says
			// which job it selects (its aria-label).
			if (td.classList.contains('actions') || td.dataset.testid === 'job-name') return;
			if (td.classList.contains('select')) {
				const box = td.querySelector('input[type=checkbox]');
				if (!box || !(box.getAttribute('aria-label') || '').startsWith('Select ')) out.push(r.id + ' cell ' + i + ': a selection box without its job');
				return;
			}
			const before = getComputedStyle(td, '::before').content;
			if (td.dataset.label !== heads[i] || !before.includes('attr(data-label)') && !before.includes(heads[i])) out.push(r.id + ' cell ' + i + ' (' + heads[i] + '): label ' + td.dataset.label + ', ::before ' + before);
		}));
		return out.join('; ');
	})()`)
	if unlabelled != "" {
		t.Errorf("on a phone, values without their column's label: %s", unlabelled)
	}
	audit(t, a, "jobs at 390 px")
}
