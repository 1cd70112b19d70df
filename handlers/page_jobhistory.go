package handlers

import (
	"encoding/json"
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

// historyEntries is how many of a job's changes its page lists.
const historyEntries = 50

// scheduleState is a job's trigger as the audit log records it.
type scheduleState struct{ trigger, args string }

// historyStep is one audit entry with the schedule the job had after it,
// worked out by walking back from the job as it is: an entry records only
// the fields it changed.
type historyStep struct {
	entry           models.AuditEntry
	before, after   map[string]any
	schedBefore     scheduleState
	schedAfter      scheduleState
	changedSchedule bool
}

// jobHistory reads the job's changes, newest first, back to its creation
// (an older job of the same id is another job's history).
func (h *Handler) jobHistory(r *http.Request, j scheduler.Job) ([]historyStep, error) {
	entries, err := h.store.ListJobAudit(r.Context(), j.ID, historyEntries)
	if err != nil {
		return nil, err
	}
	state := scheduleState{j.Trigger, j.TriggerArgs}
	var steps []historyStep
	for _, e := range entries {
		st := historyStep{entry: e, after: map[string]any{}, before: map[string]any{}, schedAfter: state}
		// An unreadable entry still shows who did what, without its fields.
		if err := json.Unmarshal([]byte(e.Before), &st.before); err != nil {
			h.log.WarnContext(r.Context(), "unreadable audit entry", "id", e.ID, "err", err)
		}
		if err := json.Unmarshal([]byte(e.After), &st.after); err != nil {
			h.log.WarnContext(r.Context(), "unreadable audit entry", "id", e.ID, "err", err)
		}
		_, t := st.after["trigger"]
		_, a := st.after["trigger_args"]
		st.changedSchedule = t || a
		if v, ok := st.before["trigger"].(string); ok {
			state.trigger = v
		}
		if v, ok := st.before["trigger_args"].(string); ok {
			state.args = v
		}
		st.schedBefore = state
		if e.Action == "job.create" {
			st.schedBefore = scheduleState{} // before its creation the job had no schedule
		}
		steps = append(steps, st)
		if e.Action == "job.create" {
			break
		}
	}
	return steps, nil
}

// historyFields are the audit log's job fields in the order shown, with
// their labels; the trigger is shown as one "Schedule".
var historyFields = [...]struct{ key, label string }{
	{"name", "Name"}, {"description", "Description"}, {"enabled", "State"}, {"paused_reason", "Pause reason"},
	{"paused_until", "Paused until"}, {"config", "Settings"}, {"market_hours_only", "Only during market hours"},
	{"timeout_seconds", "Timeout"},
}

func historyValue(key string, v any, ok bool) string {
	if !ok || v == nil || v == "" {
		return "—"
	}
	switch key {
	case "enabled":
		if v == true {
			return "scheduled"
		}
		return "paused"
	case "market_hours_only":
		if v == true {
			return "yes"
		}
		return "no"
	case "timeout_seconds":
		if n, ok := v.(float64); ok {
			if n == 0 {
				return "default"
			}
			return formatDuration(time.Duration(n) * time.Second)
		}
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v) // v was decoded from JSON, so it encodes
	return string(b)
}

func (h *Handler) describeState(s scheduleState) string {
	if s.trigger == "" {
		return "—"
	}
	sched, err := models.DecodeSchedule(s.trigger, s.args, h.sched.Location())
	if err != nil {
		return "an unreadable schedule"
	}
	return sched.Describe(h.sched.Location())
}

// restorable reports whether the schedule a step set can be set again: it
// is not the job's now, and a one-time run is still to come.
func (h *Handler) restorable(st historyStep, j scheduler.Job) bool {
	if !st.changedSchedule || st.schedAfter == (scheduleState{j.Trigger, j.TriggerArgs}) {
		return false
	}
	sched, err := models.DecodeSchedule(st.schedAfter.trigger, st.schedAfter.args, h.sched.Location())
	return err == nil && (sched.Trigger != models.TriggerDate || sched.RunDate.After(h.now()))
}

func (h *Handler) historyView(r *http.Request, j scheduler.Job) (views.JobHistory, error) {
	steps, err := h.jobHistory(r, j)
	if err != nil {
		return views.JobHistory{}, err
	}
	loc := h.sched.Location()
	v := views.JobHistory{JobID: j.ID, Version: j.Version, CanWrite: canWrite(r)}
	for _, st := range steps {
		e := views.HistoryEntry{ID: st.entry.ID, At: st.entry.At.In(loc).Format(time.RFC3339), Actor: st.entry.Actor,
			Action: st.entry.Action, Restorable: h.restorable(st, j)}
		if st.changedSchedule {
			e.Changes = append(e.Changes, views.HistoryChange{Field: "Schedule", Before: h.describeState(st.schedBefore), After: h.describeState(st.schedAfter)})
			e.Schedule = h.describeState(st.schedAfter)
		}
		for _, f := range historyFields {
			b, bok := st.before[f.key]
			a, aok := st.after[f.key]
			if !bok && !aok {
				continue
			}
			if before, after := historyValue(f.key, b, bok), historyValue(f.key, a, aok); before != after {
				e.Changes = append(e.Changes, views.HistoryChange{Field: f.label, Before: before, After: after})
			}
		}
		v.Entries = append(v.Entries, e)
	}
	return v, nil
}

// handlePageRestoreSchedule is POST /jobs/{id}/restore-schedule: set the
// schedule an entry of the job's history set, if the job is still at the
// version the operator saw.
func (h *Handler) handlePageRestoreSchedule(w http.ResponseWriter, r *http.Request) error {
	j, err := h.jobByPath(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	entryID, err1 := strconv.ParseInt(r.PostForm.Get("entry"), 10, 64)
	version, err2 := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err1 != nil || err2 != nil {
		return models.Invalid("entry", "The form could not be read; reload the page.")
	}
	steps, err := h.jobHistory(r, j)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(steps, func(st historyStep) bool { return st.entry.ID == entryID })
	if i < 0 || !steps[i].changedSchedule {
		return &httpError{http.StatusNotFound, "NOT_FOUND", "That change is not in this job's schedule history.", nil}
	}
	if !h.restorable(steps[i], j) && j.Version == version {
		return models.Invalid("entry", "The job already runs on that schedule, or its one run has passed.")
	}
	loc := h.sched.Location()
	sched, err := models.DecodeSchedule(steps[i].schedAfter.trigger, steps[i].schedAfter.args, loc)
	if err != nil {
		return models.Invalid("entry", "That schedule can no longer be read, so it cannot be restored.")
	}
	id := j.ID
	j, err = h.sched.UpdateSchedule(r.Context(), id, sched, &version)
	var vce *scheduler.VersionConflictError
	if errors.As(err, &vce) {
		return &httpError{http.StatusConflict, "VERSION_CONFLICT", fmt.Sprintf("Someone else changed this job since this page was loaded (now version %d): reload to see the change, then restore again.", vce.Current.Version), nil}
	}
	if err != nil {
		return err
	}
	if !isHTMX(r) {
		http.Redirect(w, r, "/jobs/"+j.ID, http.StatusSeeOther)
		return nil
	}
	hv, err := h.historyView(r, j)
	if err != nil {
		return err
	}
	sf := scheduleFormOf(j.Schedule, loc)
	sf.JobID, sf.Version, sf.Timezone = j.ID, j.Version, loc.String()
	return h.renderFragment(w, http.StatusOK, views.JobHistoryCard(hv), views.ScheduleEditorOOB(sf, h.preview(j.Schedule)),
		views.Toast("ok", fmt.Sprintf("%s runs %s again.", j.Name, j.ScheduleText())))
}
