// Operator tools on jobs in Debian's Chromium (issue 13):
//
//	test                   guards
//	TestBrowserJobsBulk    two rows selected and paused with one reason in A show paused with that reason in B, live; the bar follows the selection
//	TestBrowserJobsResume  resuming a job whose pause skipped runs asks first, says how many, and "Run once now" starts one manual run
//	TestBrowserJobHistory  a job's page lists its changes, newest first; "Restore this schedule" sets the old schedule again

package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// createJob creates a prompt job over the API.
func (s server) createJob(t *testing.T, id, schedule string) {
	t.Helper()
	body := `{"id":"` + id + `","name":"` + id + `","kind":"prompt","config":{"prompt":"hi"},` + schedule + `}`
	if status, m := s.call(t, "POST", "/api/scheduler/jobs", body); status != 201 {
		t.Fatalf("create %s: %d %v", id, status, m)
	}
}

func TestBrowserJobsBulk(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "e2e.db"), map[string]string{"SWITCHBOARD_ADMIN_PASSWORD": adminPassword})
	for _, id := range []string{"bulk_a", "bulk_b", "bulk_c"} {
		s.createJob(t, id, `"trigger":"interval","hours":1`)
	}
	a, b := newBrowser(t, desktop), newBrowser(t, desktop)
	signInBrowser(t, a, s.url, "admin", adminPassword)
	signInBrowser(t, b, s.url, "admin", adminPassword)
	waitLive(t, a)
	waitLive(t, b)

	if evalJS[bool](t, a, `document.querySelector('[data-testid=bulk-bar]').hidden`) != true {
		t.Error("the bulk bar shows with nothing selected")
	}
	do(t, a, "select two rows",
		chromedp.Click(chromedp.CSS(`#job-bulk_a [data-testid=job-select]`)),
		chromedp.Click(chromedp.CSS(`#job-bulk_b [data-testid=job-select]`)))
	waitJS(t, a, "the bar to count two", `(() => { const b = document.querySelector('[data-testid=bulk-bar]');
		return !b.hidden && b.querySelector('[data-testid=bulk-count]').textContent === '2 jobs selected'; })()`)
	do(t, a, "give a reason and a duration",
		chromedp.SendKeys(chromedp.CSS(`[data-testid=bulk-reason]`), "bulk e2e window"),
		chromedp.SetValue(chromedp.CSS(`[data-testid=bulk-duration]`), "4h"))
	screenshot(t, a, "13-jobs-bulk")
	do(t, a, "pause the selected", chromedp.Click(chromedp.CSS(`[data-testid=bulk-pause]`)))
	paused := func(id string) string {
		return rowJS(id, `r.dataset.state === 'paused' && r.querySelector('[data-testid=paused-reason]').textContent === 'bulk e2e window'`)
	}
	for _, id := range []string{"bulk_a", "bulk_b"} {
		waitJS(t, a, "A to show "+id+" paused", paused(id))
		waitJS(t, b, "B to show "+id+" paused, live", paused(id))
	}
	waitJS(t, a, "the selection to clear and the bar to hide", `document.querySelectorAll('#jobs-body [data-testid=job-select]:checked').length === 0 && document.querySelector('[data-testid=bulk-bar]').hidden`)
	if evalJS[bool](t, b, rowJS("bulk_c", `r.dataset.state === 'paused'`)) {
		t.Error("a job not selected was paused")
	}
	for _, id := range []string{"bulk_a", "bulk_b"} {
		if _, m := s.call(t, "GET", "/api/scheduler/jobs/"+id, ""); m["paused_reason"] != "bulk e2e window" || m["paused_until"] == nil || m["version"] != float64(2) {
			t.Errorf("%s after the bulk pause: %v", id, m)
		}
	}

	// Select all, then resume: both paused jobs come back, the third was
	// never paused and stays as it is.
	do(t, a, "select every row", chromedp.Click(chromedp.CSS(`[data-testid=select-all]`)))
	waitJS(t, a, "every row selected", `[...document.querySelectorAll('#jobs-body [data-testid=job-select]')].every(b => b.checked)`)
	do(t, a, "resume the selected", chromedp.Click(chromedp.CSS(`[data-testid=bulk-resume]`)))
	for _, id := range []string{"bulk_a", "bulk_b"} {
		waitJS(t, b, "B to show "+id+" resumed", rowJS(id, `r.dataset.state === 'scheduled'`))
	}
	waitJS(t, a, "the selection to clear", `document.querySelectorAll('#jobs-body [data-testid=job-select]:checked').length === 0`)

	// A selected row changed elsewhere stays selected, and carries the new
	// version: the bulk action acts on what the operator now sees.
	do(t, a, "select bulk_c", chromedp.Click(chromedp.CSS(`#job-bulk_c [data-testid=job-select]`)))
	if status, m := s.call(t, "POST", "/api/scheduler/jobs/bulk_c/pause", `{"reason":"paused elsewhere"}`); status != 200 {
		t.Fatalf("pause bulk_c: %d %v", status, m)
	}
	waitJS(t, a, "bulk_c paused live and still selected", rowJS("bulk_c",
		`r.dataset.state === 'paused' && r.querySelector('[data-testid=job-select]').checked && r.querySelector('[data-testid=job-select]').value === 'bulk_c:' + r.dataset.version`))
	waitJS(t, a, "the bar to count one", `document.querySelector('[data-testid=bulk-count]').textContent === '1 job selected'`)
	do(t, a, "resume the selected", chromedp.Click(chromedp.CSS(`[data-testid=bulk-resume]`)))
	waitJS(t, a, "bulk_c resumed", rowJS("bulk_c", `r.dataset.state === 'scheduled'`))
	if n := evalJS[int](t, a, `document.querySelectorAll('[data-testid=bulk-problem]').length`); n != 0 {
		t.Errorf("%d problems reported for a selection that followed the change", n)
	}
	fitsWidth(t, a, "/jobs")
}

func TestBrowserJobsResume(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "e2e.db"), map[string]string{"SWITCHBOARD_ADMIN_PASSWORD": adminPassword})
	// Every 2 seconds: a pause skips runs within the test's patience.
	s.createJob(t, "tick", `"trigger":"interval","seconds":2`)
	if status, m := s.call(t, "POST", "/api/scheduler/jobs/tick/pause", `{"reason":"resume e2e"}`); status != 200 {
		t.Fatalf("pause: %d %v", status, m)
	}
	manualRuns := func() int {
		_, m := s.call(t, "GET", "/api/scheduler/history?job_id=tick&limit=200", "")
		n := 0
		for _, r := range m["history"].([]any) {
			if r.(map[string]any)["source"] == "manual" {
				n++
			}
		}
		return n
	}
	a := newBrowser(t, desktop)
	signInBrowser(t, a, s.url, "admin", adminPassword)
	waitLive(t, a)
	waitJS(t, a, "two runs skipped by the pause", rowJS("tick",
		`Date.now() > Date.parse(r.querySelector('form[data-missed-after]').dataset.missedAfter) + 2500`))
	do(t, a, "resume", chromedp.Click(chromedp.CSS(`#job-tick [data-testid=resume]`)))
	waitJS(t, a, "the dialog", `!!document.querySelector('#resume-dialog[open]')`)
	missed := evalJS[int](t, a, `parseInt(document.querySelector('[data-testid=missed-count]').dataset.count, 10)`)
	text := evalJS[string](t, a, `document.querySelector('[data-testid=resume-missed]').textContent.replace(/\s+/g, ' ')`)
	if missed < 2 || !strings.Contains(text, fmt.Sprintf("missed %d scheduled runs", missed)) {
		t.Errorf("the dialog says %q (count %d), want at least 2 missed", text, missed)
	}
	if evalJS[string](t, a, `document.activeElement.dataset.testid || ''`) == "" {
		t.Error("the dialog took no focus")
	}
	if n := manualRuns(); n != 0 {
		t.Fatalf("%d manual runs before the answer", n)
	}
	do(t, a, "run once now", chromedp.Click(chromedp.CSS(`[data-testid=resume-run-once]`)))
	waitJS(t, a, "the dialog to close", `!document.querySelector('#resume-dialog')`)
	waitJS(t, a, "the row to show it resumed", rowJS("tick", `r.dataset.state !== 'paused'`))
	waitJS(t, a, "the toast", `[...document.querySelectorAll('[data-testid=toast]')].some(t => t.textContent.includes('started one run'))`)
	if n := manualRuns(); n != 1 {
		t.Errorf("%d manual runs after \"Run once now\", want 1", n)
	}
	// Quiet again for the rest of the run.
	if status, m := s.call(t, "POST", "/api/scheduler/jobs/tick/pause", ""); status != 200 {
		t.Fatalf("pause: %d %v", status, m)
	}
	waitJS(t, a, "the row paused again", rowJS("tick", `r.dataset.state === 'paused'`))
}

func TestBrowserJobHistory(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "e2e.db"), map[string]string{"SWITCHBOARD_ADMIN_PASSWORD": adminPassword})
	s.createJob(t, "hist", `"trigger":"cron","hour":7,"minute":15`)
	if status, m := s.call(t, "PUT", "/api/scheduler/jobs/hist/schedule", `{"trigger":"interval","minutes":30}`); status != 200 {
		t.Fatalf("reschedule: %d %v", status, m)
	}
	a := newBrowser(t, desktop)
	signInBrowser(t, a, s.url, "admin", adminPassword)
	do(t, a, "open the job", chromedp.Navigate(s.url+"/jobs/hist"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=job-history]`)))
	waitLive(t, a)
	got := evalJS[[]string](t, a, `[...document.querySelectorAll('[data-testid=history-entry]')].map(e => e.dataset.action)`)
	if fmt.Sprint(got) != "[job.reschedule job.create]" {
		t.Fatalf("history %v, want the reschedule, then the creation", got)
	}
	change := evalJS[string](t, a, `document.querySelector('[data-testid=history-entry] [data-field=Schedule] dd').textContent.replace(/\s+/g, ' ').trim()`)
	if change != "Daily at 07:15 → Every 30 minutes" {
		t.Errorf("the reschedule reads %q", change)
	}
	screenshot(t, a, "14-job-history")
	do(t, a, "restore the first schedule", chromedp.Click(chromedp.CSS(`[data-action="job.create"] [data-testid=restore-schedule]`)))
	waitJS(t, a, "the restore at the top of the history", `(() => {
		const e = document.querySelector('[data-testid=history-entry]');
		return e.dataset.action === 'job.reschedule' && e.querySelector('[data-testid=history-actor]').textContent === 'admin';
	})()`)
	waitJS(t, a, "the toast", `[...document.querySelectorAll('[data-testid=toast]')].some(t => t.textContent.includes('again'))`)
	if _, m := s.call(t, "GET", "/api/scheduler/jobs/hist", ""); m["trigger"] != "cron" || m["version"] != float64(3) {
		t.Errorf("after restore: %v v%v", m["schedule"], m["version"])
	}
	fitsWidth(t, a, "/jobs/hist")
}
