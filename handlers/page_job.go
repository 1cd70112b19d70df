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
	v := views.JobDetail{Job: jobRow(j, write), Kind: j.Kind, Schedule: sf, Preview: p,
		Form: jobFormOf(j), Runs: rows, Chart: durationChart(runs, loc), CanWrite: write}
	if v.History, err = h.historyView(r, j); err != nil {
		return err
	}
	h.renderPage(w, r, http.StatusOK, j.Name, "jobs", "/events?view=job&id="+url.QueryEscape(j.ID), views.JobPage(v))
	return nil
}

// preview is the next five runs of s and its DST warnings.
func (h *Handler) preview(s models.Schedule) views.Preview {
	loc := h.sched.Location()
	now := time.Now()
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
	s, err := parseScheduleForm(q, h.sched.Location(), time.Now())
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
	s, err := parseScheduleForm(r.PostForm, loc, time.Now())
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
		return notFoundAsJob(id, err)
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
		body, err := jobFormBody(r.PostForm, current.Kind, false, webhookConfig(current).Headers)
		if err != nil {
			return models.JobEdit{}, err
		}
		if current.Kind == models.KindBuiltin {
			delete(body, "config")
		}
		body["version"] = jsonString(r.PostForm.Get("version"))
		return models.ParseJobEdit(current.Kind, body)
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
		return notFoundAsJob(id, err)
	}
	form.Errors = errs
	return h.renderFragment(w, http.StatusUnprocessableEntity, views.JobDefinition(form))
}

func (h *Handler) handleNewJobPage(w http.ResponseWriter, r *http.Request) error {
	sf := views.ScheduleForm{Mode: "cron", Hour: "9", Minute: "0", Unit: "minutes", Timezone: h.sched.Location().String()}
	s, _ := parseScheduleForm(url.Values{"mode": {"cron"}, "hour": {"9"}, "minute": {"0"}}, h.sched.Location(), time.Now())
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
	spec, err := jobCreateSpec(pf, loc, time.Now())
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
	} else if f.Errors, err = formFieldErrors(err, scheduleFieldsAsSchedule()); err != nil {
		return err
	}
	if s, perr := parseScheduleForm(pf, loc, time.Now()); perr == nil {
		f.Preview = h.preview(s)
	}
	if _, bad := f.Errors["schedule"]; bad {
		f.Schedule.Errors = f.Errors
	}
	return h.renderFragment(w, http.StatusUnprocessableEntity, views.JobDefinition(f))
}

// jobCreateSpec validates the new-job form.
func jobCreateSpec(pf url.Values, loc *time.Location, now time.Time) (models.JobSpec, error) {
	kind := pf.Get("kind")
	if kind != models.KindPrompt && kind != models.KindWebhook {
		return models.JobSpec{}, models.Invalid("kind", "Choose a kind: AI prompt or webhook.")
	}
	body, err := jobFormBody(pf, kind, true, nil)
	if err != nil {
		return models.JobSpec{}, err
	}
	trigger, args, err := scheduleArgs(pf)
	if err != nil {
		return models.JobSpec{}, err
	}
	body["trigger"] = jsonString(trigger)
	for k, v := range args {
		body[k] = v
	}
	return models.ParseJobCreate(body, loc, now)
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

func (h *Handler) handlePageJobDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := jobID(r)
	if err != nil {
		return err
	}
	j, err := h.sched.Get(r.Context(), id)
	if err != nil {
		return notFoundAsJob(id, err)
	}
	if err := h.sched.Delete(r.Context(), id); err != nil {
		return notFoundAsJob(id, err)
	}
	h.setFlash(w, r, fmt.Sprintf("Deleted %s.", j.Name))
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", "/jobs")
		w.WriteHeader(http.StatusOK)
		return nil
	}
	http.Redirect(w, r, "/jobs", http.StatusSeeOther)
	return nil
}

// durationChart draws the runs (newest first, as listed) oldest on the
// left, each bar's height its share of the longest.
func durationChart(runs []models.JobRun, loc *time.Location) views.Chart {
	const width, height, gap = 500, 120, 2
	c := views.Chart{Width: width, Height: height}
	var longest int64 = 1
	for _, r := range runs {
		if r.DurationMs != nil && *r.DurationMs > longest {
			longest = *r.DurationMs
		}
	}
	barW := width/chartRuns - gap
	for i := len(runs) - 1; i >= 0; i-- {
		r := runs[i]
		var ms int64
		if r.DurationMs != nil {
			ms = *r.DurationMs
		}
		h := max(int(ms*(height-4)/longest), 2)
		x := (len(runs) - 1 - i) * (barW + gap)
		c.Bars = append(c.Bars, views.Bar{X: x, Y: height - 1 - h, W: barW, H: h, Status: r.Status,
			Title: fmt.Sprintf("%s: %s, %s", formatClock(r.StartedAt, loc), r.Status, formatDuration(time.Duration(ms)*time.Millisecond))})
	}
	c.MaxLabel = formatDuration(time.Duration(longest) * time.Millisecond)
	return c
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
	return h.renderFragment(w, http.StatusOK, views.JobDefinition(jobForm(j, true)))
}
