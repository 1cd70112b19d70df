package handlers_test

import (
	"regexp"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestPagesNameTheSchedulersZone: each page tells app.js the scheduler's
// zone; a schedule's times (the preview, the next run) are marked to be
// shown in it; the times the server writes as text (the duration chart's)
// name their zone, to the minute (issue 13, defect 3).
func TestPagesNameTheSchedulersZone(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("w", `"trigger":"cron","hour":9,"minute":0`)
	e.do("POST", "/api/scheduler/jobs/w/trigger", "")
	waitFor(t, "the run", func() bool { return e.job("w")["last_run_status"] != nil })
	b := e.signIn(t, "alice", "admin")
	tz := e.sched.Location().String()
	for _, path := range []string{"/jobs", "/jobs/w", "/history", "/audit", "/users"} {
		status, doc, _ := b.get(path)
		if status != 200 {
			t.Fatalf("%s: status %d", path, status)
		}
		if got := doc.Find("body").AttrOr("data-timezone", ""); got != tz {
			t.Errorf("%s: body data-timezone %q, want %q", path, got, tz)
		}
	}
	_, doc, _ := b.get("/jobs/w")
	if n := doc.Find(`[data-testid=preview-run] time[data-schedule]`).Length(); n != 5 {
		t.Errorf("%d preview runs marked as the schedule's, want 5", n)
	}
	if n := doc.Find(`[data-testid=job-summary] time[data-schedule]`).Length(); n != 1 {
		t.Errorf("%d next runs marked as the schedule's, want 1", n)
	}
	if n := doc.Find(`[data-testid=runs-table] time[data-schedule]`).Length(); n != 0 {
		t.Errorf("%d run start times marked as the schedule's: they are the browser's", n)
	}
	clock := regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d [A-Z]{3,5}: `)
	bars := doc.Find(`[data-testid=duration-chart] rect title`)
	if bars.Length() == 0 {
		t.Fatal("no bar in the duration chart")
	}
	bars.Each(func(_ int, s *goquery.Selection) {
		if !clock.MatchString(s.Text()) {
			t.Errorf("chart bar %q: want its time to the minute, with its zone", s.Text())
		}
	})
}
