package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/a-h/templ"

	"switchboard/models"
	"switchboard/scheduler"
	"switchboard/views"
)

// operatorHints adds to a row what an operator acts on: how long its runs
// usually take, and when its pause began skipping runs.
func operatorHints(row *views.JobRow, j scheduler.Job, now time.Time) {
	if r := j.Running; r != nil && r.Usual > 0 {
		row.UsualMs = max(r.Usual.Milliseconds(), 1)
		row.UsualText = formatDuration(r.Usual)
		row.LongRunning = now.Sub(r.StartedAt) > r.Usual
	}
	if t, ok := j.FirstMissed(); ok {
		row.MissedAfter = t.Format(time.RFC3339)
	}
}

// maxBulk bounds one bulk action: a page of the jobs table, with room.
const maxBulk = 2 * jobsPageSize

// bulkSelection is one selected row: the job and the version its
// operator saw ("id:version", as the row's checkbox sends it).
type bulkSelection struct {
	id      string
	version int64
}

func parseBulkSelection(values []string) ([]bulkSelection, error) {
	if len(values) == 0 {
		return nil, models.Invalid("job", "Select at least one job.")
	}
	if len(values) > maxBulk {
		return nil, models.Invalid("job", "Select at most %d jobs at once.", maxBulk)
	}
	seen := map[string]bool{}
	var out []bulkSelection
	for _, v := range values {
		id, ver, ok := strings.Cut(v, ":")
		version, err := strconv.ParseInt(ver, 10, 64)
		if !ok || err != nil || models.ValidateJobID(id) != nil {
			return nil, models.Invalid("job", "The selection could not be read; reload the page.")
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, bulkSelection{id, version})
		}
	}
	return out, nil
}

// handlePageJobsBulk is POST /jobs/bulk: pause or resume the selected
// jobs. Each job is its own versioned change: one changed since it was
// selected, deleted, or refused is listed and left as it is; the others
// are still changed.
func (h *Handler) handlePageJobsBulk(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	sel, err := parseBulkSelection(r.PostForm["job"])
	if err != nil {
		return err
	}
	action := r.PostForm.Get("action")
	var opts scheduler.PauseOptions
	switch action {
	case "pause":
		d, ok := pauseDurations()[r.PostForm.Get("duration")]
		if !ok {
			return models.Invalid("duration", "Choose how long to pause from the list.")
		}
		opts.Reason = strings.TrimSpace(r.PostForm.Get("reason"))
		if utf8.RuneCountInString(opts.Reason) > 500 {
			return models.Invalid("reason", "Give a reason of at most 500 characters.")
		}
		if d > 0 {
			until := h.now().Add(d) // one "until" for every selected job
			opts.Until = &until
		}
	case "resume":
	default:
		return models.Invalid("action", "Choose to pause or to resume the selected jobs.")
	}
	var (
		changed  []scheduler.Job
		problems []views.BulkProblem
	)
	for _, s := range sel {
		var j scheduler.Job
		if action == "pause" {
			opts.Version = &s.version
			j, err = h.sched.Pause(r.Context(), s.id, opts)
		} else {
			j, err = h.sched.ResumeVersion(r.Context(), s.id, s.version)
		}
		if err != nil {
			problems = append(problems, views.BulkProblem{ID: s.id, Message: bulkProblem(err)})
			continue
		}
		changed = append(changed, j)
	}
	if !isHTMX(r) {
		redirectBack(w, r, "/jobs")
		return nil
	}
	verb := map[string]string{"pause": "Paused", "resume": "Resumed"}[action]
	rows := make([]views.JobRow, 0, len(changed))
	for _, j := range changed {
		rows = append(rows, jobRow(j, true, h.now()))
	}
	parts := []templ.Component{views.BulkResult(problems), views.BulkRows(rows)}
	if len(changed) > 0 {
		parts = append(parts, views.Toast("ok", fmt.Sprintf("%s %s.", verb, plural(len(changed), "job"))))
	}
	if len(problems) > 0 {
		parts = append(parts, views.Toast("error", fmt.Sprintf("%s not changed: see the list.", plural(len(problems), "job"))))
	}
	return h.renderFragment(w, http.StatusOK, parts...)
}

// bulkProblem says why a selected job was left as it was.
func bulkProblem(err error) string {
	var vce *scheduler.VersionConflictError
	switch {
	case errors.As(err, &vce):
		return fmt.Sprintf("changed by someone else since you selected it (now %s, version %d)", stateWord(vce.Current), vce.Current.Version)
	case errors.Is(err, models.ErrNotFound):
		return "no such job: it was deleted"
	}
	if ve, ok := asValidation(err); ok {
		return ve.Message
	}
	return "it could not be changed; try again"
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// handleResumeDialog is GET /jobs/{id}/resume: before resuming a job whose
// pause skipped runs, how many it skipped, and whether to run it once now.
// ?target= names the row or summary the answer replaces.
func (h *Handler) handleResumeDialog(w http.ResponseWriter, r *http.Request) error {
	j, err := h.jobByPath(r)
	if err != nil {
		return err
	}
	target := r.URL.Query().Get("target")
	if target != "job-summary-"+j.ID {
		target = "job-" + j.ID
	}
	d := views.ResumeDialog{JobID: j.ID, JobName: j.Name, Target: target, Missed: j.Missed(h.now())}
	if j.PausedAt != nil {
		d.PausedAt = j.PausedAt.In(h.sched.Location()).Format(time.RFC3339)
	}
	return h.renderFragment(w, http.StatusOK, views.ResumeDialogView(d))
}

// runMissed starts the one run a resume with run_missed=1 owes for the
// runs its pause skipped, and says so.
func (h *Handler) runMissed(r *http.Request, j scheduler.Job) (string, error) {
	_, err := h.sched.Trigger(r.Context(), j.ID)
	switch {
	case errors.Is(err, scheduler.ErrJobRunning):
		return fmt.Sprintf("Resumed %s; it is running already, so no extra run was started.", j.Name), nil
	case err != nil:
		return "", err
	}
	return fmt.Sprintf("Resumed %s and started one run for the runs it missed.", j.Name), nil
}
