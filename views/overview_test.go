// overview.templ: the home page and its live panels.
//
//	test                                     guards
//	TestOverviewListsRunningPausedFailedNext each panel's items link to their job or run, carry the data app.js reads (data-since), and escape names and errors (first line only)
//	TestOverviewEmptyPanelsSayNothingIsThere an empty day: every panel says so, the chart says there were no runs
//	TestOverviewLinksAllFailuresPastTheLimit "All n failures" links to the filtered history only when more failed than are shown
//	TestHourChartLabelsEveryThirdHour        one group per hour with its counts per status, labels every third hour, totals in the legend and the aria-label, "1 run" in the singular

package views

import (
	"fmt"
	"testing"
)

func overviewView() OverviewView {
	return OverviewView{
		Chart:    hourChart(),
		Failures: []RunRow{{ID: 9, JobID: "a", JobName: nasty, StartedAt: "2026-01-01T10:00:00Z", Error: "boom\nstack trace"}},
		Failed:   1,
		Next:     []NextRun{{JobID: "a", JobName: "A", At: "2026-01-01T12:00:00Z"}},
		Running:  []RunningJob{{JobID: "b", JobName: "B", Source: "schedule", RunID: 10, Since: "2026-01-01T11:00:00Z"}},
		Paused:   []JobRow{{ID: "c", Name: "C", PausedReason: "maintenance", PausedUntil: "2026-01-02T00:00:00Z"}, {ID: "d", Name: "D"}},
	}
}

func hourChart() HourChart {
	c := HourChart{Width: 480, Height: 100, Total: 4, Max: 3, Zone: "Europe/Paris",
		Totals: []StatusTotal{{"success", 3}, {"error", 1}}}
	for i := range 24 {
		h := HourBar{X: i * 20, W: 18, Label: fmt.Sprintf("%02d:00", i), Start: fmt.Sprintf("2026-01-01T%02d:00:00Z", i)}
		if i == 5 {
			h.Total, h.Title = 3, "05:00–06:00: 2 success, 1 error"
			h.Parts = []BarPart{{Y: 34, H: 66, Status: "success", Count: 2}, {Y: 0, H: 34, Status: "error", Count: 1}}
		}
		c.Hours = append(c.Hours, h)
	}
	return c
}

func TestOverviewListsRunningPausedFailedNext(t *testing.T) {
	doc := parse(t, OverviewPage(overviewView()))
	ov := one(t, doc.Selection, "div#overview[data-testid=overview]")

	running := one(t, ov, "[data-testid=overview-running] li[data-testid=running-job]")
	attr(t, running, "data-job-id", "b")
	attr(t, one(t, running, "a:not(.elapsed)"), "href", "/jobs/b")
	elapsed := one(t, running, "a.elapsed")
	attrs(t, elapsed, "href", "/runs/10", "data-since", "2026-01-01T11:00:00Z")

	paused := one(t, ov, "[data-testid=overview-paused]")
	count(t, paused, "li[data-testid=paused-job]", 2)
	text(t, one(t, paused, "li[data-job-id=c] [data-testid=paused-reason]"), "maintenance")
	attr(t, one(t, paused, "li[data-job-id=c] .paused-until time"), "datetime", "2026-01-02T00:00:00Z")
	text(t, one(t, paused, "li[data-job-id=d] .muted"), "no reason given")

	fail := one(t, ov, "[data-testid=overview-failures] li[data-testid=failure]")
	attr(t, fail, "data-run-id", "9")
	link := one(t, fail, "a[data-testid=failure-link]")
	attr(t, link, "href", "/runs/9")
	escaped(t, link)
	text(t, one(t, fail, ".run-error"), "boom …")

	next := one(t, ov, "[data-testid=overview-next] li[data-testid=next-run]")
	attr(t, one(t, next, "time"), "datetime", "2026-01-01T12:00:00Z")
	attr(t, one(t, next, "a"), "href", "/jobs/a")
	count(t, ov, "p.empty", 0)
}

func TestOverviewEmptyPanelsSayNothingIsThere(t *testing.T) {
	ov := one(t, parse(t, Overview(OverviewView{Chart: HourChart{Width: 480, Height: 100}})).Selection, "#overview")
	for sel, want := range map[string]string{
		"[data-testid=overview-running] p.empty":  "Nothing is running.",
		"[data-testid=overview-paused] p.empty":   "No job is paused.",
		"[data-testid=overview-failures] p.empty": "No failures.",
		"[data-testid=overview-next] p.empty":     "No run is scheduled.",
		"figcaption":                              "No runs in the last 24 hours.",
	} {
		text(t, one(t, ov, sel), want)
	}
	count(t, ov, "li", 0)
	count(t, ov, "a[href='/history?status=error']", 0)
}

func TestOverviewLinksAllFailuresPastTheLimit(t *testing.T) {
	v := overviewView()
	v.Failed = 25
	a := one(t, parse(t, Overview(v)).Selection, "a[href='/history?status=error']")
	text(t, a, "All 25 failures →")
}

func TestHourChartLabelsEveryThirdHour(t *testing.T) {
	fig := one(t, parse(t, HourChartSVG(hourChart())).Selection, "figure[data-testid=runs-chart]")
	attr(t, fig, "data-total", "4")
	attr(t, one(t, fig, "svg"), "aria-label", "Runs per hour over the last 24 hours: 4 in all")
	count(t, fig, "g[data-testid=hour]", 24)
	count(t, fig, "text.hour-label", 8)
	hour := one(t, fig, "g[data-start='2026-01-01T05:00:00Z']")
	attr(t, hour, "data-total", "3")
	text(t, one(t, hour, "title"), "05:00–06:00: 2 success, 1 error")
	attr(t, one(t, hour, "rect[data-status=error]"), "data-count", "1")
	attr(t, one(t, hour, "rect[data-status=success]"), "height", "66")
	text(t, one(t, fig, "li[data-testid=chart-total][data-status=success]"), "3 success")
	count(t, fig, "li[data-testid=chart-total]", 2)
	text(t, one(t, fig, "figcaption > span.muted"), "Hours in Europe/Paris.")
	text(t, one(t, fig, "figcaption > span:last-child"), "Busiest hour: 3 runs.")

	c := hourChart()
	c.Max = 1
	text(t, one(t, parse(t, HourChartSVG(c)).Selection, "figcaption > span:last-child"), "Busiest hour: 1 run.")
}
