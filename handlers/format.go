package handlers

import (
	"fmt"
	"time"
)

// Every time and duration the API and the console show is formatted here.

// formatTime is an instant as api.md writes it: RFC 3339 in loc.
func formatTime(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.RFC3339) }

// formatTimePtr is formatTime for an instant that may not be: null in JSON.
func formatTimePtr(t *time.Time, loc *time.Location) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := formatTime(*t, loc)
	return &s
}

// formatOptional is formatTime for a view: "" for no instant.
func formatOptional(t *time.Time, loc *time.Location) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return formatTime(*t, loc)
}

// formatClock is a time with its zone, to the minute as every absolute
// time the console shows.
func formatClock(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// formatDuration shows a run's length the way an operator reads it.
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
}
