// The schedule editor in Debian's Chromium: its DST warnings and its
// modes (issue 13, defects 4 and 10).
//
//	test                              guards
//	TestBrowserEditorWarnsOfDST       a once time that does not exist says where it moved, one that happens twice says which it is, a crontab line in the overlap says it runs twice: each as the preview lists
//	TestBrowserEditorModes            the crontab box shows the schedule as it stands when switched to, from cron fields and from an interval
//	TestBrowserEditorRefusalLeavesOnModeSwitch  a refused save's message names the form's labels and wraps in its box; it leaves when the mode changes

package main

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// nextClockChanges returns the next days in loc when clocks go forward and
// back, so the test holds in any year.
func nextClockChanges(t *testing.T, loc *time.Location) (forward, back time.Time) {
	t.Helper()
	offset := func(d time.Time, h int) int {
		_, o := time.Date(d.Year(), d.Month(), d.Day(), h, 0, 0, 0, loc).Zone()
		return o
	}
	d := time.Now().In(loc).AddDate(0, 0, 1)
	for i := 0; i < 800 && (forward.IsZero() || back.IsZero()); i, d = i+1, d.AddDate(0, 0, 1) {
		switch a, b := offset(d, 0), offset(d, 4); {
		case a < b && forward.IsZero():
			forward = d
		case a > b && back.IsZero():
			back = d
		}
	}
	if forward.IsZero() || back.IsZero() {
		t.Fatalf("no clock change in %s within two years", loc)
	}
	return forward, back
}

func createScheduledJob(t *testing.T, s server, id, schedule string) {
	t.Helper()
	body := `{"id":"` + id + `","name":"` + id + `","kind":"prompt","config":{"prompt":"hi"},` + schedule + `}`
	if status, m := s.call(t, "POST", "/api/scheduler/jobs", body); status != 201 {
		t.Fatalf("create %s: %d %v", id, status, m)
	}
}

// setField sets an editor field as a person's typing would end: the value,
// then a change event, on which the preview is asked for.
func setField(testid, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const e = document.querySelector('[data-testid=%s]');
		e.value = %q;
		e.dispatchEvent(new Event('change', {bubbles: true}));
	})()`, testid, value))
}

// TestBrowserEditorWarnsOfDST: the three cases of issue 13's defect 4,
// each warned of in words that agree with the preview beside them.
func TestBrowserEditorWarnsOfDST(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	forward, back := nextClockChanges(t, ny)
	s := startServer(t, filepath.Join(t.TempDir(), "dst.db"), map[string]string{"SWITCHBOARD_ADMIN_PASSWORD": adminPassword})
	createScheduledJob(t, s, "dst_job", `"trigger":"cron","hour":9,"minute":30`)
	b := newBrowser(t, desktop)
	signInBrowser(t, b, s.url, "admin", adminPassword)
	do(t, b, "open the job", chromedp.Navigate(s.url+"/jobs/dst_job"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=schedule-editor]`)))

	// The preview's times are the scheduler's, named: "…03:30 EDT".
	const previewJS = `(() => {
		const w = [...document.querySelectorAll('[data-testid=dst-warning]')].map(e => e.textContent).join(' | ');
		const runs = [...document.querySelectorAll('[data-testid=preview-run] time')].map(e => e.textContent);
		return %s;
	})()`
	do(t, b, "once, in the spring gap", chromedp.Click(chromedp.CSS(`[data-testid=mode-date]`)),
		setField("run-date", forward.Format("2006-01-02")+"T02:30"))
	waitJS(t, b, "a warning that 02:30 does not exist and runs at 03:30 EDT, as the preview lists", fmt.Sprintf(previewJS,
		`w.includes('02:30 does not exist') && w.includes('runs at 03:30 EDT instead') && runs.length === 1 && / 03:30 EDT$/.test(runs[0])`))
	screenshot(t, b, "editor-dst-gap")

	do(t, b, "once, in the autumn overlap", setField("run-date", back.Format("2006-01-02")+"T01:30"))
	waitJS(t, b, "a warning that 01:30 happens twice and which one runs, as the preview lists", fmt.Sprintf(previewJS,
		`w.includes('01:30 happens twice') && w.includes('runs at the first, 01:30 EDT (not 01:30 EST)') && runs.length === 1 && / 01:30 EDT$/.test(runs[0])`))

	do(t, b, "a crontab line in the autumn overlap", chromedp.Click(chromedp.CSS(`[data-testid=mode-crontab]`)),
		setField("cron-expression", fmt.Sprintf("30 1 %d %d *", back.Day(), back.Month())))
	waitJS(t, b, "a warning that it runs twice, as the preview's first two runs", fmt.Sprintf(previewJS,
		`w.includes('01:30 happens twice') && w.includes('runs both times, at 01:30 EDT and again at 01:30 EST') && !w.includes('runs once') &&
		runs.length === 5 && / 01:30 EDT$/.test(runs[0]) && / 01:30 EST$/.test(runs[1]) && runs[0].replace(/ EDT$/, '') === runs[1].replace(/ EST$/, '')`))
	screenshot(t, b, "editor-dst-overlap")
}

// TestBrowserEditorModes: switching modes keeps the editor honest.
func TestBrowserEditorModes(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "modes.db"), map[string]string{"SWITCHBOARD_ADMIN_PASSWORD": adminPassword})
	createScheduledJob(t, s, "modes_job", `"trigger":"cron","hour":9,"minute":30,"day_of_week":"mon-fri"`)
	b := newBrowser(t, desktop)
	signInBrowser(t, b, s.url, "admin", adminPassword)
	do(t, b, "open the job", chromedp.Navigate(s.url+"/jobs/modes_job"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=schedule-editor]`)))
	box := `document.querySelector('[data-testid=cron-expression]').value`
	if got := evalJS[string](t, b, box); got != "30 9 * * 1,2,3,4,5" {
		t.Errorf("the crontab box holds %q, not the job's schedule", got)
	}

	// Edit the fields, then switch: the box follows the fields.
	do(t, b, "hour 16", setField("cron-hour", "16"))
	waitJS(t, b, "a 16:30 preview", `document.querySelector('[data-testid=preview-describe]').textContent.includes('16:30')`)
	do(t, b, "switch to the crontab line", chromedp.Click(chromedp.CSS(`[data-testid=mode-crontab]`)))
	waitJS(t, b, "the box to show 16:30 and its preview to agree", box+` === '30 16 * * 1,2,3,4,5' && document.querySelectorAll('[data-testid=preview-run]').length === 5 && !document.querySelector('[data-testid=preview-error]')`)

	// From an interval: the line that runs as it does.
	do(t, b, "an interval of 15 minutes", chromedp.Click(chromedp.CSS(`[data-testid=mode-interval]`)), chromedp.Click(chromedp.CSS(`[data-preset-every="15"]`)))
	waitJS(t, b, "a 15-minute preview", `(document.querySelector('[data-testid=preview-describe]') || {}).textContent === 'Every 15 minutes'`)
	do(t, b, "switch to the crontab line", chromedp.Click(chromedp.CSS(`[data-testid=mode-crontab]`)))
	waitJS(t, b, "the box to show a quarter-hourly line", `/^(\*|\d+-59)\/15 \* \* \* \*$/.test(`+box+`) && document.querySelectorAll('[data-testid=preview-run]').length === 5`)

}

// TestBrowserEditorRefusalLeavesOnModeSwitch: a refused save says what is
// wrong in the form's words, inside its box; switching to "Once" takes
// the crontab message away. (The refusal is a 422, as style.md wants;
// Chromium logs every 4xx answer as "Failed to load resource", which the
// harness counts as a console error.)
func TestBrowserEditorRefusalLeavesOnModeSwitch(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "refusal.db"), map[string]string{"SWITCHBOARD_ADMIN_PASSWORD": adminPassword})
	createScheduledJob(t, s, "refused_job", `"trigger":"cron","hour":9,"minute":30`)
	b := newBrowser(t, desktop)
	signInBrowser(t, b, s.url, "admin", adminPassword)
	do(t, b, "open the job", chromedp.Navigate(s.url+"/jobs/refused_job"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=schedule-editor]`)))
	expectConsole(t, b, "status of 422 (Unprocessable Entity)") // the refusal, on purpose
	do(t, b, "type 1-/5 and save", chromedp.Click(chromedp.CSS(`[data-testid=mode-crontab]`)), chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=cron-expression]').value = ''`),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=cron-expression]`), "1-/5 * * * *"),
		chromedp.Click(chromedp.CSS(`[data-testid=save-schedule]`)))
	waitJS(t, b, "the refusal under the editor", `(() => {
		const e = document.querySelector('[data-testid=error-schedule]');
		return !!e && e.textContent.startsWith('Crontab line: minute "1-/5"') && !/strconv|Atoi|expression/.test(e.textContent);
	})()`)
	if w := evalJS[bool](t, b, `(() => { const e = document.querySelector('[data-testid=error-schedule]'); return e.scrollWidth <= e.clientWidth; })()`); !w {
		t.Error("the refusal overflows its box")
	}
	screenshot(t, b, "editor-refused")
	do(t, b, "switch to once", chromedp.Click(chromedp.CSS(`[data-testid=mode-date]`)))
	waitJS(t, b, "the crontab message gone, the preview asking for a date", `!document.querySelector('[data-testid=error-schedule]') &&
		(document.querySelector('[data-testid=preview-error]') || {}).textContent === 'Run once at: choose the date and time.'`)
}
