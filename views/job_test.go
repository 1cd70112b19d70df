// job.templ, the page: a job's page, its summary card, its runs and chart.
// The schedule editor and the definition form are in jobform_test.go.
//
//	test                                  guards
//	TestJobPageForAdminAndViewer          a writer gets the editors and the delete form (confirmed; none for a builtin job); a viewer gets the summary, runs and history with no control
//	TestJobSummaryCarriesItsActions       the summary's id, data-job-target and version; a writer's pause form is versioned and the actions swap the summary
//	TestJobSummaryOOBReplacesTheCard      the live update aims outerHTML at #job-summary-{id}
//	TestRunsTableLinksRunsAndShowsErrors  each run's row (alone too) links to the run (and to its job when shown), the error before the summary, escaped; an empty table says so
//	TestRunAddedOOBTargetsBothLists       a finished run travels in two templates, to the job's runs and to the live history, with and without the job column
//	TestDurationChartDrawsOneBarPerRun    one rect per run with its title; nothing without runs

package views

import "testing"

func jobDetail(canWrite bool) JobDetail {
	j := adminRow()
	j.CanWrite, j.Description = canWrite, nasty
	return JobDetail{
		Job: j, Kind: "webhook", CanWrite: canWrite,
		Schedule: ScheduleForm{JobID: "nightly", Version: 7, Mode: "cron"},
		Form:     JobForm{ID: "nightly", Kind: "webhook", Name: j.Name, Version: 7},
		Runs:     []RunRow{{ID: 3, JobID: "nightly", Status: "success"}},
		Chart:    Chart{Width: 300, Height: 80, Bars: []Bar{{X: 0, Y: 10, W: 8, H: 70, Status: "success", Title: "3s"}}, MaxLabel: "3s"},
		History:  JobHistory{JobID: "nightly", CanWrite: canWrite},
	}
}

func TestJobPageForAdminAndViewer(t *testing.T) {
	for _, canWrite := range []bool{true, false} {
		doc := parse(t, JobPage(jobDetail(canWrite)))
		text(t, one(t, doc.Selection, "[data-testid=job-title]"), "Nightly report")
		escaped(t, one(t, doc.Selection, ".page-head p.muted"))
		one(t, doc.Selection, "#job-summary-nightly")
		one(t, doc.Selection, "tbody#runs-nightly tr[data-testid=run-row]")
		one(t, doc.Selection, "#job-history")
		attr(t, one(t, doc.Selection, "a[href^='/history']"), "href", "/history?job=nightly")
		present(t, doc.Selection, "form#schedule-editor", canWrite)
		present(t, doc.Selection, "form#job-form", canWrite)
		present(t, doc.Selection, "form.danger-zone [data-testid=delete-job]", canWrite)
		if canWrite {
			del := one(t, doc.Selection, "form.danger-zone")
			postsTo(t, del, "/jobs/nightly/delete")
			attr(t, del, "hx-confirm", "Delete job Nightly report? Its run history stays.")
		} else {
			noActions(t, one(t, doc.Selection, "div.cols"))
			noActions(t, one(t, doc.Selection, "#job-summary-nightly"))
		}
	}
	v := jobDetail(true)
	v.Kind = "builtin"
	doc := parse(t, JobPage(v))
	count(t, doc.Selection, "[data-testid=delete-job]", 0)
	one(t, doc.Selection, "form#schedule-editor")
}

func TestJobSummaryCarriesItsActions(t *testing.T) {
	sum := one(t, parse(t, JobSummary(adminRow())).Selection, "section#job-summary-nightly[data-testid=job-summary]")
	hasAttr(t, sum, "data-job-target", true)
	attrs(t, sum, "data-state", "scheduled", "data-version", "7")
	actions := one(t, sum, "div.actions")
	attrs(t, actions, "hx-target", "closest [data-job-target]", "hx-swap", "outerHTML")
	pause := one(t, actions, "details.pause-menu form")
	postsTo(t, pause, "/jobs/nightly/pause")
	attr(t, one(t, pause, "input[data-testid=pause-version]"), "value", "7")
	one(t, actions, "form[hx-post='/jobs/nightly/run'] [data-testid=run-now]")
	text(t, one(t, sum, "[data-testid=job-schedule]"), "0 3 * * * Europe/Paris")

	paused := adminRow()
	paused.Enabled = false
	sum = one(t, parse(t, JobSummary(paused)).Selection, "#job-summary-nightly")
	count(t, sum, "details.pause-menu", 0)
	one(t, sum, "form[hx-post='/jobs/nightly/resume'] [data-testid=resume]")
}

func TestJobSummaryOOBReplacesTheCard(t *testing.T) {
	wrap := one(t, parse(t, Toast("ok", "x"), JobSummaryOOB(adminRow())).Selection, "div[hx-swap-oob^=outerHTML]")
	attr(t, wrap, "hx-swap-oob", "outerHTML:#job-summary-nightly")
	one(t, wrap, "section#job-summary-nightly")
}

func TestRunsTableLinksRunsAndShowsErrors(t *testing.T) {
	runs := []RunRow{
		{ID: 3, JobID: "nightly", JobName: "Nightly", Status: "error", Error: nasty, Summary: "ignored", Provider: "openai", Model: "gpt"},
		{ID: 2, JobID: "nightly", JobName: "Nightly", Status: "success", Summary: nasty},
	}
	for _, showJob := range []bool{true, false} {
		doc := parse(t, RunsTable(runs, showJob, "runs-nightly"))
		table := one(t, doc.Selection, "div[role=region][aria-label=Runs] table[data-testid=runs-table]")
		one(t, table, "tbody#runs-nightly")
		cols := map[bool]int{true: 6, false: 5}[showJob]
		count(t, table, "thead th", cols)
		r3 := one(t, table, "tr[data-run-id='3']")
		attr(t, r3, "data-status", "error")
		count(t, r3, "td", cols)
		attr(t, one(t, r3, "a[data-testid=run-link]"), "href", "/runs/3")
		present(t, r3, "a[href='/jobs/nightly']", showJob)
		escaped(t, one(t, r3, "span.run-error"))
		text(t, one(t, r3, "td.summary small"), "openai gpt")
		escaped(t, one(t, table, "tr[data-run-id='2'] td.summary"))
		count(t, doc.Selection, "p.empty", 0)
	}
	// A lone row, as a live update carries it.
	tr := one(t, parseInTable(t, RunTR(runs[1], true)).Selection, "tr[data-testid=run-row]")
	attr(t, one(t, tr, "a[data-testid=run-link]"), "href", "/runs/2")
	doc := parse(t, RunsTable(nil, false, ""))
	hasAttr(t, one(t, doc.Selection, "tbody"), "id", false)
	text(t, one(t, doc.Selection, "p.empty"), "No runs yet.")
}

func TestRunAddedOOBTargetsBothLists(t *testing.T) {
	r := RunRow{ID: 4, JobID: "nightly", JobName: "Nightly", Status: "success"}
	doc := parse(t, Toast("ok", "x"), RunAddedOOB(r))
	job := one(t, doc.Selection, "template > tbody[hx-swap-oob='afterbegin:#runs-nightly']")
	count(t, job, "tr[data-run-id='4'] td", 5)
	hist := one(t, doc.Selection, "template > tbody[hx-swap-oob='afterbegin:#history-live']")
	count(t, hist, "tr[data-run-id='4'] td", 6)
}

func TestDurationChartDrawsOneBarPerRun(t *testing.T) {
	fig := one(t, parse(t, DurationChart(jobDetail(true).Chart)).Selection, "figure[data-testid=duration-chart]")
	attr(t, one(t, fig, "svg"), "viewBox", "0 0 300 80")
	bar := one(t, fig, "rect.bar")
	attrs(t, bar, "class", "bar bar-success", "height", "70")
	text(t, one(t, bar, "title"), "3s")
	text(t, one(t, fig, "figcaption"), "Duration of the last run, oldest on the left; tallest 3s.")

	two := Chart{Width: 300, Height: 80, MaxLabel: "5s", Bars: []Bar{{Status: "success", H: 10}, {Status: "error", H: 70}}}
	text(t, one(t, parse(t, DurationChart(two)).Selection, "figcaption"), "Duration of the last 2 runs, oldest on the left; tallest 5s.")

	if got := render(t, DurationChart(Chart{Width: 300, Height: 80})); got != "" {
		t.Errorf("chart without runs: got %q, want nothing", got)
	}
}
