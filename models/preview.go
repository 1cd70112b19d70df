package models

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// cronSchedule parses the fields into robfig/cron's schedule, the parser
// gocron itself uses, so a preview agrees with the runs to come.
func (f CronFields) cronSchedule() (cron.Schedule, error) {
	spec, seconds := f.Crontab()
	fields := cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow
	if seconds {
		fields |= cron.Second
	}
	return cron.NewParser(fields).Parse(spec)
}

// Preview returns up to n run times of s after from, in loc: what an
// operator sees before saving a schedule.
func (s Schedule) Preview(loc *time.Location, from time.Time, n int) ([]time.Time, error) {
	var out []time.Time
	switch s.Trigger {
	case TriggerCron:
		cs, err := s.Cron.cronSchedule()
		if err != nil {
			return nil, err
		}
		t := from.In(loc)
		for len(out) < n {
			if t = cs.Next(t); t.IsZero() {
				break
			}
			out = append(out, t)
		}
	case TriggerInterval:
		for i := 1; i <= n; i++ {
			out = append(out, from.Add(time.Duration(i)*s.Interval).In(loc))
		}
	case TriggerDate:
		if s.RunDate.After(from) {
			out = append(out, s.RunDate.In(loc))
		}
	}
	return out, nil
}

// DSTWarnings names each clock change in loc within the year after from
// that touches a run: a cron time that does not exist (clocks go
// forward: robfig/cron, which gocron runs, skips it that day) or that
// happens twice (clocks go back: it runs at both), a one-time run moved
// out of a gap or falling in an overlap, and for intervals of whole days,
// the hour by which the runs' clock time shifts (intervals count elapsed
// time). Each warning says what the preview shows.
func (s Schedule) DSTWarnings(loc *time.Location, from time.Time) []string {
	switch s.Trigger {
	case TriggerDate:
		return s.dateDSTWarnings(loc)
	case TriggerInterval:
		return s.intervalDSTWarnings(loc, from)
	}
	cs, err := s.Cron.cronSchedule()
	if err != nil {
		return nil
	}
	var out []string
	for _, tr := range transitions(loc, from, from.AddDate(1, 0, 0)) {
		before, after, shift := clockChange(loc, tr)
		if shift > 0 {
			// Read the skipped wall-clock hour in a fixed zone, where cron
			// times are plain arithmetic: [start, start+shift) is skipped.
			start := tr.In(before)
			var walls []string
			for t := cs.Next(start.Add(-time.Second)); !t.IsZero() && t.Before(start.Add(shift)); t = cs.Next(t) {
				walls = append(walls, t.Format("15:04"))
			}
			if len(walls) == 0 {
				continue
			}
			out = append(out, fmt.Sprintf("%s: clocks go forward from %s to %s in %s, so %s %s not exist that day; %s skipped.",
				start.Format("Mon 2 Jan 2006"), start.Format("15:04"), tr.In(loc).Format("15:04"), loc, listWalls(walls),
				plural(len(walls), "does", "do"), plural(len(walls), "that run is", "those runs are")))
			continue
		}
		// Clocks go back: the wall times [start, start-shift) happen
		// twice. List the runs as the preview has them, instant by instant.
		start := tr.In(after)
		var first, second []string
		for t := cs.Next(tr.Add(shift).Add(-time.Second).In(loc)); !t.IsZero() && t.Before(tr.Add(-shift)); t = cs.Next(t) {
			if t.Before(tr) {
				first = append(first, t.Format("15:04"))
			} else {
				second = append(second, t.Format("15:04"))
			}
		}
		if len(first) == 0 && len(second) == 0 {
			continue
		}
		day := start.Format("Mon 2 Jan 2006")
		head := fmt.Sprintf("%s: clocks go back from %s to %s in %s", day, tr.In(before).Format("15:04"), start.Format("15:04"), loc)
		firstZone, secondZone := tr.Add(-time.Second).In(loc).Format("MST"), tr.In(loc).Format("MST")
		switch {
		case len(first) > 0 && len(second) > 0 && slices.Equal(first, second):
			out = append(out, fmt.Sprintf("%s, so %s %s twice that day; the job runs both times, at %s %s and again at %s %s.",
				head, listWalls(first), plural(len(first), "happens", "happen"), listWalls(first), firstZone, listWalls(second), secondZone))
		default:
			var parts []string
			if len(first) > 0 {
				parts = append(parts, listWalls(first)+" "+firstZone)
			}
			if len(second) > 0 {
				parts = append(parts, listWalls(second)+" "+secondZone)
			}
			out = append(out, fmt.Sprintf("%s, so the hour from %s happens twice that day; the job runs at %s.",
				head, start.Format("15:04"), strings.Join(parts, ", then ")))
		}
	}
	return out
}

// dateDSTWarnings says when a one-time run was moved out of a gap, or
// which of two instants with the same clock time it is.
func (s Schedule) dateDSTWarnings(loc *time.Location) []string {
	if s.Moved != "" {
		return []string{s.Moved}
	}
	t := s.RunDate.In(loc)
	for _, tr := range transitions(loc, t.Add(-3*time.Hour), t.Add(3*time.Hour)) {
		before, _, shift := clockChange(loc, tr)
		if shift >= 0 || t.Before(tr.Add(shift)) || !t.Before(tr.Add(-shift)) {
			continue
		}
		which, other := "first", t.Add(-shift)
		if !t.Before(tr) {
			which, other = "second", t.Add(shift)
		}
		return []string{fmt.Sprintf("%s: clocks go back from %s to %s in %s, so %s happens twice that day; the job runs at the %s, %s (not %s).",
			t.Format("Mon 2 Jan 2006"), tr.In(before).Format("15:04"), tr.In(loc).Format("15:04"), loc, t.Format("15:04"),
			which, t.Format("15:04 MST"), other.In(loc).Format("15:04 MST"))}
	}
	return nil
}

// intervalDSTWarnings: an interval of whole days keeps its spacing in
// elapsed time, so across a clock change its runs come an hour earlier or
// later by the clock.
func (s Schedule) intervalDSTWarnings(loc *time.Location, from time.Time) []string {
	if s.Interval <= 0 || s.Interval%(24*time.Hour) != 0 {
		return nil
	}
	var out []string
	for _, tr := range transitions(loc, from, from.AddDate(1, 0, 0)) {
		_, _, shift := clockChange(loc, tr)
		// The first run after the change, and the clock time it had before.
		n := tr.Sub(from)/s.Interval + 1
		run := from.Add(n * s.Interval).In(loc)
		was := run.Add(-s.Interval).In(loc)
		if run.Format("15:04") == was.Format("15:04") {
			continue
		}
		way := "later"
		if shift < 0 {
			way = "earlier"
		}
		out = append(out, fmt.Sprintf("%s: clocks change in %s; an interval counts elapsed time, so from then on the runs come an hour %s by the clock (%s %s, then %s %s).",
			tr.In(loc).Format("Mon 2 Jan 2006"), loc, way, was.Format("15:04"), was.Format("MST"), run.Format("15:04"), run.Format("MST")))
	}
	return out
}

// clockChange describes the change at tr: fixed zones with the offsets
// before and after, and how far the clocks moved (positive: forward).
func clockChange(loc *time.Location, tr time.Time) (before, after *time.Location, shift time.Duration) {
	_, b := tr.Add(-time.Second).In(loc).Zone()
	_, a := tr.In(loc).Zone()
	return time.FixedZone("", b), time.FixedZone("", a), time.Duration(a-b) * time.Second
}

// listWalls names a few clock times: "01:30", "01:00, 01:15 and 01:30",
// "01:00, 01:05, 01:10 … 01:55 (12 times)".
func listWalls(w []string) string {
	switch {
	case len(w) == 1:
		return w[0]
	case len(w) <= 4:
		return strings.Join(w[:len(w)-1], ", ") + " and " + w[len(w)-1]
	}
	return fmt.Sprintf("%s, %s … %s (%d times)", w[0], w[1], w[len(w)-1], len(w))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// transitions returns the instants in [from, to) at which loc's UTC offset
// changes, found by a daily scan and then a binary search to the second.
func transitions(loc *time.Location, from, to time.Time) []time.Time {
	var out []time.Time
	offset := func(t time.Time) int { _, o := t.In(loc).Zone(); return o }
	for t := from; t.Before(to); t = t.Add(24 * time.Hour) {
		u := t.Add(24 * time.Hour)
		if offset(t) == offset(u) {
			continue
		}
		lo, hi := t, u
		for hi.Sub(lo) > time.Second {
			mid := lo.Add(hi.Sub(lo) / 2)
			if offset(mid) == offset(lo) {
				lo = mid
			} else {
				hi = mid
			}
		}
		out = append(out, hi.Truncate(time.Second))
	}
	return out
}

// Slot returns the run time that a tick firing at fired belongs to: the
// latest cron time at or before it (a tick may fire late, after a stall, or
// a moment early), the date of a one-time job, or for an interval the
// second it fired (an interval has no fixed times). Two instances that fire
// for the same cron time name the same slot, which is what lets a slot be
// claimed once.
func (s Schedule) Slot(loc *time.Location, fired time.Time) time.Time {
	switch s.Trigger {
	case TriggerCron:
		if cs, err := s.Cron.cronSchedule(); err == nil {
			limit := fired.Add(time.Second) // a tick a moment early is still its slot's
			var last time.Time
			for t := cs.Next(fired.Add(-time.Hour).In(loc)); !t.IsZero() && !t.After(limit); t = cs.Next(t) {
				last = t
			}
			if !last.IsZero() {
				return last.UTC()
			}
		}
	case TriggerDate:
		return s.RunDate.UTC()
	}
	return fired.UTC().Round(time.Second)
}
