package scheduler

import (
	"context"
	"time"
)

// ResumeVersion is Resume of the job as the operator saw it, at version:
// a job changed since is a VersionConflictError and stays as it is (a
// pause takes its version in PauseOptions).
func (s *Service) ResumeVersion(ctx context.Context, id string, version int64) (Job, error) {
	return s.resume(ctx, id, &version)
}

// Missed counts the runs a paused job has skipped since its pause began,
// at most models.MaxMissed; 0 for a job not paused or paused before
// pauses were timed.
func (j Job) Missed(now time.Time) int {
	if j.Enabled || j.PausedAt == nil || j.Schedule.Trigger == "" {
		return 0
	}
	return j.Schedule.Missed(j.Location, *j.PausedAt, now)
}

// FirstMissed is when a paused job skips its first run: resuming after it
// is worth asking about. ok is false when the pause is untimed or the
// schedule has no run after it.
func (j Job) FirstMissed() (time.Time, bool) {
	if j.Enabled || j.PausedAt == nil || j.Schedule.Trigger == "" {
		return time.Time{}, false
	}
	return j.Schedule.FirstMissed(j.Location, *j.PausedAt)
}

// usualDuration is how long the job's runs usually take (see
// models.UsualDuration); 0 when there are too few runs to tell.
func (s *Service) usualDuration(ctx context.Context, id string) time.Duration {
	d, ok, err := s.store.UsualRunDuration(ctx, id)
	if err != nil {
		s.log.Warn("cannot read the job's usual run duration", "job_id", id, "err", err)
	}
	if !ok {
		return 0
	}
	// Runs that all took under a millisecond still tell: 0 would read as
	// "too few runs", and a run stuck for minutes would go unmarked.
	return max(d, time.Millisecond)
}
