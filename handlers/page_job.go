package handlers

import (
	"fmt"
	"net/http"
	"net/url"

	"switchboard/models"
	"switchboard/views"
)

// chartRuns is how many runs the duration chart shows.
const chartRuns = 50

func (h *Handler) handleJobPage(w http.ResponseWriter, r *http.Request) error {
	j, err := h.jobByPath(r)
	if err != nil {
		return err
	}
	runs, _, err := h.store.ListRuns(r.Context(), models.RunFilter{JobID: j.ID, Limit: chartRuns})
	if err != nil {
		return err
	}
	loc := h.sched.Location()
	rows := make([]views.RunRow, 0, 20)
	for i, run := range runs {
		if i < 20 {
			rows = append(rows, runRow(run, loc))
		}
	}
	write := canWrite(r)
	sf := scheduleFormOf(j.Schedule, loc)
	sf.JobID, sf.Version, sf.Timezone = j.ID, j.Version, loc.String()
	p := h.preview(j.Schedule)
	fillCrontab(&sf, p)
	form, err := jobFormOf(j)
	if err != nil {
		return err
	}
	v := views.JobDetail{Job: jobRow(j, write, h.now()), Kind: j.Kind, Schedule: sf, Preview: p,
		Form: form, Runs: rows, Chart: durationChart(runs, loc), CanWrite: write}
	if v.History, err = h.historyView(r, j); err != nil {
		return err
	}
	h.renderPage(w, r, http.StatusOK, j.Name, "jobs", "/events?view=job&id="+url.QueryEscape(j.ID), views.JobPage(v))
	return nil
}

func (h *Handler) handlePageJobDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := jobID(r)
	if err != nil {
		return err
	}
	j, err := h.sched.Get(r.Context(), id)
	if err != nil {
		return err
	}
	if err := h.sched.Delete(r.Context(), id); err != nil {
		return err
	}
	h.setFlash(w, r, fmt.Sprintf("Deleted %s.", j.Name))
	goTo(w, r, "/jobs", http.StatusOK)
	return nil
}

// handlePageJobReveal re-renders the definition with the webhook's values
// shown, and records that in the audit log.
func (h *Handler) handlePageJobReveal(w http.ResponseWriter, r *http.Request) error {
	j, err := h.revealJob(r)
	if err != nil {
		return err
	}
	if !isHTMX(r) {
		http.Redirect(w, r, "/jobs/"+j.ID, http.StatusSeeOther)
		return nil
	}
	f, err := jobForm(j, true)
	if err != nil {
		return err
	}
	return h.renderFragment(w, http.StatusOK, views.JobDefinition(f))
}
