package models

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// CronFields holds the cron fields that were given; nil means "not given".
// Expression, when set, replaces every other field.
type CronFields struct {
	Second, Minute, Hour, Day, Month *int
	DayOfWeek                        string // normalised names, "" when not given
	Expression                       string // a standard 5-field crontab line
}

var cronIntFields = [...]struct {
	name     string
	min, max int
}{
	{"second", 0, 59}, {"minute", 0, 59}, {"hour", 0, 23}, {"day", 1, 31}, {"month", 1, 12},
}

const cronKeys = "second, minute, hour, day, month, day_of_week, expression"

// parseCron reads cron fields; validate also rejects a schedule that never
// fires, which is checked on input only (it costs a cron parse).
func parseCron(args map[string]Value, loc *time.Location, validate bool) (CronFields, error) {
	var f CronFields
	for _, k := range sortedKeys(args) {
		if !strings.Contains(", "+cronKeys+",", ", "+k+",") {
			return f, Invalid(k, "Unknown cron field %q. Allowed: %s", k, cronKeys)
		}
	}
	if raw, ok := args["expression"]; ok {
		if len(args) > 1 {
			return f, Invalid("expression", `Cron "expression" cannot be combined with other cron fields.`)
		}
		if raw.Bare {
			return f, Invalid("expression", `Invalid cron field "expression": must be a string.`)
		}
		expr := strings.Join(strings.Fields(raw.Text), " ")
		if len(strings.Fields(expr)) != 5 {
			return f, Invalid("expression", `Invalid cron field "expression": must have 5 fields (minute hour day month day_of_week).`)
		}
		if msg := crontabProblem(expr); msg != "" {
			return f, Invalid("expression", "Invalid cron field \"expression\": %s.", msg)
		}
		if _, err := cron.ParseStandard(expr); err != nil {
			// crontabProblem found nothing, so the parser's words are all
			// there is; they are not shown (they name Go's internals).
			return f, Invalid("expression", `Invalid cron field "expression": %q is not a valid crontab line.`, expr)
		}
		f.Expression = expr
		if !validate {
			return f, nil
		}
		return f, checkFires(f, loc)
	}
	ptrs := []**int{&f.Second, &f.Minute, &f.Hour, &f.Day, &f.Month}
	for i, c := range cronIntFields {
		raw, ok := args[c.name]
		if !ok {
			continue
		}
		n, ok := raw.integer()
		if !ok {
			return f, Invalid(c.name, "Invalid cron field %q: must be an integer.", c.name)
		}
		if n < c.min || n > c.max {
			return f, Invalid(c.name, "Invalid cron field %q: %d is out of range %d–%d.", c.name, n, c.min, c.max)
		}
		*ptrs[i] = &n
	}
	if raw, ok := args["day_of_week"]; ok {
		dow, err := parseDayOfWeek(raw)
		if err != nil {
			return f, err
		}
		f.DayOfWeek = dow
	}
	if len(args) == 0 {
		return f, Invalid("trigger", "A cron schedule needs at least one of: %s.", cronKeys)
	}
	if f.Day != nil && f.DayOfWeek != "" {
		return f, Invalid("day_of_week", `Cron fields "day" and "day_of_week" cannot be combined.`)
	}
	if !validate {
		return f, nil
	}
	return f, checkFires(f, loc)
}

// checkFires rejects a valid-looking schedule that never fires (February 30th).
func checkFires(f CronFields, loc *time.Location) error {
	spec, seconds := f.Crontab()
	var p cron.Parser
	if seconds {
		p = cron.NewParser(cron.Second | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)
	} else {
		p = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)
	}
	sched, err := p.Parse(spec)
	if err != nil {
		return Invalid("trigger", "Invalid cron schedule: %s.", err.Error())
	}
	if sched.Next(time.Now().In(loc)).IsZero() {
		return Invalid("trigger", "This cron schedule never fires.")
	}
	return nil
}

var weekdayNames = [...]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// parseDayOfWeek reads mon…sun or 0–6 (0 is Monday, as in the original
// system), with lists and ranges, and returns a normalised lower-case string.
func parseDayOfWeek(raw Value) (string, error) {
	bad := Invalid("day_of_week", `Invalid cron field "day_of_week": use mon…sun or 0–6 (0 is Monday), with lists (mon,wed) and ranges (mon-fri).`)
	text := raw.Text
	if n, ok := raw.integer(); ok && raw.Bare {
		text = strconv.Itoa(n)
	} else if raw.Bare {
		return "", bad
	}
	day := func(s string) (int, bool) {
		s = strings.ToLower(strings.TrimSpace(s))
		if i := slices.Index(weekdayNames[:], s); i >= 0 {
			return i, true
		}
		if len(s) == 1 && s[0] >= '0' && s[0] <= '6' {
			return int(s[0] - '0'), true
		}
		return 0, false
	}
	var parts []string
	for _, item := range strings.Split(text, ",") {
		lo, hi, isRange := strings.Cut(item, "-")
		a, ok := day(lo)
		if !ok {
			return "", bad
		}
		if !isRange {
			parts = append(parts, weekdayNames[a])
			continue
		}
		b, ok := day(hi)
		if !ok || b < a {
			return "", bad
		}
		parts = append(parts, weekdayNames[a]+"-"+weekdayNames[b])
	}
	return strings.Join(parts, ","), nil
}

// weekdaySet expands a normalised day_of_week into robfig/cron's numbering
// (0 is Sunday), as a list, so ranges such as sat-sun need no wrap-around.
func weekdaySet(dow string) []int {
	var set []int
	for _, item := range strings.Split(dow, ",") {
		lo, hi, isRange := strings.Cut(item, "-")
		a := slices.Index(weekdayNames[:], lo)
		b := a
		if isRange {
			b = slices.Index(weekdayNames[:], hi)
		}
		for d := a; d <= b; d++ {
			set = append(set, (d+1)%7)
		}
	}
	slices.Sort(set)
	return slices.Compact(set)
}

// effective returns the value each field really has, as the original system's
// scheduler did: fields more significant than the least significant one given
// are "*", less significant ones take their minimum. Order: month, day, hour,
// minute, second; day_of_week stands beside day and is "*" unless given.
func (f CronFields) effective() (sec, min, hour, day, month string) {
	given := []bool{f.Month != nil, f.Day != nil || f.DayOfWeek != "", f.Hour != nil, f.Minute != nil, f.Second != nil}
	vals := []*int{f.Month, f.Day, f.Hour, f.Minute, f.Second}
	mins := []int{1, 1, 0, 0, 0}
	last := -1
	for i, g := range given {
		if g {
			last = i
		}
	}
	out := make([]string, 5)
	for i := range out {
		switch {
		case vals[i] != nil:
			out[i] = strconv.Itoa(*vals[i])
		case i < last || (i == 1 && f.DayOfWeek != ""):
			out[i] = "*"
		default:
			out[i] = strconv.Itoa(mins[i])
		}
	}
	return out[4], out[3], out[2], out[1], out[0]
}

// Crontab returns the line gocron runs and whether it has a seconds field.
func (f CronFields) Crontab() (string, bool) {
	if f.Expression != "" {
		return f.Expression, false
	}
	sec, min, hour, day, month := f.effective()
	dow := "*"
	if f.DayOfWeek != "" {
		var nums []string
		for _, d := range weekdaySet(f.DayOfWeek) {
			nums = append(nums, strconv.Itoa(d))
		}
		dow = strings.Join(nums, ",")
	}
	return strings.Join([]string{sec, min, hour, day, month, dow}, " "), true
}
