package handlers

import (
	"context"
	"net/http"
	"slices"
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
			v.Paused = append(v.Paused, jobRow(j, write, now))
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
