package handlers

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"switchboard/models"
	"switchboard/views"
)

// Form decoders turn the console's forms into the JSON bodies the API
// parsers already validate, so a form and a script meet the same rules.

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s) // a string always encodes
	return b
}

// scheduleArgs reads the schedule editor's fields for its mode.
func scheduleArgs(f url.Values) (trigger string, args map[string]json.RawMessage, err error) {
	args = map[string]json.RawMessage{}
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	switch mode := get("mode"); mode {
	case "cron", "":
		for _, k := range []string{"minute", "hour", "day", "month", "day_of_week"} {
			if v := get(k); v != "" {
				args[k] = jsonString(v)
			}
		}
		if len(args) == 0 {
			return "", nil, models.Invalid("trigger", "Cron fields: fill in at least one of Minute, Hour, Day, Month or Weekdays.")
		}
		return models.TriggerCron, args, nil
	case "crontab":
		args["expression"] = jsonString(get("expression"))
		return models.TriggerCron, args, nil
	case "interval":
		unit := get("unit")
		switch unit {
		case "seconds", "minutes", "hours", "days", "weeks":
		default:
			return "", nil, models.Invalid("unit", "Choose a unit: seconds, minutes, hours, days or weeks.")
		}
		every := get("every")
		if every == "" {
			return "", nil, models.Invalid("every", "Every: say how often, in %s.", unit)
		}
		args[unit] = jsonString(every)
		return models.TriggerInterval, args, nil
	case "date":
		v := get("run_date")
		if v == "" {
			return "", nil, models.Invalid("run_date", "Run once at: choose the date and time.")
		}
		args["run_date"] = jsonString(v)
		return models.TriggerDate, args, nil
	default:
		return "", nil, models.Invalid("mode", "Unknown schedule mode %q.", mode)
	}
}

// parseScheduleForm validates the editor's schedule.
func parseScheduleForm(f url.Values, loc *time.Location, now time.Time) (models.Schedule, error) {
	trigger, args, err := scheduleArgs(f)
	if err != nil {
		return models.Schedule{}, err
	}
	return models.ParseSchedule(trigger, args, loc, now)
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

// jobFormBody turns the job form into the API's create or edit body.
func jobFormBody(f url.Values, kind string, isNew bool, oldHeaders map[string]string) (map[string]json.RawMessage, error) {
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	body := map[string]json.RawMessage{"name": jsonString(get("name")), "description": jsonString(get("description"))}
	if isNew {
		body["id"] = jsonString(get("id"))
		body["kind"] = jsonString(kind)
	}
	if t := get("timeout_seconds"); t != "" {
		body["timeout_seconds"] = jsonString(t)
	}
	mh, _ := json.Marshal(f.Get("market_hours_only") == "true")
	body["market_hours_only"] = mh
	switch kind {
	case models.KindPrompt:
		cfg := models.PromptConfig{Prompt: get("prompt"), Model: get("model")}
		body["config"], _ = json.Marshal(cfg)
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
		body["config"], _ = json.Marshal(cfg)
	}
	return body, nil
}
