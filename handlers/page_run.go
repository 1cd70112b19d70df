package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"switchboard/models"
	"switchboard/scheduler"
	"switchboard/views"
)

// medianRuns is how many of a job's last finished runs its median is of.
const medianRuns = 20

func runByPath(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errRunNotFound(r.PathValue("id"))
	}
	return id, nil
}

func errRunNotFound(id string) *httpError {
	return &httpError{http.StatusNotFound, "RUN_NOT_FOUND", fmt.Sprintf("There is no run %s.", id), nil}
}

func (h *Handler) loadRun(r *http.Request) (models.JobRun, error) {
	id, err := runByPath(r)
	if err != nil {
		return models.JobRun{}, err
	}
	run, err := h.store.GetRun(r.Context(), id)
	if errors.Is(err, models.ErrNotFound) {
		return run, errRunNotFound(r.PathValue("id"))
	}
	return run, err
}

// handleRunPage is GET /runs/{id}: one run in full.
func (h *Handler) handleRunPage(w http.ResponseWriter, r *http.Request) error {
	run, err := h.loadRun(r)
	if err != nil {
		return err
	}
	loc := h.sched.Location()
	v := views.RunView{Run: runRow(run, loc), TriggeredBy: run.TriggeredBy, Instance: run.Instance,
		CanRetry: canWrite(r) && run.Status == models.StatusError}
	if _, err := h.sched.Get(r.Context(), run.JobID); err == nil {
		v.JobExists = true
	} else if !errors.Is(err, models.ErrNotFound) {
		return err
	}
	v.CanRetry = v.CanRetry && v.JobExists
	if run.RetryOf != nil {
		v.RetryOf = *run.RetryOf
	}
	if run.ScheduledFor != nil {
		v.Scheduled = formatTime(*run.ScheduledFor, loc)
		v.Lag = formatDuration(runLag(run.StartedAt, *run.ScheduledFor))
	}
	durs, err := h.store.RecentDurations(r.Context(), run.JobID, medianRuns)
	if err != nil {
		return err
	}
	if m, ok := medianMs(durs); ok {
		v.Median, v.MedianOf = formatDuration(time.Duration(m)*time.Millisecond), len(durs)
		if run.DurationMs != nil {
			v.Against = againstMedian(*run.DurationMs, m)
		}
	}
	if isHTMX(r) {
		return h.renderFragment(w, http.StatusOK, views.RunPage(v))
	}
	events := "" // a finished run does not change
	if run.Status == models.StatusRunning {
		events = "/events?view=run"
	}
	h.renderPage(w, r, http.StatusOK, fmt.Sprintf("Run %d of %s", run.ID, run.JobName), "history", events, views.RunPage(v))
	return nil
}

// handleRunRetry is POST /runs/{id}/retry: a failed run's job runs again
// now, and the browser goes to the new run's page.
func (h *Handler) handleRunRetry(w http.ResponseWriter, r *http.Request) error {
	run, err := h.loadRun(r)
	if err != nil {
		return err
	}
	if run.Status != models.StatusError {
		return &httpError{http.StatusConflict, "RUN_NOT_FAILED", fmt.Sprintf("Run %d did not fail: only a failed run is retried.", run.ID), nil}
	}
	id, err := h.sched.Retry(r.Context(), run.JobID, run.ID)
	if errors.Is(err, scheduler.ErrJobRunning) {
		return &httpError{http.StatusConflict, "JOB_RUNNING", fmt.Sprintf("Job '%s' is already running.", run.JobID), nil}
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/runs/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// runLag is how long after its slot a scheduled run started. A tick may
// fire a hair before the slot it is for: that counts as on time.
func runLag(started, scheduled time.Time) time.Duration {
	return max(started.Sub(scheduled), 0)
}

// medianMs is the median of durations; false when there are none.
func medianMs(ms []int64) (int64, bool) {
	if len(ms) == 0 {
		return 0, false
	}
	s := slices.Clone(ms)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2], true
	}
	return (s[n/2-1] + s[n/2]) / 2, true
}

// againstMedian says how a run's duration compares with its job's median.
func againstMedian(ms, median int64) string {
	if median <= 0 {
		return ""
	}
	return fmt.Sprintf("%.1f× the median", float64(ms)/float64(median))
}

// runRow is a run as a row of History, the job page's recent runs and the
// overview's failures show it.
func runRow(r models.JobRun, loc *time.Location) views.RunRow {
	row := views.RunRow{ID: r.ID, JobID: r.JobID, JobName: r.JobName, Source: r.Source, Status: r.Status,
		StartedAt: formatTime(r.StartedAt, loc), FinishedAt: formatOptional(r.FinishedAt, loc),
		Summary: r.ResultSummary, Error: r.Error, Duration: "—"}
	if r.Provider != "" {
		row.Provider, row.Model = r.Provider, r.Model
	}
	if r.DurationMs != nil {
		row.Duration = formatDuration(time.Duration(*r.DurationMs) * time.Millisecond)
	}
	return row
}
