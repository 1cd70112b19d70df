package handlers

import (
	"encoding/json"
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
	loc := h.sched.Location()
	pf := r.PostForm
	f := views.JobForm{IsNew: true, ID: pf.Get("id"), Kind: pf.Get("kind")}
	echoJobForm(&f, pf)
	f.Schedule = scheduleFormFrom(pf)
	f.Schedule.Timezone = loc.String()
	spec, err := jobCreateSpec(pf, loc, h.now())
	var j scheduler.Job
	if err == nil {
		j, err = h.sched.Create(r.Context(), spec)
	}
	if err == nil {
		h.setFlash(w, r, fmt.Sprintf("Created %s.", j.Name))
		if isHTMX(r) {
			w.Header().Set("HX-Redirect", "/jobs/"+j.ID)
			w.WriteHeader(http.StatusCreated)
			return nil
		}
		http.Redirect(w, r, "/jobs/"+j.ID, http.StatusSeeOther)
		return nil
	}
	var conf *models.ConflictError
	if errors.As(err, &conf) {
		f.Errors = map[string]string{"id": conf.Message}
	} else if f.Errors, err = formFieldErrors(err, scheduleFieldsAsSchedule); err != nil {
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
var scheduleFieldsAsSchedule = map[string]string{
	"trigger": "schedule", "minute": "schedule", "hour": "schedule", "day": "schedule", "month": "schedule",
	"day_of_week": "schedule", "expression": "schedule", "every": "schedule", "unit": "schedule", "run_date": "schedule",
	"seconds": "schedule", "minutes": "schedule", "hours": "schedule", "days": "schedule", "weeks": "schedule",
	"mode": "schedule",
}

func (h *Handler) handlePageJobEdit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	current, err := h.jobByPath(r)
	if err != nil {
		return err
	}
	id := current.ID
	form := jobFormOf(current)
	echoJobForm(&form, r.PostForm)
	edit, err := func() (models.JobEdit, error) {
		in, err := jobEditInput(r.PostForm, current.Kind, webhookConfig(current).Headers)
		if err != nil {
			return models.JobEdit{}, err
		}
		return in.Validate(current.Kind)
	}()
	if err == nil {
		var j scheduler.Job
		if j, err = h.sched.Edit(r.Context(), id, edit); err == nil {
			if !isHTMX(r) {
				http.Redirect(w, r, "/jobs/"+id, http.StatusSeeOther)
				return nil
			}
			f := jobFormOf(j)
			f.Saved = true
			return h.renderFragment(w, http.StatusOK, views.JobDefinition(f), views.Toast("ok", "Saved "+j.Name+"."))
		}
	}
	var vce *scheduler.VersionConflictError
	if errors.As(err, &vce) {
		form.Version = vce.Current.Version
		form.Message = fmt.Sprintf("Someone else changed this job (now version %d). Your changes were not saved; save again to replace theirs.", vce.Current.Version)
		return h.renderFragment(w, http.StatusConflict, views.JobDefinition(form))
	}
	errs, err := formFieldErrors(err, nil)
	if err != nil {
		return err
	}
	form.Errors = errs
	return h.renderFragment(w, http.StatusUnprocessableEntity, views.JobDefinition(form))
}

// jobFormOf fills the definition form from a job; webhook header values
// are never sent back, only their names, and the URL's credentials and
// query values and the body are masked (sent back unchanged, they keep
// the stored ones) unless the admin asked to reveal them.
func jobFormOf(j scheduler.Job) views.JobForm { return jobForm(j, false) }

func jobForm(j scheduler.Job, reveal bool) views.JobForm {
	f := views.JobForm{ID: j.ID, Kind: j.Kind, Name: j.Name, Description: j.Description, MarketHours: j.MarketHoursOnly, Version: j.Version}
	if j.TimeoutSeconds > 0 {
		f.Timeout = strconv.Itoa(j.TimeoutSeconds)
	}
	switch j.Kind {
	case models.KindPrompt:
		var c models.PromptConfig
		_ = json.Unmarshal([]byte(j.Config), &c)
		f.Prompt, f.Model = c.Prompt, c.Model
	case models.KindWebhook:
		c := webhookConfig(j)
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
	return f
}

// webhookConfig decodes a webhook job's stored config (validated when it
// was saved); other kinds give the zero config.
func webhookConfig(j scheduler.Job) models.WebhookConfig {
	var c models.WebhookConfig
	if j.Kind == models.KindWebhook {
		_ = json.Unmarshal([]byte(j.Config), &c)
	}
	return c
}

// echoJobForm puts what the operator typed back into the form, for a
// re-render after an error.
func echoJobForm(f *views.JobForm, pf url.Values) {
	f.Name, f.Description, f.Timeout = pf.Get("name"), pf.Get("description"), pf.Get("timeout_seconds")
	f.MarketHours = pf.Get("market_hours_only") == "true"
	f.Prompt, f.Model = pf.Get("prompt"), pf.Get("model")
	f.URL, f.Method, f.Body = pf.Get("url"), pf.Get("method"), pf.Get("body")
}
