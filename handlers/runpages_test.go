// The overview (the home page) and a run's page, over HTTP, at a fixed set
// of runs written through the store.
//
//	test                                  guards
//	TestOverviewShowsTheLastDay           GET / draws the last 24 h per hour by status, lists its failures (linked to their runs), the next 10 runs, the running and paused jobs; htmx gets the panels alone
//	TestRunPageShowsARunInFull            GET /runs/{id}: output and error escaped, source and who, provider and model, lag, the job's median; History and the job page link to it
//	TestRetryIsAnAdminsAndMakesANewRun    Retry for a failed run: an admin's button runs the job again as a retry of it; a viewer sees no button and is refused; only a failed run is retried

package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"switchboard/handlers"
	"switchboard/models"
	"switchboard/scheduler"
)

// addRun records a finished run as the scheduler would have.
func addRun(t *testing.T, e *env, r models.JobRun) models.JobRun {
	t.Helper()
	if r.FinishedAt == nil {
		end := r.StartedAt.Add(time.Duration(deref(r.DurationMs)) * time.Millisecond)
		r.FinishedAt = &end
	}
	if r.JobName == "" {
		r.JobName = r.JobID
	}
	if r.Source == "" {
		r.Source = models.SourceManual
	}
	r.StartedAt = r.StartedAt.UTC()
	run, err := e.store.InsertFinishedRun(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func ms(n int64) *int64 { return &n }

func TestOverviewShowsTheLastDay(t *testing.T) {
	// Half past an hour, so "ten minutes ago" is the chart's last bar. The
	// page's clock is an hour behind the scheduler's: busy's run starts on
	// the real clock, after the chart's end, whatever the minute now.
	now := time.Now().Add(-time.Hour).Truncate(time.Hour).Add(30 * time.Minute)
	release := make(chan struct{})
	busy := scheduler.Builtin{ID: "busy", Name: "Busy", Schedule: interval(t, 24*time.Hour),
		Run: func(ctx context.Context) (string, error) {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return "done", nil
		}}
	e := newEnvWith(t, envOptions{cfg: handlers.Config{APIToken: testToken}, builtins: []scheduler.Builtin{busy}, now: func() time.Time { return now }})
	t.Cleanup(func() { close(release) })
	e.createWebhook("w", `"trigger":"interval","minutes":5`)
	e.createWebhook("p", `"trigger":"interval","minutes":1`)
	if status, m := e.do("POST", "/api/scheduler/jobs/p/pause", `{"reason":"maintenance window"}`); status != 200 {
		t.Fatalf("pause: %d %v", status, m)
	}
	if status, m := e.do("POST", "/api/scheduler/jobs/busy/trigger", ""); status != 202 && status != 200 {
		t.Fatalf("trigger busy: %d %v", status, m)
	}
	waitFor(t, "busy to run", func() bool { return e.job("busy")["running"] == true })

	addRun(t, e, models.JobRun{JobID: "w", Status: models.StatusSuccess, StartedAt: now.Add(-10 * time.Minute), DurationMs: ms(100)})
	addRun(t, e, models.JobRun{JobID: "w", Status: models.StatusSuccess, StartedAt: now.Add(-70 * time.Minute), DurationMs: ms(100)})
	addRun(t, e, models.JobRun{JobID: "w", Status: models.StatusSkipped, StartedAt: now.Add(-75 * time.Minute), DurationMs: ms(0)})
	failed := addRun(t, e, models.JobRun{JobID: "w", Status: models.StatusError, StartedAt: now.Add(-5 * time.Hour), DurationMs: ms(300),
		Error: "connection refused\nsecond line"})
	addRun(t, e, models.JobRun{JobID: "w", Status: models.StatusError, StartedAt: now.Add(-25 * time.Hour), Error: "too old"})
	addRun(t, e, models.JobRun{JobID: "w", Status: models.StatusSuccess, StartedAt: now.Add(-30 * time.Hour)})

	b := e.signIn(t, "alice", "admin")
	status, doc, _ := b.get("/")
	if status != 200 {
		t.Fatalf("GET /: %d", status)
	}
	if doc.Find(`nav a[aria-current=page][href="/"]`).Text() != "Overview" {
		t.Error("the nav does not mark Overview as the current page")
	}
	chart := doc.Find(`[data-testid=runs-chart]`)
	if chart.Find("svg").Length() != 1 || chart.AttrOr("data-total", "") != "4" {
		t.Fatalf("chart: %d svg, total %q, want one svg of 4 runs", chart.Find("svg").Length(), chart.AttrOr("data-total", ""))
	}
	hours := chart.Find(`[data-testid=hour]`)
	if hours.Length() != 24 {
		t.Fatalf("chart has %d hours, want 24", hours.Length())
	}
	// Oldest on the left: per bar, the runs by status.
	wantHours := map[int]string{23: "success:1", 22: "success:1 skipped:1", 18: "error:1"}
	hours.Each(func(i int, h *goquery.Selection) {
		var got []string
		h.Find("rect[data-status]").Each(func(_ int, r *goquery.Selection) {
			got = append(got, r.AttrOr("data-status", "")+":"+r.AttrOr("data-count", ""))
		})
		if strings.Join(got, " ") != wantHours[i] {
			t.Errorf("hour %d (%s): %v, want %q", i, h.AttrOr("data-start", ""), got, wantHours[i])
		}
	})
	if start, _ := time.Parse(time.RFC3339, hours.Last().AttrOr("data-start", "")); !start.Equal(now.Truncate(time.Hour)) {
		t.Errorf("last bar starts %v, want the hour under way %v", start, now.Truncate(time.Hour))
	}
	if got := doc.Find(`[data-testid=chart-total]`).Text(); !strings.Contains(got, "2 success") || !strings.Contains(got, "1 error") || !strings.Contains(got, "1 skipped") {
		t.Errorf("legend: %q", got)
	}

	fails := doc.Find(`[data-testid=failure]`)
	if fails.Length() != 1 || fails.AttrOr("data-run-id", "") != strconv.FormatInt(failed.ID, 10) {
		t.Fatalf("failures: %d, want only run %d (the other is older than a day)", fails.Length(), failed.ID)
	}
	if href := fails.Find(`a[data-testid=failure-link]`).AttrOr("href", ""); href != fmt.Sprintf("/runs/%d", failed.ID) {
		t.Errorf("failure links to %q", href)
	}
	if got := fails.Find(".run-error").Text(); got != "connection refused …" {
		t.Errorf("failure shows %q, want its first line", got)
	}

	next := doc.Find(`[data-testid=next-run]`)
	if next.Length() != 10 {
		t.Fatalf("next runs: %d, want 10", next.Length())
	}
	var last time.Time
	next.Each(func(i int, n *goquery.Selection) {
		at, err := time.Parse(time.RFC3339, n.Find("time").AttrOr("datetime", ""))
		if err != nil || at.Before(last) || n.AttrOr("data-job-id", "") != "w" {
			t.Errorf("next run %d: job %s at %v (after %v), want w's, soonest first", i, n.AttrOr("data-job-id", ""), at, last)
		}
		last = at
	})

	running := doc.Find(`[data-testid=running-job]`)
	if running.Length() != 1 || running.AttrOr("data-job-id", "") != "busy" || running.Find("[data-since]").Length() != 1 {
		t.Errorf("running: %d, want busy with its elapsed time", running.Length())
	}
	paused := doc.Find(`[data-testid=paused-job]`)
	if paused.Length() != 1 || paused.AttrOr("data-job-id", "") != "p" || paused.Find(`[data-testid=paused-reason]`).Text() != "maintenance window" {
		t.Errorf("paused: %d %q", paused.Length(), paused.Text())
	}

	// app.js's live refresh gets the panels alone.
	status, frag, _ := b.get("/", "HX-Request", "true")
	if status != 200 || frag.Find("#overview").Length() != 1 || frag.Find("header, h1").Length() != 0 || count(frag, "failure") != 1 {
		t.Errorf("htmx refresh: %d, want the panels alone", status)
	}
	// /jobs is still the jobs page.
	if status, doc, _ := b.get("/jobs"); status != 200 || count(doc, "jobs-table") != 1 {
		t.Errorf("/jobs: %d", status)
	}
}

func TestRunPageShowsARunInFull(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("w", `"trigger":"interval","minutes":5`)
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	for i, d := range []int64{100, 200, 300, 400} {
		addRun(t, e, models.JobRun{JobID: "w", Status: models.StatusSuccess, StartedAt: base.Add(time.Duration(i) * time.Minute), DurationMs: ms(d)})
	}
	addRun(t, e, models.JobRun{JobID: "w", Status: models.StatusSkipped, StartedAt: base.Add(5 * time.Minute), DurationMs: ms(0)})
	slot := base.Add(10 * time.Minute)
	failed := addRun(t, e, models.JobRun{JobID: "w", Source: models.SourceSchedule, Status: models.StatusError,
		StartedAt: slot.Add(90 * time.Second), ScheduledFor: &slot, DurationMs: ms(1000), Instance: "node-a",
		Provider: "openai", Model: "gpt-4o-mini",
		ResultSummary: "partial <b>output</b>\nline two", Error: "<script>alert(1)</script>\nat line 2"})
	manual := addRun(t, e, models.JobRun{JobID: "w", Status: models.StatusSuccess, StartedAt: base.Add(20 * time.Minute),
		DurationMs: ms(250), TriggeredBy: "bob"})

	b := e.signIn(t, "alice", "admin")
	status, doc, _ := b.get(fmt.Sprintf("/runs/%d", failed.ID))
	if status != 200 {
		t.Fatalf("run page: %d", status)
	}
	for _, c := range []struct{ testid, want string }{
		{"run-status", "error"},
		{"run-error", "<script>alert(1)</script>\nat line 2"},
		{"run-output", "partial <b>output</b>\nline two"},
		{"run-source", "schedule"},
		{"run-lag", "started 1m 30s after"},
		// The median of 100, 200, 300, 400, this run's 1000 and the manual
		// run's 250 ms; the skipped tick is not the job's work.
		{"run-duration", "1.0 s median 275 ms of the last 6 runs · 3.6× the median"},
		{"run-median", "median 275 ms of the last 6 runs · 3.6× the median"},
		{"run-provider", "openai gpt-4o-mini"},
	} {
		if got := strings.Join(strings.Fields(text(doc, c.testid)), " "); got != strings.Join(strings.Fields(c.want), " ") {
			t.Errorf("%s: %q, want %q", c.testid, got, c.want)
		}
	}
	if doc.Find("pre[data-testid=run-error] script, pre[data-testid=run-output] b").Length() != 0 {
		t.Error("the run's text was not escaped")
	}
	if got := doc.Find(`[data-testid=run-scheduled] time`).AttrOr("datetime", ""); got == "" {
		t.Error("no scheduled time")
	}
	if href := doc.Find(`[data-testid=run-job]`).AttrOr("href", ""); href != "/jobs/w" {
		t.Errorf("job link %q", href)
	}

	_, doc, _ = b.get(fmt.Sprintf("/runs/%d", manual.ID))
	if got := text(doc, "run-triggered-by"); got != "by bob" {
		t.Errorf("manual run: triggered by %q, want by bob", got)
	}
	if count(doc, "run-lag") != 0 || !strings.Contains(text(doc, "run-scheduled"), "not scheduled") {
		t.Error("a manual run shows a lag")
	}
	if count(doc, "retry") != 0 {
		t.Error("a successful run offers Retry")
	}

	// History and the job page link each run to its page.
	for _, path := range []string{"/history", "/jobs/w"} {
		_, doc, _ := b.get(path)
		if doc.Find(fmt.Sprintf(`[data-testid=run-row] a[href="/runs/%d"]`, failed.ID)).Length() != 1 {
			t.Errorf("%s does not link run %d to its page", path, failed.ID)
		}
	}
	for _, path := range []string{"/runs/999999", "/runs/abc", "/runs/0"} {
		if status, doc, _ := b.get(path); status != http.StatusNotFound || count(doc, "error-page") != 1 {
			t.Errorf("GET %s: %d, want 404", path, status)
		}
	}
}

func TestRetryIsAnAdminsAndMakesANewRun(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("w", `"trigger":"interval","minutes":5`)
	failed := addRun(t, e, models.JobRun{JobID: "w", Status: models.StatusError, StartedAt: time.Now().Add(-time.Minute), DurationMs: ms(10), Error: "boom"})
	ok := addRun(t, e, models.JobRun{JobID: "w", Status: models.StatusSuccess, StartedAt: time.Now().Add(-2 * time.Minute), DurationMs: ms(10)})
	path := fmt.Sprintf("/runs/%d", failed.ID)

	v := e.signIn(t, "victor", "viewer")
	if _, doc, _ := v.get(path); count(doc, "retry") != 0 || text(doc, "run-error") != "boom" {
		t.Error("a viewer is offered Retry, or does not see the error")
	}
	if status, _, _ := v.noRedirects().post(path+"/retry", url.Values{}, false); status != http.StatusForbidden {
		t.Errorf("a viewer's retry: %d, want 403", status)
	}

	a := e.signIn(t, "alice", "admin")
	_, doc, _ := a.get(path)
	form := doc.Find(`[data-testid=retry]`).Closest("form")
	if form.Length() != 1 || form.AttrOr("action", "") != path+"/retry" || form.AttrOr("method", "") != "post" {
		t.Fatalf("admin's retry form: %d %q", form.Length(), form.AttrOr("action", ""))
	}
	if status, _, _ := a.noRedirects().post(fmt.Sprintf("/runs/%d/retry", ok.ID), url.Values{}, false); status != http.StatusConflict {
		t.Errorf("retry of a successful run: %d, want 409", status)
	}
	runs, _, _ := e.store.ListRuns(context.Background(), models.RunFilter{JobID: "w"})
	if len(runs) != 2 {
		t.Fatalf("refused retries ran the job: %d runs", len(runs))
	}
	status, _, hdr := a.noRedirects().post(path+"/retry", url.Values{}, false)
	if status != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/runs/") {
		t.Fatalf("retry: %d to %q", status, hdr.Get("Location"))
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(hdr.Get("Location"), "/runs/"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	retry, err := e.store.GetRun(context.Background(), id)
	if err != nil || retry.RetryOf == nil || *retry.RetryOf != failed.ID || retry.TriggeredBy != "alice" || retry.Source != models.SourceManual || retry.JobID != "w" {
		t.Fatalf("the retry's run: %+v %v", retry, err)
	}
	waitFor(t, "the retry to finish", func() bool {
		r, err := e.store.GetRun(context.Background(), id)
		return err == nil && r.Status != models.StatusRunning
	})
	_, doc, _ = a.get(hdr.Get("Location"))
	if href := doc.Find(`[data-testid=run-retry-of]`).AttrOr("href", ""); href != path || text(doc, "run-triggered-by") != "by alice" {
		t.Errorf("the retry's page: retry of %q, %q", href, text(doc, "run-triggered-by"))
	}
}
