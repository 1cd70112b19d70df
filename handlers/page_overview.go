package handlers

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"switchboard/models"
	"switchboard/scheduler"
	"switchboard/views"
)

const (
	overviewHours    = 24
	overviewFailures = 10
	overviewNext     = 10
)

// chartStatuses is the stacking order of the hour chart, bottom up.
var chartStatuses = [...]string{models.StatusSuccess, models.StatusError, models.StatusSkipped, models.StatusRunning}

// handleOverviewPage is GET /, the home page; asked by htmx (app.js on a
// live change), it answers only the panels.
func (h *Handler) handleOverviewPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.overview(r.Context(), canWrite(r))
	if err != nil {
		return err
	}
	if isHTMX(r) {
		return h.renderFragment(w, http.StatusOK, views.Overview(v))
	}
	h.renderPage(w, r, http.StatusOK, "Overview", "overview", "/events?view=overview", views.OverviewPage(v))
	return nil
}

func (h *Handler) overview(ctx context.Context, write bool) (views.OverviewView, error) {
	var v views.OverviewView
	now := h.now()
	loc := h.sched.Location()
	counts := make([]map[string]int64, overviewHours)
	// The last bar is the hour under way: the chart ends now.
	first := now.Truncate(time.Hour).Add(-(overviewHours - 1) * time.Hour)
	for i := range counts {
		from := first.Add(time.Duration(i) * time.Hour)
		to := from.Add(time.Hour)
		if to.After(now) {
			to = now
		}
		c, err := h.store.CountRunsByStatus(ctx, from, to)
		if err != nil {
			return v, err
		}
		counts[i] = c
	}
	v.Chart = hourChart(first, counts, loc)

	fails, total, err := h.store.ListRuns(ctx, models.RunFilter{Status: models.StatusError, Since: now.Add(-overviewHours * time.Hour), Limit: overviewFailures})
	if err != nil {
		return v, err
	}
	v.Failed = total
	for _, f := range fails {
		v.Failures = append(v.Failures, runRow(f, loc))
	}

	jobs, err := h.sched.List(ctx)
	if err != nil {
		return v, err
	}
	for _, j := range jobs {
		if j.Running != nil {
			v.Running = append(v.Running, views.RunningJob{JobID: j.ID, JobName: j.Name, Source: j.Running.Source,
				RunID: j.Running.RunID, Since: formatTime(j.Running.StartedAt, loc)})
		}
		if !j.Enabled {
			v.Paused = append(v.Paused, jobRow(j, write))
		}
	}
	v.Next, err = h.nextRuns(ctx, jobs, overviewNext)
	return v, err
}

// nextRuns merges the jobs' coming runs, soonest first. Only a job whose
// own next run is among the n soonest can have a run among the n soonest
// runs of all, so at most n jobs are asked for more than their next run.
func (h *Handler) nextRuns(ctx context.Context, jobs []scheduler.Job, n int) ([]views.NextRun, error) {
	var soon []scheduler.Job
	for _, j := range jobs {
		if j.Enabled && j.NextRun != nil {
			soon = append(soon, j)
		}
	}
	slices.SortFunc(soon, func(a, b scheduler.Job) int { return a.NextRun.Compare(*b.NextRun) })
	soon = soon[:min(len(soon), n)]
	type at struct {
		t   time.Time
		job scheduler.Job
	}
	var all []at
	for _, j := range soon {
		ts, err := h.sched.NextRuns(ctx, j.ID, n)
		if err != nil {
			continue // deleted since the list was read
		}
		for _, t := range ts {
			all = append(all, at{t, j})
		}
	}
	slices.SortStableFunc(all, func(a, b at) int { return a.t.Compare(b.t) })
	loc := h.sched.Location()
	out := []views.NextRun{}
	for _, a := range all[:min(len(all), n)] {
		out = append(out, views.NextRun{JobID: a.job.ID, JobName: a.job.Name, At: formatTime(a.t, loc)})
	}
	return out, nil
}

// hourChart lays out stacked bars, one an hour from first, scaled to the
// busiest hour.
func hourChart(first time.Time, counts []map[string]int64, loc *time.Location) views.HourChart {
	const barW, gap, height = 20, 4, 120
	c := views.HourChart{Width: len(counts) * (barW + gap), Height: height, Zone: loc.String()}
	totals := map[string]int64{}
	for _, m := range counts {
		var sum int64
		for s, n := range m {
			sum += n
			totals[s] += n
		}
		c.Max = max(c.Max, sum)
		c.Total += sum
	}
	for i, m := range counts {
		start := first.Add(time.Duration(i) * time.Hour).In(loc)
		bar := views.HourBar{X: i*(barW+gap) + gap/2, W: barW, Label: start.Format("15:04"), Start: start.Format(time.RFC3339)}
		var words []string
		statuses := statusOrder(m)
		hs := make([]int, len(statuses))
		used, big := 0, 0
		for k, s := range statuses {
			n := m[s]
			bar.Total += n
			words = append(words, fmt.Sprintf("%d %s", n, s))
			hs[k] = max(int(n*height/max(c.Max, 1)), 1) // a run is never invisible
			used += hs[k]
			if hs[k] > hs[big] {
				big = k
			}
		}
		if used > height {
			hs[big] -= used - height // those single pixels never push a stack past the top
		}
		y := height
		for k, s := range statuses {
			y -= hs[k]
			bar.Parts = append(bar.Parts, views.BarPart{Y: y, H: hs[k], Status: s, Count: m[s]})
		}
		if len(words) == 0 {
			words = []string{"no runs"}
		}
		bar.Title = fmt.Sprintf("%s–%s: %s", bar.Label, start.Add(time.Hour).Format("15:04"), strings.Join(words, ", "))
		c.Hours = append(c.Hours, bar)
	}
	for _, s := range statusOrder(totals) {
		c.Totals = append(c.Totals, views.StatusTotal{Status: s, Count: totals[s]})
	}
	return c
}

// statusOrder is the statuses m counts, known ones in stacking order, then
// any other sorted.
func statusOrder(m map[string]int64) []string {
	var out, other []string
	for _, s := range chartStatuses {
		if m[s] > 0 {
			out = append(out, s)
		}
	}
	for s, n := range m {
		if n > 0 && !slices.Contains(chartStatuses[:], s) {
			other = append(other, s)
		}
	}
	slices.Sort(other)
	return append(out, other...)
}
