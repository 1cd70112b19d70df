// run.templ: a run's page.
//
//	test                                  guards
//	TestRunPageShowsARunInFull            the run's status, slot and lag, median, who and what it retries, provider; output and error escaped in labelled regions
//	TestRunPageRetryIsAnAdminsForm        the Retry form posts to /runs/{id}/retry only when CanRetry; no form otherwise
//	TestRunPageOfADeletedJob              a deleted job's run links back to History instead of the job
//	TestRunPageWhileRunningAsksAgain      data-running (app.js reloads the page when the run ends) only while running; "No output." without output

package views

import "testing"

func runView() RunView {
	return RunView{
		Run: RunRow{ID: 42, JobID: "nightly", JobName: "Nightly report", Source: "manual", Status: "error",
			StartedAt: "2026-01-01T03:00:05Z", Duration: "2.5s", Summary: nasty, Error: nasty, Provider: "openai", Model: "gpt"},
		JobExists: true, TriggeredBy: "ada", RetryOf: 41, Instance: "host-1",
		Scheduled: "2026-01-01T03:00:00Z", Lag: "5s", Median: "1s", MedianOf: 20, Against: "2.5× the median",
	}
}

func TestRunPageShowsARunInFull(t *testing.T) {
	page := one(t, parse(t, RunPage(runView())).Selection, "div#run-page[data-testid=run-page]")
	hasAttr(t, page, "data-running", false)
	attr(t, one(t, page, "a[data-testid=run-job]"), "href", "/jobs/nightly")
	text(t, one(t, page, "[data-testid=run-title]"), "Run 42 error")
	attr(t, one(t, page, "[data-testid=run-status]"), "class", "status status-error")
	attr(t, one(t, page, "[data-testid=run-scheduled] time"), "datetime", "2026-01-01T03:00:00Z")
	text(t, one(t, page, "[data-testid=run-lag]"), "started 5s after")
	text(t, one(t, page, "[data-testid=run-median]"), "median 1s of the last 20 runs · 2.5× the median")
	text(t, one(t, page, "[data-testid=run-triggered-by]"), "by ada")
	attr(t, one(t, page, "a[data-testid=run-retry-of]"), "href", "/runs/41")
	text(t, one(t, page, "[data-testid=run-provider]"), "openai gpt")
	for _, sel := range []string{"pre[data-testid=run-output]", "pre[data-testid=run-error]"} {
		pre := one(t, page, sel)
		attr(t, pre, "tabindex", "0")
		hasAttr(t, pre, "aria-label", true)
		escaped(t, pre)
	}

	v := runView()
	v.Scheduled, v.Median, v.MedianOf, v.TriggeredBy, v.RetryOf, v.Run.Provider = "", "1s", 1, "", 0, ""
	page = one(t, parse(t, RunPage(v)).Selection, "#run-page")
	text(t, one(t, page, "[data-testid=run-scheduled]"), "not scheduled")
	count(t, page, "[data-testid=run-lag]", 0)
	text(t, one(t, page, "[data-testid=run-median]"), "median 1s of its last run · 2.5× the median")
	for _, sel := range []string{"[data-testid=run-triggered-by]", "[data-testid=run-retry-of]", "[data-testid=run-provider]"} {
		count(t, page, sel, 0)
	}
}

func TestRunPageRetryIsAnAdminsForm(t *testing.T) {
	for _, canRetry := range []bool{true, false} {
		v := runView()
		v.CanRetry = canRetry
		page := one(t, parse(t, RunPage(v)).Selection, "#run-page")
		present(t, page, "form[method=post][action='/runs/42/retry'] button[data-testid=retry]", canRetry)
		if !canRetry {
			noActions(t, page)
		}
	}
}

func TestRunPageOfADeletedJob(t *testing.T) {
	v := runView()
	v.JobExists = false
	crumbs := one(t, parse(t, RunPage(v)).Selection, "p.crumbs")
	if got := hrefs(crumbs, "a"); len(got) != 1 || got[0] != "/history" {
		t.Errorf("crumbs: got %q, want only /history", got)
	}
	text(t, crumbs, "History / Nightly report (deleted) /")
}

func TestRunPageWhileRunningAsksAgain(t *testing.T) {
	v := runView()
	v.Run.Status, v.Run.Summary, v.Run.Error, v.Median = "running", "", "", ""
	page := one(t, parse(t, RunPage(v)).Selection, "#run-page")
	hasAttr(t, page, "data-running", true)
	text(t, one(t, page, "p[data-testid=run-output]"), "No output.")
	count(t, page, "[data-testid=run-error]", 0)
	count(t, page, "[data-testid=run-median]", 0)
}
