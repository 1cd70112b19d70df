package models

import (
	"context"
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
}

// RunFilter selects runs for ListRuns; zero fields do not filter.
type RunFilter struct {
	JobID  string
	Status string
	Limit  int
	Offset int
}

// StartRun records a run as running.
func (s *Store) StartRun(ctx context.Context, r JobRun) (JobRun, error) {
	r.Status = StatusRunning
	err := s.w.WithContext(ctx).Create(&r).Error
	return r, err
}

// FinishRun records a run's outcome and stamps its job's last run in the
// same transaction, so the history and the job never disagree. The job's
// version is left alone: a run finishing is not an edit an operator could
// conflict with.
func (s *Store) FinishRun(ctx context.Context, r JobRun) error {
	if rs := []rune(r.ResultSummary); len(rs) > MaxSummary {
		r.ResultSummary = string(rs[:MaxSummary])
	}
	return s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Model(&JobRun{}).Where("id = ?", r.ID).Updates(map[string]any{
			"status": r.Status, "finished_at": r.FinishedAt, "duration_ms": r.DurationMs,
			"result_summary": r.ResultSummary, "error": r.Error, "provider": r.Provider, "model": r.Model,
		}).Error
		if err != nil {
			return err
		}
		return tx.Model(&Job{}).Where("id = ?", r.JobID).UpdateColumns(map[string]any{
			"last_run_id": r.ID, "last_run_at": r.StartedAt, "last_run_status": r.Status,
		}).Error
	})
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

// AbandonRunningRuns closes runs a previous process left running (it was
// killed mid-run) so they do not show as running forever.
func (s *Store) AbandonRunningRuns(ctx context.Context, reason string) (int64, error) {
	now := s.now().UTC()
	res := s.w.WithContext(ctx).Model(&JobRun{}).Where("status = ?", StatusRunning).
		Updates(map[string]any{"status": StatusError, "finished_at": now, "error": reason})
	return res.RowsAffected, res.Error
}

// InsertFinishedRun records a run that is over the moment it starts (a tick
// skipped because the previous run was still going) without touching its
// job's last run, which stays the real one.
func (s *Store) InsertFinishedRun(ctx context.Context, r JobRun) (JobRun, error) {
	err := s.w.WithContext(ctx).Create(&r).Error
	return r, err
}

// PruneRuns deletes finished runs that started before cutoff and returns
// how many went.
func (s *Store) PruneRuns(ctx context.Context, cutoff time.Time) (int64, error) {
	res := s.w.WithContext(ctx).Where("started_at < ? AND status <> ?", cutoff.UTC(), StatusRunning).Delete(&JobRun{})
	return res.RowsAffected, res.Error
}
