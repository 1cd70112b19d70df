package models

import (
	"context"
	"math"
	"slices"
	"time"
)

// MaxMissed bounds how many missed runs Missed counts: past it, "more
// than" is all an operator needs, and an every-second job paused for a
// month would otherwise cost millions of steps.
const MaxMissed = 1000

// Missed counts the runs s would have had in (from, to]: what a job paused
// at from and resumed at to skipped, at most MaxMissed. An interval counts
// whole intervals, as a run every interval after the pause would have.
func (s Schedule) Missed(loc *time.Location, from, to time.Time) int {
	if !to.After(from) {
		return 0
	}
	switch s.Trigger {
	case TriggerCron:
		cs, err := s.Cron.cronSchedule()
		if err != nil {
			return 0
		}
		n := 0
		for t := cs.Next(from.In(loc)); !t.IsZero() && !t.After(to) && n < MaxMissed; t = cs.Next(t) {
			n++
		}
		return n
	case TriggerInterval:
		if s.Interval <= 0 {
			return 0
		}
		return int(min(int64(to.Sub(from)/s.Interval), MaxMissed))
	case TriggerDate:
		if s.RunDate.After(from) && !s.RunDate.After(to) {
			return 1
		}
	}
	return 0
}

// FirstMissed is the first run s would have had after from: once that
// time has passed, resuming a job paused at from skips at least one run.
// ok is false when s has no run after from.
func (s Schedule) FirstMissed(loc *time.Location, from time.Time) (time.Time, bool) {
	runs, err := s.Preview(loc, from, 1)
	if err != nil || len(runs) == 0 {
		return time.Time{}, false
	}
	return runs[0], true
}

// usualRuns is how many of a job's last runs judge how long it usually
// takes, and minUsualRuns how many it needs before judging at all.
const (
	usualRuns    = 20
	minUsualRuns = 5
)

// UsualDuration is the 95th percentile (nearest rank) of durations in
// milliseconds: a run lasting longer is longer than usual. ok is false
// with fewer than five durations, too few to tell.
func UsualDuration(ms []int64) (time.Duration, bool) {
	if len(ms) < minUsualRuns {
		return 0, false
	}
	sorted := slices.Clone(ms)
	slices.Sort(sorted)
	rank := int(math.Ceil(0.95*float64(len(sorted)))) - 1
	return time.Duration(sorted[rank]) * time.Millisecond, true
}

// UsualRunDuration is UsualDuration over the job's last 20 finished runs
// that did work (skipped runs end at once and say nothing of it).
func (s *Store) UsualRunDuration(ctx context.Context, jobID string) (time.Duration, bool, error) {
	var ms []int64
	err := s.db.WithContext(ctx).Model(&JobRun{}).
		Where("job_id = ? AND status IN ? AND duration_ms IS NOT NULL", jobID, []string{StatusSuccess, StatusError}).
		Order("started_at DESC, id DESC").Limit(usualRuns).Pluck("duration_ms", &ms).Error
	if err != nil {
		return 0, false, err
	}
	d, ok := UsualDuration(ms)
	return d, ok, nil
}

// ListJobAudit returns a job's changes from the audit log, newest first,
// at most limit. Reveals are no change and are left out.
func (s *Store) ListJobAudit(ctx context.Context, jobID string, limit int) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.db.WithContext(ctx).Where("target = ? AND action LIKE ? AND action <> ?", jobID, "job.%", "job.reveal").
		Order("id DESC").Limit(limit).Find(&out).Error
	return out, err
}
