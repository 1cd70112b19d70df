package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"switchboard/models"
	"switchboard/scheduler"
	"switchboard/views"
)

// The schedule editor of the job page and the new-job form: its live
// preview and its save.

// preview is the next five runs of s and its DST warnings.
func (h *Handler) preview(s models.Schedule) views.Preview {
	loc := h.sched.Location()
	now := h.now()
	runs, err := s.Preview(loc, now, 5)
	if err != nil {
		return views.Preview{Error: err.Error()}
	}
	p := views.Preview{Describe: s.Describe(loc), Warnings: s.DSTWarnings(loc, now)}
	for _, t := range runs {
		p.Runs = append(p.Runs, t.Format(time.RFC3339))
	}
	if len(p.Runs) == 0 {
		p.Error = "This schedule has no runs to come."
		return p
	}
	p.Crontab = s.CrontabLine(runs[0], loc)
	return p
}

// fillCrontab puts the line equivalent to the schedule shown in the
// crontab box, which is otherwise empty for a schedule given in another
// mode: switching to "Crontab line" then shows the schedule as it is.
func fillCrontab(sf *views.ScheduleForm, p views.Preview) {
	if sf.Expression == "" {
		sf.Expression = p.Crontab
	}
}

// handleSchedulePreview answers the editor as the operator types: the next
// runs of the proposed schedule, or what is wrong with it.
func (h *Handler) handleSchedulePreview(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r)
	if err != nil {
		return err
	}
	s, err := parseScheduleForm(q, h.sched.Location(), h.now())
	p := views.Preview{}
	if ve, ok := asValidation(err); ok {
		p.Error = formMessage(ve)
	} else if err != nil {
		return err
	} else {
		p = h.preview(s)
	}
	return h.renderFragment(w, http.StatusOK, views.SchedulePreview(p), views.ScheduleErrorCleared())
}

func (h *Handler) handlePageJobSchedule(w http.ResponseWriter, r *http.Request) error {
	id, err := jobID(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	loc := h.sched.Location()
	sf := scheduleFormFrom(r.PostForm)
	sf.JobID, sf.Timezone = id, loc.String()
	version, verr := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	sf.Version = version
	if verr != nil {
		return models.Invalid("version", "The form lacks the job's version; reload the page.")
	}
	s, err := parseScheduleForm(r.PostForm, loc, h.now())
	if ve, ok := asValidation(err); ok {
		msg := formMessage(ve)
		sf.Errors = map[string]string{"schedule": msg, ve.Field: msg}
		return h.renderFragment(w, http.StatusUnprocessableEntity, views.ScheduleEditor(sf, views.Preview{Error: msg}))
	} else if err != nil {
		return err
	}
	j, err := h.sched.UpdateSchedule(r.Context(), id, s, &version)
	var vce *scheduler.VersionConflictError
	if errors.As(err, &vce) {
		sf.Version = vce.Current.Version
		sf.Conflict = fmt.Sprintf("%s, %s (version %d)", vce.Current.ScheduleText(), stateWord(vce.Current), vce.Current.Version)
		return h.renderFragment(w, http.StatusConflict, views.ScheduleEditor(sf, h.preview(s)))
	}
	if err != nil {
		return err
	}
	if !isHTMX(r) {
		http.Redirect(w, r, "/jobs/"+id, http.StatusSeeOther)
		return nil
	}
	sf = scheduleFormOf(j.Schedule, loc)
	sf.JobID, sf.Version, sf.Timezone, sf.Saved = id, j.Version, loc.String(), true
	p := h.preview(j.Schedule)
	fillCrontab(&sf, p)
	return h.renderFragment(w, http.StatusOK, views.ScheduleEditor(sf, p),
		views.Toast("ok", fmt.Sprintf("%s now runs %s.", j.Name, j.ScheduleText())))
}

func stateWord(j scheduler.Job) string {
	if j.Enabled {
		return "scheduled"
	}
	return "paused"
}
