// The overview (the home page) and a run's page in Chromium, against the
// whole program.
//
//	test                       guards
//	TestBrowserOverviewAndRun  the overview follows, without reload, a job created, paused and resumed through the API and a run that fails; its failure links to the run's page, which shows the error; Retry runs the job again and opens the new run, a retry of the first; both pages fit a phone

package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestBrowserOverviewAndRun(t *testing.T) {
	// The hook fails; the second call (the retry) waits for the test, so
	// its page is seen running first.
	var calls atomic.Int32
	hold := make(chan struct{})
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 2 {
			select {
			case <-hold:
			case <-r.Context().Done():
			}
		}
		http.Error(w, "upstream <b>down</b>", http.StatusBadGateway)
	}))
	defer hook.Close()
	released := false
	release := func() {
		if !released {
			released = true
			close(hold)
		}
	}
	defer release()
	s := startServer(t, filepath.Join(t.TempDir(), "e2e.db"), map[string]string{"SWITCHBOARD_ADMIN_PASSWORD": adminPassword})
	a := newBrowser(t, desktop)
	signInBrowser(t, a, s.url, "admin", adminPassword)
	do(t, a, "open the overview", chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=overview]`)))
	waitLive(t, a)
	waitJS(t, a, "Overview to be the current page", `document.querySelector('nav a[aria-current=page]').textContent === 'Overview'`)
	waitJS(t, a, "the chart drawn as SVG", `document.querySelectorAll('[data-testid=runs-chart] svg [data-testid=hour]').length === 24`)
	before := evalJS[string](t, a, `document.querySelector('[data-testid=runs-chart]').dataset.total`)

	const job = "e2e_hook"
	body := fmt.Sprintf(`{"id":%q,"name":"E2E hook","kind":"webhook","config":{"url":%q},"trigger":"interval","hours":1}`, job, hook.URL)
	if status, m := s.call(t, "POST", "/api/scheduler/jobs", body); status != 201 {
		t.Fatalf("create: %d %v", status, m)
	}
	waitJS(t, a, "the new job among the next runs", `!!document.querySelector('[data-testid=next-run][data-job-id=`+job+`]')`)

	if status, m := s.call(t, "POST", "/api/scheduler/jobs/"+job+"/pause", `{"reason":"e2e overview pause"}`); status != 200 {
		t.Fatalf("pause: %d %v", status, m)
	}
	waitJS(t, a, "the pause with its reason", `(() => {
		const p = document.querySelector('[data-testid=paused-job][data-job-id=`+job+`]');
		return !!p && p.textContent.includes('e2e overview pause') && !document.querySelector('[data-testid=next-run][data-job-id=`+job+`]');
	})()`)
	if status, m := s.call(t, "POST", "/api/scheduler/jobs/"+job+"/resume", ""); status != 200 {
		t.Fatalf("resume: %d %v", status, m)
	}
	waitJS(t, a, "the resume", `!document.querySelector('[data-testid=paused-job][data-job-id=`+job+`]')`)

	if status, m := s.call(t, "POST", "/api/scheduler/jobs/"+job+"/trigger", ""); status != 202 && status != 200 {
		t.Fatalf("trigger: %d %v", status, m)
	}
	waitJS(t, a, "the failed run among the failures and in the chart", `(() => {
		const f = document.querySelector('[data-testid=failure] a[data-testid=failure-link]');
		return !!f && f.textContent === 'E2E hook' && Number(document.querySelector('[data-testid=runs-chart]').dataset.total) > `+before+`;
	})()`)
	screenshot(t, a, "11-overview")
	do(t, a, "phone size", chromedp.EmulateViewport(phone.width, phone.height))
	fitsWidth(t, a, "the overview")
	do(t, a, "desktop size", chromedp.EmulateViewport(desktop.width, desktop.height))

	failed := evalJS[string](t, a, `document.querySelector('[data-testid=failure]').dataset.runId`)
	do(t, a, "open the failed run", chromedp.Click(chromedp.CSS(`[data-testid=failure-link]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=run-error]`)))
	waitJS(t, a, "the run page of the failure", `location.pathname === '/runs/`+failed+`' &&
		document.querySelector('[data-testid=run-status]').textContent === 'error' &&
		document.querySelector('[data-testid=run-error]').textContent.includes('502') &&
		document.querySelector('[data-testid=run-source]').textContent.startsWith('manual')`)
	screenshot(t, a, "12-run")
	do(t, a, "phone size", chromedp.EmulateViewport(phone.width, phone.height))
	fitsWidth(t, a, "a run's page")
	do(t, a, "desktop size", chromedp.EmulateViewport(desktop.width, desktop.height))

	do(t, a, "retry", chromedp.Click(chromedp.CSS(`[data-testid=retry]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=run-retry-of]`)))
	waitJS(t, a, "the retry's own page", `location.pathname !== '/runs/`+failed+`' && location.pathname.startsWith('/runs/') &&
		(document.querySelector('[data-testid=run-retry-of]') || {}).textContent === 'run `+failed+`' &&
		document.querySelector('[data-testid=run-triggered-by]').textContent === 'by admin' &&
		document.querySelector('[data-testid=run-status]').textContent === 'running'`)
	waitLive(t, a)
	release()
	waitJS(t, a, "the retry's end, live", `document.querySelector('[data-testid=run-status]').textContent === 'error' &&
		document.querySelector('[data-testid=run-error]').textContent.includes('502') && !document.querySelector('#run-page[data-running]')`)
}
