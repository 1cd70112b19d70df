package models

import (
	"fmt"
	"strings"
	"time"
)

// Describe returns the schedule as a sentence an operator reads at a glance:
// "Weekdays at 08:30", "Every 15 minutes", "Once on 2026-12-01 at 09:00".
func (s Schedule) Describe(loc *time.Location) string {
	switch s.Trigger {
	case TriggerInterval:
		return describeInterval(s.Interval)
	case TriggerDate:
		return "Once on " + s.RunDate.In(loc).Format("2006-01-02 at 15:04")
	}
	return describeCron(s.Cron)
}

func describeInterval(d time.Duration) string {
	units := []struct {
		name string
		size time.Duration
	}{{"week", 7 * 24 * time.Hour}, {"day", 24 * time.Hour}, {"hour", time.Hour}, {"minute", time.Minute}, {"second", time.Second}}
	for _, u := range units {
		if d%u.size == 0 {
			n := d / u.size
			if n == 1 {
				return "Every " + u.name
			}
			return fmt.Sprintf("Every %d %ss", n, u.name)
		}
	}
	return "Every " + d.String()
}

// dayName is a weekday's name in a schedule sentence, "" for anything else.
func dayName(dow string) string {
	switch dow {
	case "mon":
		return "Mondays"
	case "tue":
		return "Tuesdays"
	case "wed":
		return "Wednesdays"
	case "thu":
		return "Thursdays"
	case "fri":
		return "Fridays"
	case "sat":
		return "Saturdays"
	case "sun":
		return "Sundays"
	}
	return ""
}

var monthNames = [...]string{"", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

func describeCron(f CronFields) string {
	if f.Expression != "" {
		return "Cron " + f.Expression
	}
	sec, min, hour, day, month := f.effective()
	var clock string
	switch {
	case hour != "*" && min != "*":
		clock = "at " + pad2(hour) + ":" + pad2(min)
		if sec != "0" {
			clock += ":" + pad2(sec)
		}
	case min != "*":
		clock = "at :" + pad2(min)
		if sec != "0" {
			clock += ":" + pad2(sec)
		}
		if day == "*" && month == "*" && f.DayOfWeek == "" {
			return "Hourly " + clock
		}
		clock = "hourly " + clock
	default:
		clock = "every minute at :" + pad2(sec)
		if day == "*" && month == "*" && f.DayOfWeek == "" && hour == "*" {
			return "Every minute at :" + pad2(sec)
		}
		if hour != "*" {
			clock = "every minute of hour " + pad2(hour) + " at :" + pad2(sec)
		}
	}
	var days string
	switch {
	case f.DayOfWeek == "mon-fri":
		days = "Weekdays"
	case f.DayOfWeek == "sat-sun" || f.DayOfWeek == "sat,sun":
		days = "Weekends"
	case dayName(f.DayOfWeek) != "":
		days = dayName(f.DayOfWeek)
	case f.DayOfWeek != "":
		days = "On " + f.DayOfWeek
	default:
		days = "Daily"
	}
	if day != "*" || month != "*" {
		switch {
		case month != "*" && day != "*":
			days = "Yearly on " + monthNames[atoi(month)] + " " + day
		case month != "*":
			days += " in " + monthNames[atoi(month)]
		default:
			days = "Monthly on day " + day
		}
	}
	return days + " " + clock
}

func pad2(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}

func atoi(s string) int {
	n := 0
	for _, c := range strings.TrimSpace(s) {
		n = n*10 + int(c-'0')
	}
	return n
}
