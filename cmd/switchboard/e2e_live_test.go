// Live updates and feedback in Chromium (issue 13, items 1, 2, 7 and 10).
//
//	test                         guards
//	TestBrowserLiveRuns          a finished run appears at once in the job page's Recent runs and on History (item 1); the announcer says it and stays visually hidden (item 2)
//	TestBrowserLiveQuietConsole  every kind of change reaches every live page without a console error, whatever the page lacks (item 7); the new-job id pattern compiles and marks a bad id invalid; the schedule editor's preview requests are never aborted
//	TestBrowserLiveFeedback      toasts clear of the action column; "Run now" says a skip and why; create and delete toast; a running clock ticks each second; a job created elsewhere lands in sorted order (item 10)

package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// trigger runs a job now through the API.
func trigger(t *testing.T, s server, job string) {
	t.Helper()
	if status, m := s.call(t, "POST", "/api/scheduler/jobs/"+job+"/trigger", ""); status/100 != 2 {
		t.Fatalf("trigger %s: %d %v", job, status, m)
	}
}

// apiOK makes an API call that must succeed.
func apiOK(t *testing.T, s server, method, path, body string) {
	t.Helper()
	if status, m := s.call(t, method, path, body); status/100 != 2 {
		t.Fatalf("%s %s: %d %v", method, path, status, m)
	}
}

// createJob creates a prompt job through the API.
func createJob(t *testing.T, s server, id, name string) {
	t.Helper()
	apiOK(t, s, "POST", "/api/scheduler/jobs", fmt.Sprintf(`{"id":%q,"name":%q,"kind":"prompt","config":{"prompt":"hi"},"trigger":"interval","hours":1}`, id, name))
}

// providerID is the id the API gives a configured provider.
func providerID(t *testing.T, s server, name string) string {
	t.Helper()
	_, m := s.call(t, "GET", "/api/settings/ai-providers", "")
	list, _ := m["data"].([]any)
	for _, p := range list {
		if p, _ := p.(map[string]any); p["name"] == name && p["id"] != nil {
			return fmt.Sprint(p["id"])
		}
	}
	t.Fatalf("no configured provider %s in %v", name, m)
	return ""
}

// noRunsYet is true when no "No runs yet." shows beside a table of runs.
const noRunsYet = `[...document.querySelectorAll('.table-wrap .empty')].every(e => e.offsetParent === null)`

func TestBrowserLiveRuns(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "live.db"), map[string]string{"SWITCHBOARD_ADMIN_PASSWORD": adminPassword})
	const job = "technical_monitor"
	a, b := newBrowser(t, desktop), newBrowser(t, desktop)
	signInBrowser(t, a, s.url, "admin", adminPassword)
	signInBrowser(t, b, s.url, "admin", adminPassword)
	do(t, a, "the job's page", chromedp.Navigate(s.url+"/jobs/"+job), chromedp.WaitVisible(chromedp.CSS(`[data-testid=job-summary]`)))
	do(t, b, "history", chromedp.Navigate(s.url+"/history"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=runs-table]`)))
	waitLive(t, a)
	waitLive(t, b)
	if n := evalJS[int](t, a, `document.querySelectorAll('#runs-`+job+` tr').length`); n != 0 {
		t.Fatalf("a fresh job shows %d runs", n)
	}

	for i := 1; i <= 2; i++ {
		trigger(t, s, job)
		waitJS(t, a, fmt.Sprintf("run %d in Recent runs", i), fmt.Sprintf(`document.querySelectorAll('#runs-%s tr').length === %d`, job, i))
		waitJS(t, b, fmt.Sprintf("run %d on History", i), fmt.Sprintf(`document.querySelectorAll('#history-live tr').length === %d`, i))
	}
	waitJS(t, a, "the newest run on top, with its status", `document.querySelector('#runs-`+job+` tr').textContent.includes('skipped')`)
	waitJS(t, b, "the run's job named on History", `document.querySelector('#history-live tr').textContent.includes('Technical')`)
	waitJS(t, a, "no 'No runs yet.' beside the runs", noRunsYet)
	waitJS(t, b, "no 'No runs yet.' on History", noRunsYet)

	// Item 2: the announcer said so, and is still for screen readers only.
	for name, ctx := range map[string]context.Context{"job page": a, "history": b} {
		waitJS(t, ctx, "the announcement on the "+name, `document.getElementById('live-announcer').textContent.includes('finished: skipped')`)
		if bad := evalJS[string](t, ctx, announcerHidden); bad != "" {
			t.Errorf("the announcer on the %s after a live event: %s", name, bad)
		}
	}
	screenshot(t, a, "live-01-job-runs")
	screenshot(t, b, "live-02-history")
}

// announcerHidden is "" while the page has one announcer, a polite status
// region no bigger than a pixel.
const announcerHidden = `(() => {
	const all = document.querySelectorAll('#live-announcer');
	if (all.length !== 1) return all.length + ' announcers';
	const e = all[0], r = e.getBoundingClientRect(), cs = getComputedStyle(e);
	if (e.getAttribute('role') !== 'status' || e.getAttribute('aria-live') !== 'polite') return 'no longer a polite status region';
	if (r.width > 1 || r.height > 1 || cs.position !== 'absolute' || cs.overflow !== 'hidden') return 'visible, ' + r.width + 'x' + r.height + ' ' + cs.position;
	return '';
})()`

func TestBrowserLiveQuietConsole(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "quiet.db"), map[string]string{"SWITCHBOARD_ADMIN_PASSWORD": adminPassword})
	const job = "technical_monitor"
	c := newBrowser(t, desktop)
	signInBrowser(t, c, s.url, "admin", adminPassword)

	// Every kind of change, on every live page: each page lacks the targets
	// of most of them, and the harness fails the test on any console error.
	providers := []struct{ name, display string }{{"openai", "OpenAI"}, {"anthropic", "Anthropic"}}
	ids := map[string]string{}
	for i, p := range providers {
		apiOK(t, s, "POST", "/api/settings/ai-provider", fmt.Sprintf(`{"provider":%q,"api_key":"sk-quiet-%d111"}`, p.name, i))
		ids[p.name] = providerID(t, s, p.name)
	}
	pages := []struct{ path, sel string }{
		{"/jobs", `[data-testid=jobs-table]`},
		{"/jobs/" + job, `[data-testid=job-summary]`},
		{"/jobs/morning_briefing", `[data-testid=job-summary]`},
		{"/history", `[data-testid=runs-table]`},
		{"/history?job=" + job, `[data-testid=runs-table]`},
		{"/settings", `[data-testid=active-provider-form]`},
		{"/providers", `[data-testid=provider-card]`},
	}
	for i, p := range pages {
		do(t, c, "open "+p.path, chromedp.Navigate(s.url+p.path), chromedp.WaitVisible(chromedp.CSS(p.sel)))
		waitLive(t, c)
		id := fmt.Sprintf("q_%d", i)
		createJob(t, s, id, "Quiet "+id)
		trigger(t, s, job)
		apiOK(t, s, "POST", "/api/scheduler/jobs/"+job+"/pause", `{"reason":"quiet"}`)
		apiOK(t, s, "POST", "/api/scheduler/jobs/"+job+"/resume", "")
		apiOK(t, s, "PUT", "/api/settings/history.retention_days", fmt.Sprintf(`{"value":"%d"}`, 30+i))
		apiOK(t, s, "DELETE", "/api/scheduler/jobs/"+id, "")
		// The last change names the provider made active: once the page
		// says so, it has taken every change before it.
		p := providers[i%2]
		apiOK(t, s, "POST", "/api/settings/ai-provider/"+ids[p.name]+"/activate", "")
		waitJS(t, c, "the page to take the changes", `document.getElementById('live-announcer').textContent === 'Active AI provider: `+p.display+`.'`)
	}

	// The new-job form checks the id in the browser: its pattern compiles.
	do(t, c, "the new-job form", chromedp.Navigate(s.url+"/jobs/new"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=job-id]`)))
	do(t, c, "type a bad id", chromedp.SendKeys(chromedp.CSS(`[data-testid=job-id]`), "bad id!"))
	waitJS(t, c, "the id marked invalid", `(() => { const e = document.querySelector('[data-testid=job-id]'); return e.validity.patternMismatch && e.matches(':invalid'); })()`)
	do(t, c, "type a good id", chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=job-id]').value = ''`), chromedp.SendKeys(chromedp.CSS(`[data-testid=job-id]`), "Good_id-2"))
	waitJS(t, c, "the id valid", `document.querySelector('[data-testid=job-id]').checkValidity()`)

	// Typing in the schedule editor: changes come faster than the preview
	// answers (two in one moment), and none is aborted with an error.
	do(t, c, "open the job", chromedp.Navigate(s.url+"/jobs/"+job), chromedp.WaitVisible(chromedp.CSS(`[data-testid=schedule-editor]`)))
	do(t, c, "choose cron", chromedp.Click(chromedp.CSS(`[data-testid=mode-cron]`)))
	do(t, c, "type an hour and a minute", chromedp.SendKeys(chromedp.CSS(`[data-testid=cron-hour]`), "4"), chromedp.SendKeys(chromedp.CSS(`[data-testid=cron-minute]`), "15"))
	do(t, c, "change twice at once", chromedp.Evaluate[chromedp.Void](`(() => {
		const h = document.querySelector('[data-testid=cron-hour]');
		h.value = '5'; h.dispatchEvent(new Event('change', { bubbles: true }));
		h.value = '6'; h.dispatchEvent(new Event('change', { bubbles: true }));
	})()`))
	waitJS(t, c, "the preview of the last change", `(document.querySelector('[data-testid=preview-describe]') || {}).textContent.includes('06:')`)
}

func TestBrowserLiveFeedback(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	s := startServer(t, filepath.Join(t.TempDir(), "feedback.db"), map[string]string{"SWITCHBOARD_ADMIN_PASSWORD": adminPassword})
	// Enough rows to fill the screen: a toast lands over some of them.
	for i := range 25 {
		createJob(t, s, fmt.Sprintf("f_%02d", i), fmt.Sprintf("Filler %02d", i))
	}
	apiOK(t, s, "POST", "/api/scheduler/jobs", fmt.Sprintf(`{"id":"slow_hook","name":"Slow hook","kind":"webhook","config":{"url":%q,"method":"GET"},"trigger":"interval","hours":1}`, slow.URL))
	a := newBrowser(t, desktop)
	signInBrowser(t, a, s.url, "admin", adminPassword)
	waitLive(t, a)

	// Run now of a job that is skipped at once says so, and why.
	const job = "technical_monitor"
	do(t, a, "run now", chromedp.Click(chromedp.CSS(`#job-`+job+` [data-testid=run-now]`)))
	waitJS(t, a, "the toast", `!!document.querySelector('[data-testid=toast]')`)
	toast := evalJS[string](t, a, `document.querySelector('[data-testid=toast]').textContent`)
	if want := "Technical Monitor was skipped: "; len(toast) <= len(want) || toast[:len(want)] != want {
		t.Errorf("run now of a job skipped at once: toast %q, want %q and the reason", toast, want+"…")
	}
	toastClear(t, a, "the jobs page")
	screenshot(t, a, "live-03-run-now-toast")

	// A running job's clock moves every second.
	trigger(t, s, "slow_hook")
	waitJS(t, a, "the running clock", rowJS("slow_hook", `r.dataset.state === 'running' && /^for \d+s$/.test(r.querySelector('[data-since]').textContent)`))
	do(t, a, "watch the clock", chromedp.Evaluate[chromedp.Void](`(() => {
		window.seenClock = new Set();
		setInterval(() => { const e = document.querySelector('#job-slow_hook [data-since]'); if (e) seenClock.add(e.textContent); }, 100);
	})()`))
	if _, err := chromedp.Run(a, chromedp.Poll[chromedp.Void](`window.seenClock.size >= 4`, chromedp.WithPollingTimeout(4500*time.Millisecond))); err != nil {
		t.Errorf("the running clock showed only %v in 4.5 s, want a new second each second", evalJS[[]string](t, a, `[...window.seenClock]`))
	}

	// A job created elsewhere takes its place in the table's order, the
	// order a reload shows.
	createJob(t, s, "m_sorted", "Aardvark (sorted by id)")
	waitJS(t, a, "the new job's row", rowJS("m_sorted", `true`))
	live := evalJS[string](t, a, `[...document.querySelectorAll('#jobs-body tr[data-job-id]')].map(r => r.dataset.jobId).join(' ')`)
	do(t, a, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#job-m_sorted`)))
	if reloaded := evalJS[string](t, a, `[...document.querySelectorAll('#jobs-body tr[data-job-id]')].map(r => r.dataset.jobId).join(' ')`); live != reloaded {
		t.Errorf("rows live:\n %s\nafter a reload:\n %s", live, reloaded)
	}

	// Create and delete say what they did on the page they land on.
	do(t, a, "new job", chromedp.Navigate(s.url+"/jobs/new"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=job-form]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=job-id]`), "toasted"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=job-name-input]`), "Toasted job"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=job-prompt]`), "hello"),
		chromedp.Click(chromedp.CSS(`[data-testid=save-job]`)),
		chromedp.WaitVisible(chromedp.CSS(`#job-summary-toasted`)))
	waitJS(t, a, "the created toast on the job's page", `location.pathname === '/jobs/toasted' && [...document.querySelectorAll('[data-testid=toast]')].some(e => e.textContent === 'Created Toasted job.')`)
	toastClear(t, a, "the job's page")
	do(t, a, "delete it", chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`), chromedp.Click(chromedp.CSS(`[data-testid=delete-job]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=jobs-table]`)))
	waitJS(t, a, "the deleted toast on the jobs page", `location.pathname === '/jobs' && [...document.querySelectorAll('[data-testid=toast]')].some(e => e.textContent === 'Deleted Toasted job.')`)
	toastClear(t, a, "the jobs page after a delete")
	do(t, a, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-testid=jobs-table]`)))
	if n := evalJS[int](t, a, `document.querySelectorAll('[data-testid=toast]').length`); n != 0 {
		t.Errorf("a reload shows the delete's toast again (%d toasts)", n)
	}
}

// toastClear fails unless every toast shown is clear of every action
// button, wherever the page is scrolled to (the toasts stay put).
func toastClear(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	over := evalJS[string](t, ctx, `(() => {
		const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
		const toasts = [...document.querySelectorAll('[data-testid=toast]')];
		if (!toasts.length) return 'no toast to check';
		const was = scrollY, maxY = document.documentElement.scrollHeight - innerHeight;
		try {
			for (let y = 0; ; y = Math.min(y + 50, maxY)) {
				scrollTo(0, y);
				const actions = [...document.querySelectorAll('td.actions .btn, .summary .actions .btn')];
				if (!actions.length) return 'no action buttons to check';
				for (const t of toasts) for (const e of actions) {
					if (hit(t.getBoundingClientRect(), e.getBoundingClientRect())) {
						return '"' + t.textContent + '" covers ' + e.textContent.trim() + ' of ' + (e.closest('[data-job-id]') || e.closest('section')).id + ' scrolled to ' + y;
					}
				}
				if (y >= maxY) return '';
			}
		} finally {
			scrollTo(0, was);
		}
	})()`)
	if over != "" {
		t.Errorf("a toast on %s: %s", page, over)
	}
}
