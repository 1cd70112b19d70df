package models

import (
	"encoding/json"
	"fmt"
	"time"
)

// Trigger kinds.
const (
	TriggerCron     = "cron"
	TriggerInterval = "interval"
	TriggerDate     = "date"
)

// MaxInterval is the longest interval a job may have (100 years), which also
// keeps every interval inside time.Duration.
const MaxInterval = 52_560_000 * time.Minute

// Schedule is a validated, normalised trigger: exactly one of its parts is
// meaningful, chosen by Trigger.
type Schedule struct {
	Trigger  string
	Cron     CronFields
	Interval time.Duration
	RunDate  time.Time
	// Moved says why RunDate is not the wall-clock time that was given: it
	// did not exist in the zone (clocks went forward over it).
	Moved string
}

const intervalKeys = "weeks, days, hours, minutes, seconds"

// MissingTriggerMessage is the api.md message for a body without a trigger.
const MissingTriggerMessage = `Request body must include "trigger" (cron or interval).`

// ScheduleInput is a schedule as someone wrote it: a trigger, and its
// arguments by name (api.md's keys: "minute", "expression", "minutes",
// "run_date"…). The API and the schedule editor both fill one.
type ScheduleInput struct {
	Trigger string
	Args    map[string]Value
}

// Validate checks the schedule and returns it normalised. Dates must lie
// after now; times without an offset are read in loc.
func (in ScheduleInput) Validate(loc *time.Location, now time.Time) (Schedule, error) {
	return parseSchedule(in.Trigger, in.Args, loc, now, true)
}

// DecodeSchedule reads a schedule back from its stored trigger and normalised
// arguments. A date in the past is allowed here: it simply never fires again.
func DecodeSchedule(trigger, argsJSON string, loc *time.Location) (Schedule, error) {
	args, err := storedArgs(argsJSON)
	if err != nil {
		return Schedule{}, fmt.Errorf("stored trigger args: %w", err)
	}
	return parseSchedule(trigger, args, loc, time.Time{}, false)
}

func parseSchedule(trigger string, args map[string]Value, loc *time.Location, now time.Time, future bool) (Schedule, error) {
	switch trigger {
	case "":
		return Schedule{}, Invalid("trigger", MissingTriggerMessage)
	case TriggerCron:
		f, err := parseCron(args, loc, future)
		return Schedule{Trigger: TriggerCron, Cron: f}, err
	case TriggerInterval:
		d, err := parseInterval(args, future)
		return Schedule{Trigger: TriggerInterval, Interval: d}, err
	case TriggerDate:
		t, moved, err := parseRunDate(args, loc, now, future)
		return Schedule{Trigger: TriggerDate, RunDate: t, Moved: moved}, err
	default:
		return Schedule{}, Invalid("trigger", "Invalid trigger type: %s. Must be one of: cron, interval, date", trigger)
	}
}

// parseInterval reads an interval. Input limits each field to 52,560,000;
// stored schedules are normalised to seconds, which may exceed that (100
// weeks), so decoding (input false) bounds only the total.
func parseInterval(args map[string]Value, input bool) (time.Duration, error) {
	units := map[string]time.Duration{
		"weeks": 7 * 24 * time.Hour, "days": 24 * time.Hour, "hours": time.Hour,
		"minutes": time.Minute, "seconds": time.Second,
	}
	if len(args) == 0 {
		return 0, Invalid("trigger", "An interval schedule needs at least one of: %s.", intervalKeys)
	}
	var total time.Duration
	for _, k := range sortedKeys(args) {
		unit, ok := units[k]
		if !ok {
			return 0, Invalid(k, "Unknown interval field %q. Allowed: %s", k, intervalKeys)
		}
		n, ok := args[k].integer()
		if !ok {
			return 0, Invalid(k, "Invalid interval field %q: must be an integer.", k)
		}
		if n < 1 || (input && n > 52_560_000) {
			return 0, Invalid(k, "Invalid interval field %q: %d is out of range 1–52,560,000.", k, n)
		}
		if time.Duration(n) > MaxInterval/unit {
			return 0, Invalid(k, "An interval can be at most 100 years.")
		}
		// Each term is at most 52,560,000 weeks, far below overflow; the
		// running total is checked at every step.
		total += time.Duration(n) * (unit / time.Second) * time.Second
		if total > MaxInterval || total < 0 {
			return 0, Invalid(k, "An interval can be at most 100 years.")
		}
	}
	return total, nil
}

var runDateLayouts = [...]string{
	time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04",
}

func parseRunDate(args map[string]Value, loc *time.Location, now time.Time, future bool) (time.Time, string, error) {
	for k := range args {
		if k != "run_date" {
			return time.Time{}, "", Invalid(k, "Unknown date field %q. Allowed: run_date", k)
		}
	}
	raw, ok := args["run_date"]
	if !ok {
		return time.Time{}, "", Invalid("run_date", `A date schedule needs "run_date" (ISO 8601).`)
	}
	if raw.Bare {
		return time.Time{}, "", Invalid("run_date", `Invalid "run_date": must be an ISO 8601 string.`)
	}
	text := raw.Text
	for i, layout := range runDateLayouts {
		var t time.Time
		var err error
		var moved string
		if i == 0 {
			t, err = time.Parse(layout, text)
		} else {
			var wall time.Time
			if wall, err = time.Parse(layout, text); err == nil {
				t, moved = wallTime(wall, loc)
			}
		}
		if err != nil {
			continue
		}
		if future && !t.After(now) {
			return time.Time{}, "", Invalid("run_date", `Invalid "run_date": %s is not in the future.`, text)
		}
		return t.Truncate(time.Second), moved, nil
	}
	return time.Time{}, "", Invalid("run_date", `Invalid "run_date": %q is not an ISO 8601 date and time.`, text)
}

// wallTime reads a wall-clock time (given in UTC's fields) in loc. Go
// leaves a time that does not exist (clocks went forward over it) to
// chance; here it moves forward by the gap, 02:30 to 03:30, as a clock
// would read had it not jumped, and moved says so. A time that happens
// twice (clocks went back) is the first of the two, as Go gives it;
// DSTWarnings names which.
func wallTime(wall time.Time, loc *time.Location) (t time.Time, moved string) {
	y, mo, d := wall.Date()
	h, mi, sec := wall.Clock()
	t = time.Date(y, mo, d, h, mi, sec, wall.Nanosecond(), loc)
	if sameWall(t.In(loc), wall) {
		return t, ""
	}
	// In a gap: read the wall time with the offset in force before it.
	_, before := t.Add(-6 * time.Hour).In(loc).Zone()
	t = time.Date(y, mo, d, h, mi, sec, wall.Nanosecond(), time.FixedZone("", before)).In(loc)
	tr := transitions(loc, t.Add(-6*time.Hour), t.Add(6*time.Hour))
	from, to := wall.Format("15:04"), t.Format("15:04")
	if len(tr) > 0 {
		from, to = tr[0].In(time.FixedZone("", before)).Format("15:04"), tr[0].In(loc).Format("15:04")
	}
	return t, fmt.Sprintf("%s: clocks go forward from %s to %s in %s, so %s does not exist that day; the job runs at %s instead.",
		wall.Format("Mon 2 Jan 2006"), from, to, loc, wall.Format("15:04"), t.Format("15:04 MST"))
}

func sameWall(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd && a.Hour() == b.Hour() && a.Minute() == b.Minute() && a.Second() == b.Second()
}

// Args returns the normalised trigger arguments of api.md.
func (s Schedule) Args() map[string]any {
	switch s.Trigger {
	case TriggerInterval:
		return map[string]any{"seconds": int64(s.Interval / time.Second)}
	case TriggerDate:
		return map[string]any{"run_date": s.RunDate.Format(time.RFC3339)}
	}
	f := s.Cron
	if f.Expression != "" {
		return map[string]any{"expression": f.Expression}
	}
	out := map[string]any{}
	for _, p := range []struct {
		k string
		v *int
	}{{"second", f.Second}, {"minute", f.Minute}, {"hour", f.Hour}, {"day", f.Day}, {"month", f.Month}} {
		if p.v != nil {
			out[p.k] = *p.v
		}
	}
	if f.DayOfWeek != "" {
		out["day_of_week"] = f.DayOfWeek
	}
	return out
}

// ArgsJSON is Args encoded for storage.
func (s Schedule) ArgsJSON() string {
	b, _ := json.Marshal(s.Args()) // a map of ints and strings always encodes
	return string(b)
}
