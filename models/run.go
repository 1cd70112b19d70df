package models

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// Run sources and statuses.
const (
	SourceSchedule = "schedule"
	SourceManual   = "manual"

	StatusRunning = "running"
	StatusSuccess = "success"
	StatusError   = "error"
	StatusSkipped = "skipped"
)

// MaxSummary is the longest result summary kept for a run, in characters.
const MaxSummary = 5000

// JobRun is one execution of a job, recorded from start to finish.
type JobRun struct {
	ID            int64     `gorm:"primaryKey;autoIncrement"`
	JobID         string    `gorm:"size:64;not null;index:idx_job_runs_job_started,priority:1"`
	JobName       string    `gorm:"not null"`
	Source        string    `gorm:"not null"`
	Status        string    `gorm:"not null;index"`
	StartedAt     time.Time `gorm:"not null;index:idx_job_runs_job_started,priority:2;index"`
	FinishedAt    *time.Time
	DurationMs    *int64
	ResultSummary string `gorm:"not null;default:''"`
	Error         string `gorm:"not null;default:''"`
	Provider      string `gorm:"not null;default:''"` // prompt runs: the AI provider used
	Model         string `gorm:"not null;default:''"`
	// ScheduledFor is the slot a scheduled run was due at (nil for manual
	// runs): a slot runs once in the cluster (unique with JobID).
	ScheduledFor *time.Time
	Instance     string `gorm:"size:128;not null;default:''"` // the instance that ran it
	// TriggeredBy names who started a manual run (a username or
	// "token:<name>"); "" for a scheduled run.
	TriggeredBy string `gorm:"size:128;not null;default:''"`
	RetryOf     *int64 // the failed run a retry repeats
}

// RunFilter selects runs for ListRuns; zero fields do not filter.
type RunFilter struct {
	JobID  string
	Status string
	Since  time.Time // runs started at or after it; zero: any
	Limit  int
	Offset int
}

// Errors StartRun returns when the database refuses the run.
var (
	// ErrRunInProgress: the job has a run under way on some instance.
	ErrRunInProgress = errors.New("job has a run in progress")
	// ErrSlotTaken: this scheduled slot has already run (on some instance).
	ErrSlotTaken = errors.New("scheduled slot already claimed")
)

// StartRun records a run as running, and with it job_started and the job.
// The database allows one running run per job and one run per scheduled
// slot, whichever instance asks: the loser gets ErrRunInProgress or
// ErrSlotTaken and nothing is written.
func (s *Store) StartRun(ctx context.Context, r JobRun) (JobRun, error) {
	r.Status = StatusRunning
	err := s.write(ctx, func(tx *gorm.DB) error {
		run := r
		if err := tx.Create(&run).Error; err != nil {
			if s.isUniqueViolation(err) {
				return s.whichClaim(tx, r)
			}
			return err
		}
		if err := s.appendEvent(tx, EventJobStarted, run.JobID, run); err != nil {
			return err
		}
		if err := s.appendJob(tx, run.JobID); err != nil {
			return err
		}
		r = run
		return nil
	})
	return r, err
}

// whichClaim names the unique rule a refused run broke. The insert failed,
// so on PostgreSQL the transaction is aborted: look outside it.
func (s *Store) whichClaim(_ *gorm.DB, r JobRun) error {
	if r.ScheduledFor != nil {
		var n int64
		if err := s.db.Model(&JobRun{}).Where("job_id = ? AND scheduled_for = ?", r.JobID, r.ScheduledFor.UTC()).Count(&n).Error; err == nil && n > 0 {
			return ErrSlotTaken
		}
	}
	return ErrRunInProgress
}

// FinishRun records a run's outcome and stamps its job's last run in the
// same transaction, so the history and the job never disagree, and appends
// job_completed and the job. The job's version is left alone: a run
// finishing is not an edit an operator could conflict with.
func (s *Store) FinishRun(ctx context.Context, r JobRun) error {
	if rs := []rune(r.ResultSummary); len(rs) > MaxSummary {
		r.ResultSummary = string(rs[:MaxSummary])
	}
	return s.write(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&JobRun{}).Where("id = ? AND status = ?", r.ID, StatusRunning).Updates(map[string]any{
			"status": r.Status, "finished_at": r.FinishedAt, "duration_ms": r.DurationMs,
			"result_summary": r.ResultSummary, "error": r.Error, "provider": r.Provider, "model": r.Model,
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return nil // already closed (its instance was taken for lost): the first ending stands
		}
		return s.completed(tx, r)
	})
}

// completed stamps the job's last run and appends job_completed and the job.
func (s *Store) completed(tx *gorm.DB, r JobRun) error {
	res := tx.Model(&Job{}).Where("id = ?", r.JobID).UpdateColumns(map[string]any{
		"last_run_id": r.ID, "last_run_at": r.StartedAt, "last_run_status": r.Status,
	})
	if res.Error != nil {
		return res.Error
	}
	if err := s.appendEvent(tx, EventJobCompleted, r.JobID, r); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return nil // the job was deleted while it ran
	}
	return s.appendJob(tx, r.JobID)
}

// ListRuns returns runs newest first and how many match the filter.
func (s *Store) ListRuns(ctx context.Context, f RunFilter) ([]JobRun, int64, error) {
	q := s.db.WithContext(ctx).Model(&JobRun{})
	if f.JobID != "" {
		q = q.Where("job_id = ?", f.JobID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if !f.Since.IsZero() {
		q = q.Where("started_at >= ?", f.Since.UTC())
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var runs []JobRun
	if f.Limit <= 0 {
		f.Limit = 50
	}
	err := q.Order("started_at DESC, id DESC").Limit(f.Limit).Offset(f.Offset).Find(&runs).Error
	return runs, total, err
}

// CloseRuns ends as errors, with reason, the runs left running by the
// instances lost names (a killed process, or a whole instance whose lease
// ran out): they can never finish, and each would keep its job from
// running. With lost nil it closes every running run (SQLite's single
// instance at start-up). Each closed run is announced like any ending.
func (s *Store) CloseRuns(ctx context.Context, lost func(instance string) bool, reason string) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *gorm.DB) error {
		n = 0
		var runs []JobRun
		if err := s.forUpdate(tx).Where("status = ?", StatusRunning).Order("id").Find(&runs).Error; err != nil {
			return err
		}
		now := s.now().UTC()
		for _, r := range runs {
			if lost != nil && !lost(r.Instance) {
				continue
			}
			r.Status, r.FinishedAt, r.Error = StatusError, &now, reason
			r.DurationMs = ptrTo(now.Sub(r.StartedAt).Milliseconds())
			if err := tx.Model(&JobRun{}).Where("id = ?", r.ID).Updates(map[string]any{
				"status": r.Status, "finished_at": r.FinishedAt, "error": r.Error, "duration_ms": r.DurationMs,
			}).Error; err != nil {
				return err
			}
			if err := s.completed(tx, r); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

func ptrTo[T any](v T) *T { return &v }

// InsertFinishedRun records a run that is over the moment it starts (a tick
// skipped because the previous run was still going) without touching its
// job's last run, which stays the real one.
func (s *Store) InsertFinishedRun(ctx context.Context, r JobRun) (JobRun, error) {
	err := s.write(ctx, func(tx *gorm.DB) error {
		run := r
		if err := tx.Create(&run).Error; err != nil {
			if s.isUniqueViolation(err) {
				return ErrSlotTaken
			}
			return err
		}
		r = run
		return s.appendEvent(tx, EventJobCompleted, r.JobID, r)
	})
	return r, err
}

// PruneRuns deletes finished runs that started before cutoff and returns
// how many went.
func (s *Store) PruneRuns(ctx context.Context, cutoff time.Time) (int64, error) {
	res := s.w.WithContext(ctx).Where("started_at < ? AND status <> ?", cutoff.UTC(), StatusRunning).Delete(&JobRun{})
	return res.RowsAffected, res.Error
}
