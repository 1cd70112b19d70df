package models

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// crontabFields are the five fields of a crontab line, named as a person
// reads them, with their ranges and the names robfig/cron accepts.
var crontabFields = [...]struct {
	name     string
	min, max int
	names    []string // names for min, min+1, …
}{
	{"minute", 0, 59, nil},
	{"hour", 0, 23, nil},
	{"day of month", 1, 31, nil},
	{"month", 1, 12, []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
	{"weekday", 0, 6, []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
}

// crontabProblem says what is wrong with a five-field crontab line, in
// words, naming the field and the part at fault; "" when it is sound. It
// runs before robfig/cron's parser, whose errors speak of strconv.Atoi, and
// refuses what that parser accepts but nobody means: a step longer than
// its field (*/70 in minutes runs only at :00, it does not carry over into
// the next hour).
func crontabProblem(expr string) string {
	fields := strings.Fields(expr)
	if len(fields) != 5 {
		return fmt.Sprintf("needs 5 fields (minute hour day-of-month month weekday), not %d", len(fields))
	}
	for i, f := range fields {
		c := crontabFields[i]
		for _, item := range strings.Split(f, ",") {
			if msg := crontabItemProblem(item, c.min, c.max, c.names); msg != "" {
				return fmt.Sprintf("%s %q: %s", c.name, f, msg)
			}
		}
	}
	return ""
}

func crontabItemProblem(item string, lo, hi int, names []string) string {
	if item == "" {
		return "an empty item between commas"
	}
	span, step, hasStep := strings.Cut(item, "/")
	if hasStep {
		n, err := strconv.Atoi(step)
		switch {
		case step == "":
			return fmt.Sprintf("%q needs a number after \"/\" (like */5)", item)
		case err != nil || n < 1:
			return fmt.Sprintf("the step %q must be a whole number of 1 or more", step)
		case n > hi-lo:
			return fmt.Sprintf("a step of %d is longer than the field (%d–%d): it would run only once, at its start; steps do not carry over", n, lo, hi)
		}
	}
	if span == "*" || span == "?" {
		return ""
	}
	a, b, isRange := strings.Cut(span, "-")
	value := func(s, what string) (int, string) {
		if s == "" {
			return 0, fmt.Sprintf("%q needs a number %s \"-\" (like 1-5)", item, what)
		}
		for i, n := range names {
			if strings.EqualFold(s, n) {
				return lo + i, ""
			}
		}
		n, err := strconv.Atoi(s)
		if err != nil || strings.HasPrefix(s, "+") {
			if names != nil {
				return 0, fmt.Sprintf("%q is not a number %d–%d or a name (%s…%s)", s, lo, hi, names[0], names[len(names)-1])
			}
			return 0, fmt.Sprintf("%q is not a number", s)
		}
		if n < lo || n > hi {
			return 0, fmt.Sprintf("%d is out of range %d–%d", n, lo, hi)
		}
		return n, ""
	}
	start, msg := value(a, "before")
	if msg != "" || !isRange {
		return msg
	}
	end, msg := value(b, "after")
	if msg != "" {
		return msg
	}
	if start > end {
		return fmt.Sprintf("the range %s runs backwards; cron ranges do not wrap around (write %s,%s instead)", span, a+"-"+strconv.Itoa(hi), strconv.Itoa(lo)+"-"+b)
	}
	return ""
}

// CrontabLine is the five-field crontab line that runs as s does, for the
// editor's crontab box; "" when there is none (a one-time run, a cron
// schedule with seconds, an interval that does not divide an hour or a
// day evenly). An interval is anchored at its next run, in loc.
func (s Schedule) CrontabLine(next time.Time, loc *time.Location) string {
	switch s.Trigger {
	case TriggerCron:
		spec, seconds := s.Cron.Crontab()
		if !seconds {
			return spec
		}
		sec, rest, _ := strings.Cut(spec, " ")
		if sec != "0" {
			return ""
		}
		return rest
	case TriggerInterval:
		if next.IsZero() || s.Interval%time.Minute != 0 {
			return ""
		}
		next = next.In(loc)
		m, h := next.Minute(), next.Hour()
		every := func(at, n, max int) string {
			if at%n == 0 {
				return "*/" + strconv.Itoa(n)
			}
			return fmt.Sprintf("%d-%d/%d", at%n, max, n)
		}
		switch d := s.Interval; {
		case d < time.Hour && time.Hour%d == 0:
			return every(m, int(d/time.Minute), 59) + " * * * *"
		case d < 24*time.Hour && d%time.Hour == 0 && (24*time.Hour)%d == 0:
			return fmt.Sprintf("%d %s * * *", m, every(h, int(d/time.Hour), 23))
		case d == 24*time.Hour:
			return fmt.Sprintf("%d %d * * *", m, h)
		case d == 7*24*time.Hour:
			return fmt.Sprintf("%d %d * * %d", m, h, int(next.Weekday()))
		}
	}
	return ""
}
