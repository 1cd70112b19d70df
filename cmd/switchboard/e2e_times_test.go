// The console's times and the schedule editor in Debian's Chromium (issue
// 13, defects 3, 4 and 10's editor part).
//
//	test                        guards
//	TestBrowserTimesNameZones   every <time> on /jobs, a job's page (its preview too), /history, /audit and /users names its zone, to the minute: schedules in the scheduler's, the rest in the browser's, the other on hover

package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// browserZone is the zone the browser runs in, far from the scheduler's
// (America/New_York, the default), so a time shown in the wrong zone, or
// in one unnamed, cannot pass.
const browserZone = "Asia/Tokyo"

func inZone(t *testing.T, ctx context.Context, zone string) {
	t.Helper()
	do(t, ctx, "run the browser in "+zone, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: zone})
		return err
	}))
	if got := evalJS[string](t, ctx, `Intl.DateTimeFormat().resolvedOptions().timeZone`); got != zone {
		t.Fatalf("the browser runs in %s, not %s", got, zone)
	}
}

// timesJS lists what is wrong with the page's times: one unformatted,
// with seconds, or not naming its zone (EST/EDT for the scheduler's,
// GMT+9 for Tokyo's), or without the other zone on hover.
const timesJS = `(() => {
	const bad = [], els = [...document.querySelectorAll('time')];
	if (document.body.dataset.timezone !== 'America/New_York') bad.push('scheduler zone ' + document.body.dataset.timezone);
	for (const e of els) {
		const text = e.textContent, title = e.title || '', sched = e.hasAttribute('data-schedule');
		const what = (e.closest('[data-testid]') || e).dataset.testid + ' ' + JSON.stringify(text) + ' (hover ' + JSON.stringify(title) + ')';
		if (text === e.getAttribute('datetime')) bad.push('unformatted ' + what);
		if (/\d:\d\d:\d\d/.test(text) || /\d:\d\d:\d\d/.test(title)) bad.push('seconds in ' + what);
		if (sched ? !/\b(EST|EDT)$/.test(text) : !/GMT\+9$/.test(text)) bad.push((sched ? 'not in the scheduler\'s zone: ' : 'not in the browser\'s zone: ') + what);
		if (sched ? !/GMT\+9/.test(title) : !/(EST|EDT).*America\/New_York/.test(title)) bad.push('the other zone not on hover: ' + what);
	}
	return {count: els.length, bad};
})()`

type timesReport struct {
	Count int      `json:"count"`
	Bad   []string `json:"bad"`
}

func checkTimes(t *testing.T, ctx context.Context, page string, atLeast int) {
	t.Helper()
	waitJS(t, ctx, "the times of "+page+" to be formatted", `![...document.querySelectorAll('time')].some(e => e.textContent === e.getAttribute('datetime'))`)
	r := evalJS[timesReport](t, ctx, timesJS)
	if r.Count < atLeast {
		t.Errorf("%s shows %d times, want at least %d", page, r.Count, atLeast)
	}
	for _, b := range r.Bad {
		t.Errorf("%s: %s", page, b)
	}
}

// TestBrowserTimesNameZones: the scheduler runs in America/New_York, the
// browser in Asia/Tokyo. Every time names its zone, minutes only.
func TestBrowserTimesNameZones(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "times.db"), map[string]string{"SWITCHBOARD_ADMIN_PASSWORD": adminPassword})
	const job = "technical_monitor"
	// A run for History and the last-run column, a pause with an end for
	// "until", and audit rows.
	if status, m := s.call(t, "POST", "/api/scheduler/jobs/"+job+"/trigger", ""); status != 202 {
		t.Fatalf("trigger: %d %v", status, m)
	}
	until := time.Now().Add(36 * time.Hour).UTC().Format(time.RFC3339)
	if status, m := s.call(t, "POST", "/api/scheduler/jobs/daily_summary/pause", `{"reason":"zones","until":"`+until+`"}`); status != 200 {
		t.Fatalf("pause: %d %v", status, m)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, m := s.call(t, "GET", "/api/scheduler/jobs/"+job, ""); m["last_run_status"] != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the run did not finish")
		}
		time.Sleep(50 * time.Millisecond)
	}

	b := newBrowser(t, desktop)
	inZone(t, b, browserZone)
	signInBrowser(t, b, s.url, "admin", adminPassword)
	checkTimes(t, b, "/jobs", 8)
	if n := evalJS[int](t, b, `document.querySelectorAll('#jobs-body time[data-schedule]').length`); n < 3 {
		t.Errorf("/jobs shows %d next runs", n)
	}
	waitJS(t, b, "a paused-until time", `!!document.querySelector('.paused-until time')`)

	do(t, b, "open the job", chromedp.Navigate(s.url+"/jobs/"+job), chromedp.WaitVisible(chromedp.CSS(`[data-testid=schedule-editor]`)))
	checkTimes(t, b, "/jobs/"+job, 7)
	if n := evalJS[int](t, b, `document.querySelectorAll('[data-testid=preview-run] time[data-schedule]').length`); n != 5 {
		t.Errorf("the preview lists %d runs in the scheduler's zone, want 5", n)
	}
	// A preview the editor fetched as the operator typed is formatted too.
	do(t, b, "type 16:30", chromedp.Click(chromedp.CSS(`[data-testid=mode-cron]`)),
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('[data-testid=cron-hour], [data-testid=cron-minute], [data-testid=cron-dow]').forEach(e => e.value = '')`),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=cron-hour]`), "16"), chromedp.SendKeys(chromedp.CSS(`[data-testid=cron-minute]`), "30"))
	waitJS(t, b, "a 16:30 preview in New York's time", `(() => {
		const r = [...document.querySelectorAll('[data-testid=preview-run] time')];
		return r.length === 5 && r.every(e => /16:30 (EST|EDT)$/.test(e.textContent));
	})()`)
	checkTimes(t, b, "/jobs/"+job+" after typing", 7)
	screenshot(t, b, "times-job-in-tokyo")

	for _, page := range []struct {
		path, sel string
		atLeast   int
	}{{"/history", `[data-testid=runs-table]`, 1}, {"/audit", `[data-testid=audit-table]`, 1}, {"/users", `[data-testid=users-table]`, 1}} {
		do(t, b, "open "+page.path, chromedp.Navigate(s.url+page.path), chromedp.WaitVisible(chromedp.CSS(page.sel)))
		checkTimes(t, b, page.path, page.atLeast)
	}
}
