package models

import (
	"fmt"
	"strconv"
	"strings"
)

// crontabFields are the five fields of a crontab line, named as a person
// reads them, with their ranges and the names robfig/cron accepts.
var crontabFields = []struct {
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
