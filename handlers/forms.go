package handlers

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"switchboard/models"
	"switchboard/views"
)

// Form decoders fill the same inputs the API's JSON fills (jobinput.go),
// so a form and a script meet the same rules.

// scheduleInput reads the schedule editor's fields for its mode.
func scheduleInput(f url.Values) (models.ScheduleInput, error) {
	in := models.ScheduleInput{Args: map[string]models.Value{}}
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	set := func(k, v string) { in.Args[k] = *models.Text(v) }
	switch mode := get("mode"); mode {
	case "cron", "":
		for _, k := range []string{"minute", "hour", "day", "month", "day_of_week"} {
			if v := get(k); v != "" {
				set(k, v)
			}
		}
		if len(in.Args) == 0 {
			return in, models.Invalid("trigger", "Cron fields: fill in at least one of Minute, Hour, Day, Month or Weekdays.")
		}
		in.Trigger = models.TriggerCron
	case "crontab":
		set("expression", get("expression"))
		in.Trigger = models.TriggerCron
	case "interval":
		unit := get("unit")
		switch unit {
		case "seconds", "minutes", "hours", "days", "weeks":
		default:
			return in, models.Invalid("unit", "Choose a unit: seconds, minutes, hours, days or weeks.")
		}
		every := get("every")
		if every == "" {
			return in, models.Invalid("every", "Every: say how often, in %s.", unit)
		}
		set(unit, every)
		in.Trigger = models.TriggerInterval
	case "date":
		v := get("run_date")
		if v == "" {
			return in, models.Invalid("run_date", "Run once at: choose the date and time.")
		}
		set("run_date", v)
		in.Trigger = models.TriggerDate
	default:
		return in, models.Invalid("mode", "Unknown schedule mode %q.", mode)
	}
	return in, nil
}

// parseScheduleForm validates the editor's schedule.
func parseScheduleForm(f url.Values, loc *time.Location, now time.Time) (models.Schedule, error) {
	in, err := scheduleInput(f)
	if err != nil {
		return models.Schedule{}, err
	}
	return in.Validate(loc, now)
}

// scheduleFormFrom echoes the editor's fields back, for a re-render.
func scheduleFormFrom(f url.Values) views.ScheduleForm {
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	mode := get("mode")
	if mode == "" {
		mode = "cron"
	}
	unit := get("unit")
	if unit == "" {
		unit = "minutes"
	}
	return views.ScheduleForm{Mode: mode, Minute: get("minute"), Hour: get("hour"), Day: get("day"), Month: get("month"),
		DayOfWeek: get("day_of_week"), Expression: get("expression"), Every: get("every"), Unit: unit, RunDate: get("run_date")}
}

// scheduleFormOf fills the editor from a stored schedule.
func scheduleFormOf(s models.Schedule, loc *time.Location) views.ScheduleForm {
	f := views.ScheduleForm{Mode: "cron", Unit: "minutes"}
	opt := func(p *int) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(*p)
	}
	switch s.Trigger {
	case models.TriggerCron:
		if s.Cron.Expression != "" {
			f.Mode, f.Expression = "crontab", s.Cron.Expression
			break
		}
		f.Minute, f.Hour, f.Day, f.Month, f.DayOfWeek = opt(s.Cron.Minute), opt(s.Cron.Hour), opt(s.Cron.Day), opt(s.Cron.Month), s.Cron.DayOfWeek
	case models.TriggerInterval:
		f.Mode = "interval"
		d := s.Interval
		for _, u := range []struct {
			name string
			d    time.Duration
		}{{"weeks", 7 * 24 * time.Hour}, {"days", 24 * time.Hour}, {"hours", time.Hour}, {"minutes", time.Minute}, {"seconds", time.Second}} {
			if d%u.d == 0 {
				f.Every, f.Unit = strconv.FormatInt(int64(d/u.d), 10), u.name
				break
			}
		}
	case models.TriggerDate:
		f.Mode, f.RunDate = "date", s.RunDate.In(loc).Format("2006-01-02T15:04")
	}
	return f
}

// jobFormConfig reads the job form's settings for a job of the given
// kind; a webhook's headers are kept when the form leaves them blank (it
// shows them masked).
func jobFormConfig(f url.Values, kind string, oldHeaders map[string]string) (*models.JobConfig, error) {
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	switch kind {
	case models.KindPrompt:
		return &models.JobConfig{Prompt: &models.PromptConfig{Prompt: get("prompt"), Model: get("model")}}, nil
	case models.KindWebhook:
		cfg := models.WebhookConfig{URL: get("url"), Method: get("method"), Body: f.Get("body"), Headers: oldHeaders}
		if raw := get("headers"); raw != "" {
			cfg.Headers = map[string]string{}
			for _, line := range strings.Split(raw, "\n") {
				line = strings.TrimSpace(line)
				if line == "" {
					continue
				}
				k, v, ok := strings.Cut(line, ":")
				if !ok {
					return nil, models.Invalid("config.headers", "Write each header as Name: value on its own line.")
				}
				cfg.Headers[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
		return &models.JobConfig{Webhook: &cfg}, nil
	}
	return nil, nil // a builtin job's settings are its code's
}

// jobEditInput reads the job form as an edit of a job of the given kind.
func jobEditInput(f url.Values, kind string, oldHeaders map[string]string) (models.JobEditInput, error) {
	in := models.JobEditInput{Name: formText(f, "name"), Description: formText(f, "description"),
		MarketHoursOnly: models.Flag(f.Get("market_hours_only") == "true"), Version: models.Text(f.Get("version"))}
	if t := strings.TrimSpace(f.Get("timeout_seconds")); t != "" {
		in.TimeoutSeconds = models.Text(t)
	}
	var err error
	in.Config, err = jobFormConfig(f, kind, oldHeaders)
	return in, err
}

// jobCreateInput reads the new-job form.
func jobCreateInput(f url.Values) (models.JobInput, error) {
	kind := f.Get("kind")
	if kind != models.KindPrompt && kind != models.KindWebhook {
		return models.JobInput{}, models.Invalid("kind", "Choose a kind: AI prompt or webhook.")
	}
	edit, err := jobEditInput(f, kind, nil)
	if err != nil {
		return models.JobInput{}, err
	}
	in := models.JobInput{ID: formText(f, "id"), Kind: models.Text(kind), Name: edit.Name, Description: edit.Description,
		Config: edit.Config, MarketHoursOnly: edit.MarketHoursOnly, TimeoutSeconds: edit.TimeoutSeconds}
	in.Schedule, err = scheduleInput(f)
	return in, err
}

func formText(f url.Values, k string) *models.Value { return models.Text(strings.TrimSpace(f.Get(k))) }
