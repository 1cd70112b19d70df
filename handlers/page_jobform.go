package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"switchboard/models"
	"switchboard/scheduler"
	"switchboard/views"
)

// The job definition form: a new job, and an existing job's edit.

func (h *Handler) handleNewJobPage(w http.ResponseWriter, r *http.Request) error {
	sf := views.ScheduleForm{Mode: "cron", Hour: "9", Minute: "0", Unit: "minutes", Timezone: h.sched.Location().String()}
	s, _ := parseScheduleForm(url.Values{"mode": {"cron"}, "hour": {"9"}, "minute": {"0"}}, h.sched.Location(), h.now())
	f := views.JobForm{IsNew: true, Kind: models.KindPrompt, Method: "POST", Schedule: sf, Preview: h.preview(s)}
	fillCrontab(&f.Schedule, f.Preview)
	h.renderPage(w, r, http.StatusOK, "New job", "jobs", "", views.NewJobPage(f))
	return nil
}

func (h *Handler) handlePageJobCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	pf := r.PostForm
	spec, err := jobCreateSpec(pf, h.sched.Location(), h.now())
	if err != nil {
		return h.jobCreateRefused(w, pf, err)
	}
	j, err := h.sched.Create(r.Context(), spec)
	if err != nil {
		return h.jobCreateRefused(w, pf, err)
	}
	h.setFlash(w, r, fmt.Sprintf("Created %s.", j.Name))
	goTo(w, r, "/jobs/"+j.ID, http.StatusCreated)
	return nil
}

// jobCreateRefused shows the new-job form again with what was typed and
// why it was refused; an error that is not the operator's is returned.
func (h *Handler) jobCreateRefused(w http.ResponseWriter, pf url.Values, err error) error {
	loc := h.sched.Location()
	f := views.JobForm{IsNew: true, ID: pf.Get("id"), Kind: pf.Get("kind")}
	echoJobForm(&f, pf)
	f.Schedule = scheduleFormFrom(pf)
	f.Schedule.Timezone = loc.String()
	var conf *models.ConflictError
	if errors.As(err, &conf) {
		f.Errors = map[string]string{"id": conf.Message}
	} else if f.Errors, err = formFieldErrors(err, scheduleFieldsAsSchedule()); err != nil {
		return err
	}
	if s, perr := parseScheduleForm(pf, loc, h.now()); perr == nil {
		f.Preview = h.preview(s)
	}
	if _, bad := f.Errors["schedule"]; bad {
		f.Schedule.Errors = f.Errors
	}
	return h.renderFragment(w, http.StatusUnprocessableEntity, views.JobDefinition(f))
}

// jobCreateSpec validates the new-job form.
func jobCreateSpec(pf url.Values, loc *time.Location, now time.Time) (models.JobSpec, error) {
	in, err := jobCreateInput(pf)
	if err != nil {
		return models.JobSpec{}, err
	}
	return in.Validate(loc, now)
}

// scheduleFieldsAsSchedule maps a schedule field's error onto the editor's
// one message slot.
func scheduleFieldsAsSchedule() map[string]string {
	return map[string]string{
		"trigger": "schedule", "minute": "schedule", "hour": "schedule", "day": "schedule", "month": "schedule",
		"day_of_week": "schedule", "expression": "schedule", "every": "schedule", "unit": "schedule", "run_date": "schedule",
		"seconds": "schedule", "minutes": "schedule", "hours": "schedule", "days": "schedule", "weeks": "schedule",
		"mode": "schedule",
	}
}

func (h *Handler) handlePageJobEdit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	current, err := h.jobByPath(r)
	if err != nil {
		return err
	}
	edit, err := jobEdit(current, r.PostForm)
	if err != nil {
		return h.jobEditRefused(w, current, r.PostForm, err)
	}
	j, err := h.sched.Edit(r.Context(), current.ID, edit)
	if err != nil {
		return h.jobEditRefused(w, current, r.PostForm, err)
	}
	if !isHTMX(r) {
		http.Redirect(w, r, "/jobs/"+j.ID, http.StatusSeeOther)
		return nil
	}
	f, err := jobFormOf(j)
	if err != nil {
		return err
	}
	f.Saved = true
	return h.renderFragment(w, http.StatusOK, views.JobDefinition(f), views.Toast("ok", "Saved "+j.Name+"."))
}

// jobEdit validates the definition form as an edit of current.
func jobEdit(current scheduler.Job, pf url.Values) (models.JobEdit, error) {
	var headers map[string]string
	if current.Kind == models.KindWebhook {
		c, err := models.StoredConfig[models.WebhookConfig](current.Config)
		if err != nil {
			return models.JobEdit{}, err
		}
		headers = c.Headers
	}
	in, err := jobEditInput(pf, current.Kind, headers)
	if err != nil {
		return models.JobEdit{}, err
	}
	return in.Validate(current.Kind)
}

// jobEditRefused shows the definition form again with what was typed and
// why it was not saved: someone else's change (409) or the operator's
// input (422); an error that is neither is returned.
func (h *Handler) jobEditRefused(w http.ResponseWriter, current scheduler.Job, pf url.Values, err error) error {
	form, ferr := jobFormOf(current)
	if ferr != nil {
		return ferr
	}
	echoJobForm(&form, pf)
	var vce *scheduler.VersionConflictError
	if errors.As(err, &vce) {
		form.Version = vce.Current.Version
		form.Message = fmt.Sprintf("Someone else changed this job (now version %d). Your changes were not saved; save again to replace theirs.", vce.Current.Version)
		return h.renderFragment(w, http.StatusConflict, views.JobDefinition(form))
	}
	if form.Errors, err = formFieldErrors(err, nil); err != nil {
		return err
	}
	return h.renderFragment(w, http.StatusUnprocessableEntity, views.JobDefinition(form))
}

// jobFormOf fills the definition form from a job; webhook header values
// are never sent back, only their names, and the URL's credentials and
// query values and the body are masked (sent back unchanged, they keep
// the stored ones) unless the admin asked to reveal them.
func jobFormOf(j scheduler.Job) (views.JobForm, error) { return jobForm(j, false) }

func jobForm(j scheduler.Job, reveal bool) (views.JobForm, error) {
	f := views.JobForm{ID: j.ID, Kind: j.Kind, Name: j.Name, Description: j.Description, MarketHours: j.MarketHoursOnly, Version: j.Version}
	if j.TimeoutSeconds > 0 {
		f.Timeout = strconv.Itoa(j.TimeoutSeconds)
	}
	switch j.Kind {
	case models.KindPrompt:
		c, err := models.StoredConfig[models.PromptConfig](j.Config)
		if err != nil {
			return f, err
		}
		f.Prompt, f.Model = c.Prompt, c.Model
	case models.KindWebhook:
		c, err := models.StoredConfig[models.WebhookConfig](j.Config)
		if err != nil {
			return f, err
		}
		f.URL, f.Method, f.Body = c.URL, c.Method, c.Body
		if !reveal {
			f.URL = models.MaskURL(c.URL)
			if c.Body != "" {
				f.Body = models.Mask(c.Body)
			}
			f.Masked = f.URL != c.URL || f.Body != c.Body
		}
		for k := range c.Headers {
			f.HeadersSet = append(f.HeadersSet, k)
		}
		slices.Sort(f.HeadersSet)
	}
	return f, nil
}

// echoJobForm puts what the operator typed back into the form, for a
// re-render after an error.
func echoJobForm(f *views.JobForm, pf url.Values) {
	f.Name, f.Description, f.Timeout = pf.Get("name"), pf.Get("description"), pf.Get("timeout_seconds")
	f.MarketHours = pf.Get("market_hours_only") == "true"
	f.Prompt, f.Model = pf.Get("prompt"), pf.Get("model")
	f.URL, f.Method, f.Body = pf.Get("url"), pf.Get("method"), pf.Get("body")
}
