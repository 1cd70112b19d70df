package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"switchboard/models"
	"switchboard/scheduler"
	"switchboard/views"
)

var jobFilters = [...]string{"", "scheduled", "running", "paused", "failed"}

// jobsPageSize is how many rows a page of the jobs table shows. With 1,000
// jobs, the whole table took 10.5 ms (p50) and 1,843 KiB to serve; a page
// of 50 leaner rows takes a fraction of that (see cmd/bench, section 4).
const jobsPageSize = 50

// jobsQuery is what the jobs page shows: a status filter, a search by id
// or name, and which page of the jobs that match.
type jobsQuery struct {
	status, search string
	page           int
}

// parseJobsQuery reads ?status=, ?q= and ?page= of the jobs page, and of
// the /events URL the page streams from.
func parseJobsQuery(q url.Values) (jobsQuery, error) {
	jq := jobsQuery{status: q.Get("status"), search: strings.TrimSpace(q.Get("q"))}
	if !slices.Contains(jobFilters[:], jq.status) {
		return jq, models.Invalid("status", "Unknown status filter %q: use scheduled, running, paused or failed.", jq.status)
	}
	if utf8.RuneCountInString(jq.search) > 100 {
		return jq, models.Invalid("q", "Search for at most 100 characters.")
	}
	var err error
	jq.page, err = pageNumber(q.Get("page"))
	return jq, err
}

// values is the query showing the same filter and search, without a page.
func (jq jobsQuery) values() url.Values {
	v := url.Values{}
	if jq.status != "" {
		v.Set("status", jq.status)
	}
	if jq.search != "" {
		v.Set("q", jq.search)
	}
	return v
}

// jobsSlice is one page of the jobs table, and the counts its chips show.
type jobsSlice struct {
	jobs   []scheduler.Job // the page's rows, in the list's order (by id)
	counts map[string]int  // per filter, over every job the search matches
	total  int             // the jobs matching the filter and the search
	page   int             // the page shown: the one asked for, or the last when that is past the end
}

// sliceJobs filters all and cuts out the page jq asks for. It builds no
// row: only the page's jobs are rendered.
func sliceJobs(all []scheduler.Job, jq jobsQuery) jobsSlice {
	s := jobsSlice{counts: make(map[string]int, len(jobFilters))}
	search := strings.ToLower(jq.search)
	var match []int
	for i, j := range all {
		if search != "" && !strings.Contains(strings.ToLower(j.ID), search) && !strings.Contains(strings.ToLower(j.Name), search) {
			continue
		}
		state, failed := views.JobState(j.Running != nil, j.Enabled), j.LastRunStatus == "error"
		s.counts[""]++
		s.counts[state]++
		if failed {
			s.counts["failed"]++
		}
		if jq.status == "" || jq.status == state || (jq.status == "failed" && failed) {
			match = append(match, i)
		}
	}
	s.total = len(match)
	s.page = min(jq.page, max(1, (s.total+jobsPageSize-1)/jobsPageSize))
	for _, i := range match[(s.page-1)*jobsPageSize : min(s.page*jobsPageSize, s.total)] {
		s.jobs = append(s.jobs, all[i])
	}
	return s
}

// jobsPageEvents is the /events URL of a page of the jobs table: its
// snapshot carries that page's rows.
func jobsPageEvents(jq jobsQuery, page int) string {
	v := jq.values()
	v.Set("view", "jobs")
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return "/events?" + v.Encode()
}

func jobRows(jobs []scheduler.Job, canWrite bool, now time.Time) []views.JobRow {
	rows := make([]views.JobRow, len(jobs))
	for i, j := range jobs {
		rows[i] = jobRow(j, canWrite, now)
	}
	return rows
}

// handleJobsPage is GET /jobs: a page of the jobs table. An htmx request
// aimed at #job-filters gets only the filter chips, which the page asks
// for again when jobs change.
func (h *Handler) handleJobsPage(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r)
	if err != nil {
		return err
	}
	jq, err := parseJobsQuery(q)
	if err != nil {
		return err
	}
	jobs, err := h.sched.List(r.Context())
	if err != nil {
		return err
	}
	s := sliceJobs(jobs, jq)
	write := canWrite(r)
	v := views.JobsView{Filter: jq.status, Search: jq.search, Counts: s.counts, Timezone: h.sched.Location().String(), CanWrite: write}
	if isHTMX(r) && r.Header.Get("HX-Target") == "job-filters" {
		return h.renderFragment(w, http.StatusOK, views.JobFilters(v))
	}
	v.Jobs = jobRows(s.jobs, write, h.now())
	v.Pager = pager(jq.values(), "/jobs", s.page, int64(s.total), jobsPageSize)
	if s.page != jq.page {
		v.Notice = fmt.Sprintf("There is no page %d: this is the last page, %d.", jq.page, s.page)
	}
	h.renderPage(w, r, http.StatusOK, "Jobs", "jobs", jobsPageEvents(jq, s.page), views.JobsPage(v))
	return nil
}

// jobActionDone answers a row or summary action: for htmx the component the
// action targeted (HX-Target says which) and a toast; else back to the page.
func (h *Handler) jobActionDone(w http.ResponseWriter, r *http.Request, j scheduler.Job, toast string) error {
	return h.jobActionToast(w, r, j, "ok", toast)
}

// jobActionToast is jobActionDone with the toast's level.
func (h *Handler) jobActionToast(w http.ResponseWriter, r *http.Request, j scheduler.Job, level, toast string) error {
	if !isHTMX(r) {
		redirectBack(w, r, "/jobs")
		return nil
	}
	row := jobRow(j, canWrite(r), h.now())
	target := views.JobRowTR(row)
	if strings.HasPrefix(r.Header.Get("HX-Target"), "job-summary-") {
		target = views.JobSummary(row)
	}
	return h.renderFragment(w, http.StatusOK, target, views.Toast(level, toast))
}

// pauseDurations are the pause menu's choices.
func pauseDurations() map[string]time.Duration {
	return map[string]time.Duration{"": 0, "15m": 15 * time.Minute, "1h": time.Hour, "4h": 4 * time.Hour, "24h": 24 * time.Hour, "168h": 7 * 24 * time.Hour}
}

func (h *Handler) handlePageJobPause(w http.ResponseWriter, r *http.Request) error {
	id, err := jobID(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	d, ok := pauseDurations()[r.PostForm.Get("duration")]
	if !ok {
		return models.Invalid("duration", "Choose how long to pause from the list.")
	}
	opts := scheduler.PauseOptions{Reason: strings.TrimSpace(r.PostForm.Get("reason"))}
	if d > 0 {
		until := h.now().Add(d)
		opts.Until = &until
	}
	// The menu carries the version of the row it was opened on: while it is
	// open the row is held back from live updates, so a change made
	// elsewhere meanwhile must not be overwritten unseen.
	if v := r.PostForm.Get("version"); v != "" {
		version, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return models.Invalid("version", "The form's job version is not a number; reload the page.")
		}
		opts.Version = &version
	}
	j, err := h.sched.Pause(r.Context(), id, opts)
	var vce *scheduler.VersionConflictError
	if errors.As(err, &vce) {
		now := stateWord(vce.Current)
		if !vce.Current.Enabled && vce.Current.PausedReason != "" {
			now += ": " + vce.Current.PausedReason
		}
		msg := fmt.Sprintf("Not paused: %s was changed elsewhere while the menu was open (now %s). Check it and pause again.", vce.Current.Name, now)
		if !isHTMX(r) {
			return &httpError{http.StatusConflict, "VERSION_CONFLICT", msg, nil}
		}
		return h.pauseConflict(w, r, vce.Current, msg)
	}
	if err != nil {
		return err
	}
	return h.jobActionDone(w, r, j, fmt.Sprintf("Paused %s.", j.Name))
}

func (h *Handler) handlePageJobResume(w http.ResponseWriter, r *http.Request) error {
	id, err := jobID(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	before, err := h.sched.Get(r.Context(), id)
	if err != nil {
		return err
	}
	j, err := h.sched.Resume(r.Context(), id)
	if err != nil {
		return err
	}
	toast := fmt.Sprintf("Resumed %s.", j.Name)
	// Only the resume that ended the pause owes the run: a second click,
	// or a job resumed meanwhile, starts none.
	if r.PostForm.Get("run_missed") == "1" && !before.Enabled && j.Version != before.Version {
		// The runs the pause skipped are owed once, not each.
		toast, err = h.runMissed(r, j)
		if err != nil {
			return err
		}
		if j, err = h.sched.Get(r.Context(), id); err != nil {
			return err
		}
	}
	return h.jobActionDone(w, r, j, toast)
}

func (h *Handler) handlePageJobRun(w http.ResponseWriter, r *http.Request) error {
	id, err := jobID(r)
	if err != nil {
		return err
	}
	runID, err := h.sched.Trigger(r.Context(), id)
	if err != nil {
		if errors.Is(err, scheduler.ErrJobRunning) {
			return &httpError{http.StatusConflict, "JOB_RUNNING", fmt.Sprintf("Job '%s' is already running.", id), nil}
		}
		return err
	}
	j, err := h.sched.Get(r.Context(), id)
	if err != nil {
		return err
	}
	if !isHTMX(r) {
		redirectBack(w, r, "/jobs")
		return nil
	}
	level, toast, ended := h.runOutcome(r.Context(), id, j.Name, runID)
	if ended {
		// Show the row (or summary) as the run left it.
		if j, err = h.sched.Get(r.Context(), id); err != nil {
			return err
		}
	}
	return h.jobActionToast(w, r, j, level, toast)
}

// pauseConflict answers a refused pause with the component the menu was
// in, as the job now stands (the menu closes on what changed), and why.
func (h *Handler) pauseConflict(w http.ResponseWriter, r *http.Request, j scheduler.Job, msg string) error {
	row := jobRow(j, canWrite(r), h.now())
	target := views.JobRowTR(row)
	if strings.HasPrefix(r.Header.Get("HX-Target"), "job-summary-") {
		target = views.JobSummary(row)
	}
	return h.renderFragment(w, http.StatusConflict, target, views.Toast("error", msg))
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

// jobRow is a job as a row of the jobs table (and the job page's summary,
// the overview's paused list and their live updates) shows it.
func jobRow(j scheduler.Job, canWrite bool, now time.Time) views.JobRow {
	loc := j.Location
	row := views.JobRow{
		ID: j.ID, Name: j.Name, Description: j.Description, Schedule: j.ScheduleText(), Timezone: loc.String(),
		NextRun: formatOptional(j.NextRun, loc), LastRun: formatOptional(j.LastRunAt, loc), LastStatus: j.LastRunStatus,
		Enabled: j.Enabled, Running: j.Running != nil, PausedUntil: formatOptional(j.PausedUntil, loc),
		Version: j.Version, CanWrite: canWrite,
	}
	if !j.Enabled {
		row.PausedReason = j.PausedReason
	}
	if j.Running != nil {
		row.RunningSince = formatTime(j.Running.StartedAt, loc)
	}
	operatorHints(&row, j, now)
	return row
}
