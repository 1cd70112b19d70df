package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"switchboard/models"
	"switchboard/scheduler"
	"switchboard/views"
)

var jobFilters = []string{"", "scheduled", "running", "paused", "failed"}

func (h *Handler) handleJobsPage(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r)
	if err != nil {
		return err
	}
	filter := q.Get("status")
	if !slices.Contains(jobFilters, filter) {
		return models.Invalid("status", "Unknown status filter %q: use scheduled, running, paused or failed.", filter)
	}
	jobs, err := h.sched.List(r.Context())
	if err != nil {
		return err
	}
	write := canWrite(r)
	rows := make([]views.JobRow, len(jobs))
	for i, j := range jobs {
		rows[i] = jobRow(j, write)
	}
	h.renderPage(w, r, http.StatusOK, "Jobs", "jobs", "/events?view=jobs",
		views.JobsPage(views.JobsView{Jobs: rows, Filter: filter, Timezone: h.sched.Location().String(), CanWrite: write}))
	return nil
}

// jobActionDone answers a row or summary action: for htmx the component the
// action targeted (HX-Target says which) and a toast; else back to the page.
func (h *Handler) jobActionDone(w http.ResponseWriter, r *http.Request, j scheduler.Job, toast string) error {
	if !isHTMX(r) {
		redirectBack(w, r, "/jobs")
		return nil
	}
	row := jobRow(j, canWrite(r))
	target := views.JobRowTR(row)
	if strings.HasPrefix(r.Header.Get("HX-Target"), "job-summary-") {
		target = views.JobSummary(row)
	}
	return h.renderFragment(w, http.StatusOK, target, views.Toast("ok", toast))
}

// pauseDurations are the pause menu's choices.
var pauseDurations = map[string]time.Duration{"": 0, "15m": 15 * time.Minute, "1h": time.Hour, "4h": 4 * time.Hour, "24h": 24 * time.Hour, "168h": 7 * 24 * time.Hour}

func (h *Handler) handlePageJobPause(w http.ResponseWriter, r *http.Request) error {
	id, err := jobID(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	d, ok := pauseDurations[r.PostForm.Get("duration")]
	if !ok {
		return models.Invalid("duration", "Choose how long to pause from the list.")
	}
	opts := scheduler.PauseOptions{Reason: strings.TrimSpace(r.PostForm.Get("reason"))}
	if d > 0 {
		until := time.Now().Add(d)
		opts.Until = &until
	}
	j, err := h.sched.Pause(r.Context(), id, opts)
	if err != nil {
		return notFoundAsJob(id, err)
	}
	return h.jobActionDone(w, r, j, fmt.Sprintf("Paused %s.", j.Name))
}

func (h *Handler) handlePageJobResume(w http.ResponseWriter, r *http.Request) error {
	id, err := jobID(r)
	if err != nil {
		return err
	}
	j, err := h.sched.Resume(r.Context(), id)
	if err != nil {
		return notFoundAsJob(id, err)
	}
	return h.jobActionDone(w, r, j, fmt.Sprintf("Resumed %s.", j.Name))
}

func (h *Handler) handlePageJobRun(w http.ResponseWriter, r *http.Request) error {
	id, err := jobID(r)
	if err != nil {
		return err
	}
	if _, err := h.sched.Trigger(r.Context(), id); err != nil {
		if errors.Is(err, scheduler.ErrJobRunning) {
			return &httpError{http.StatusConflict, "JOB_RUNNING", fmt.Sprintf("Job '%s' is already running.", id), nil}
		}
		return notFoundAsJob(id, err)
	}
	j, err := h.sched.Get(r.Context(), id)
	if err != nil {
		return notFoundAsJob(id, err)
	}
	return h.jobActionDone(w, r, j, fmt.Sprintf("Started %s.", j.Name))
}

// parseForm reads a form body of at most 64 KiB.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return models.Invalid("form", "The form could not be read.")
	}
	return checkFormText(r.Form)
}
