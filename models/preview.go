package models

import (
	"fmt"
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
// at which a cron schedule has a run time that does not exist (clocks go
// forward) or happens twice (clocks go back). Intervals and dates count
// elapsed time and are never affected.
func (s Schedule) DSTWarnings(loc *time.Location, from time.Time) []string {
	if s.Trigger != TriggerCron {
		return nil
	}
	cs, err := s.Cron.cronSchedule()
	if err != nil {
		return nil
	}
	var out []string
	for _, tr := range transitions(loc, from, from.AddDate(1, 0, 0)) {
		_, before := tr.Add(-time.Second).In(loc).Zone()
		_, after := tr.In(loc).Zone()
		shift := time.Duration(after-before) * time.Second
		// Read the affected wall-clock hour in a fixed zone, where cron
		// times are plain arithmetic.
		var zone *time.Location
		var start time.Time
		if shift > 0 {
			zone = time.FixedZone("", before)
			start = tr.In(zone) // wall times [start, start+shift) are skipped
		} else {
			zone = time.FixedZone("", after)
			start = tr.In(zone) // wall times [start, start-shift) happen twice
			shift = -shift
		}
		next := cs.Next(start.Add(-time.Second))
		if next.IsZero() || !next.Before(start.Add(shift)) {
			continue
		}
		day := start.Format("Mon 2 Jan 2006")
		wall := next.Format("15:04")
		if after > before {
			out = append(out, fmt.Sprintf("%s: clocks go forward in %s, so %s does not exist that day; the run moves or is skipped.", day, loc, wall))
		} else {
			out = append(out, fmt.Sprintf("%s: clocks go back in %s, so %s happens twice that day; the job runs once.", day, loc, wall))
		}
	}
	return out
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
