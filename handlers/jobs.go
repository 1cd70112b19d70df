package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"switchboard/models"
	"switchboard/scheduler"
)

// jobID reads and validates the {id} of a job route.
func jobID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	return id, models.ValidateJobID(id)
}

func (h *Handler) handleJobList(w http.ResponseWriter, r *http.Request) error {
	sn, err := h.sched.Snapshot(r.Context())
	if err != nil {
		return err
	}
	admin := canWrite(r)
	body, err := sn.Encoded(listAudience{admin}, func(jobs []scheduler.Job, loc *time.Location) ([]byte, error) {
		out := make([]jobBody, len(jobs))
		for i, j := range jobs {
			out[i] = jobJSON(j, admin)
		}
		return encodeJSON(map[string]any{"jobs": out, "total": len(out), "timezone": loc.String()})
	})
	if err != nil {
		return err
	}
	writeJSONBytes(w, http.StatusOK, body)
	return nil
}

// listAudience keys the list endpoint's body on a snapshot: admins see
// more of each job than viewers.
type listAudience struct{ admin bool }

// jobByPath loads the job the route's {id} names: a bad id is a 400, an
// unknown one JOB_NOT_FOUND.
func (h *Handler) jobByPath(r *http.Request) (scheduler.Job, error) {
	id, err := jobID(r)
	if err != nil {
		return scheduler.Job{}, err
	}
	j, err := h.sched.Get(r.Context(), id)
	return j, err
}

func (h *Handler) handleJobGet(w http.ResponseWriter, r *http.Request) error {
	j, err := h.jobByPath(r)
	if err != nil {
		return err
	}
	runs, _, err := h.store.ListRuns(r.Context(), models.RunFilter{JobID: j.ID, Limit: 10})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		jobBody
		RecentHistory []runBody `json:"recent_history"`
	}{jobJSON(j, canWrite(r)), runsJSON(runs, h.sched.Location())})
	return nil
}

func (h *Handler) handleJobPause(w http.ResponseWriter, r *http.Request) error {
	id, err := jobID(r)
	if err != nil {
		return err
	}
	body, err := decodeObject(w, r, true, notObjectMessage)
	if err != nil {
		return err
	}
	var opts scheduler.PauseOptions
	for k, raw := range body {
		switch k {
		case "reason":
			if string(raw) != "null" && json.Unmarshal(raw, &opts.Reason) != nil {
				return models.Invalid("reason", `Invalid "reason": must be a string.`)
			}
		case "until":
			var s *string
			if json.Unmarshal(raw, &s) != nil {
				return models.Invalid("until", `Invalid "until": must be an RFC 3339 time.`)
			}
			if s != nil {
				t, err := time.Parse(time.RFC3339, *s)
				if err != nil {
					return models.Invalid("until", `Invalid "until": must be an RFC 3339 time with an offset.`)
				}
				opts.Until = &t
			}
		default:
			return models.Invalid(k, "Unknown field %q. Allowed: reason, until.", k)
		}
	}
	j, err := h.sched.Pause(r.Context(), id, opts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "job_id": id, "status": "paused", "job": jobJSON(j, true)})
	return nil
}

func (h *Handler) handleJobResume(w http.ResponseWriter, r *http.Request) error {
	id, err := jobID(r)
	if err != nil {
		return err
	}
	j, err := h.sched.Resume(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "job_id": id, "status": "resumed", "job": jobJSON(j, true)})
	return nil
}

func (h *Handler) handleJobTrigger(w http.ResponseWriter, r *http.Request) error {
	id, err := jobID(r)
	if err != nil {
		return err
	}
	runID, err := h.sched.Trigger(r.Context(), id)
	if errors.Is(err, scheduler.ErrJobRunning) {
		return &httpError{http.StatusConflict, "JOB_RUNNING", fmt.Sprintf("Job '%s' is already running.", id), nil}
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]any{
		"success": true, "job_id": id, "run_id": runID, "message": fmt.Sprintf("Job '%s' triggered.", id),
	})
	return nil
}

func (h *Handler) handleJobSchedule(w http.ResponseWriter, r *http.Request) error {
	id, err := jobID(r)
	if err != nil {
		return err
	}
	body, err := decodeObject(w, r, false, models.MissingTriggerMessage)
	if err != nil {
		return err
	}
	in := scheduleInputOf(body, []string{"version"})
	if in.Trigger == "" {
		return models.Invalid("trigger", models.MissingTriggerMessage)
	}
	version, err := models.ParseVersion(valueOf(body["version"]))
	if err != nil {
		return err
	}
	sched, err := in.Validate(h.sched.Location(), h.now())
	if err != nil {
		return err
	}
	j, err := h.sched.UpdateSchedule(r.Context(), id, sched, version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"success": true, "job_id": id, "message": fmt.Sprintf("Job '%s' rescheduled: %s.", id, j.ScheduleText()), "job": jobJSON(j, true),
	})
	return nil
}

func (h *Handler) handleJobNextRuns(w http.ResponseWriter, r *http.Request) error {
	id, err := jobID(r)
	if err != nil {
		return err
	}
	q, err := query(r)
	if err != nil {
		return err
	}
	n := 5
	if s := q.Get("n"); s != "" {
		if n, err = strconv.Atoi(s); err != nil || n < 1 || n > 50 {
			return models.Invalid("n", "Invalid n: must be an integer from 1 to 50.")
		}
	}
	runs, err := h.sched.NextRuns(r.Context(), id, n)
	if err != nil {
		return err
	}
	out := make([]string, len(runs))
	for i, t := range runs {
		out[i] = t.Format(time.RFC3339)
	}
	writeJSON(w, http.StatusOK, map[string]any{"job_id": id, "timezone": h.sched.Location().String(), "next_runs": out})
	return nil
}

func (h *Handler) handleJobCreate(w http.ResponseWriter, r *http.Request) error {
	body, err := decodeObject(w, r, false, notObjectMessage)
	if err != nil {
		return err
	}
	spec, err := decodeJobInput(body).Validate(h.sched.Location(), h.now())
	if err != nil {
		return err
	}
	j, err := h.sched.Create(r.Context(), spec)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/scheduler/jobs/"+j.ID)
	writeJSON(w, http.StatusCreated, jobJSON(j, true))
	return nil
}

func (h *Handler) handleJobEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := jobID(r)
	if err != nil {
		return err
	}
	body, err := decodeObject(w, r, false, notObjectMessage)
	if err != nil {
		return err
	}
	current, err := h.store.GetJob(r.Context(), id)
	if err != nil {
		return err
	}
	in, err := decodeJobEdit(current.Kind, body)
	if err != nil {
		return err
	}
	edit, err := in.Validate(current.Kind)
	if err != nil {
		return err
	}
	j, err := h.sched.Edit(r.Context(), id, edit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, jobJSON(j, true))
	return nil
}

func (h *Handler) handleJobDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := jobID(r)
	if err != nil {
		return err
	}
	if err := h.sched.Delete(r.Context(), id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "job_id": id})
	return nil
}

// handleJobUnknownRoute answers a path under a job that no route serves: a
// bad id is still named as such.
func (h *Handler) handleJobUnknownRoute(w http.ResponseWriter, r *http.Request) error {
	if _, err := jobID(r); err != nil {
		return err
	}
	return h.handleNotFound(w, r)
}

// revealJob loads the job the route names and records, before anything is
// shown, that its caller had its secret values revealed.
func (h *Handler) revealJob(r *http.Request) (scheduler.Job, error) {
	j, err := h.jobByPath(r)
	if err != nil {
		return j, err
	}
	return j, h.store.RecordReveal(r.Context(), j.ID)
}

// handleJobReveal is POST /api/scheduler/jobs/{id}/reveal: the job's config
// with every value shown, for an admin, recorded in the audit log.
func (h *Handler) handleJobReveal(w http.ResponseWriter, r *http.Request) error {
	j, err := h.revealJob(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"job_id": j.ID, "config": models.RevealConfig(j.Config)})
	return nil
}
