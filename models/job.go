package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Job kinds.
const (
	KindBuiltin = "builtin" // registered in Go code
	KindPrompt  = "prompt"  // a prompt sent to the active AI provider
	KindWebhook = "webhook" // an HTTP call
)

// DefaultTimeout bounds a run when the job sets no timeout of its own.
const DefaultTimeout = 5 * time.Minute

// Job is a scheduled job's definition and persisted state. The row is the
// source of truth; gocron is reconciled from it.
type Job struct {
	ID              string `gorm:"primaryKey;size:64"`
	Name            string `gorm:"not null"`
	Description     string `gorm:"not null;default:''"`
	Kind            string `gorm:"not null"`
	Config          string `gorm:"not null;default:'{}'"` // kind-specific JSON object
	Trigger         string `gorm:"not null"`
	TriggerArgs     string `gorm:"not null"` // normalised JSON, see Schedule.Args
	Enabled         bool   `gorm:"not null"`
	PausedReason    string `gorm:"not null;default:''"`
	PausedUntil     *time.Time
	MarketHoursOnly bool  `gorm:"not null"`
	TimeoutSeconds  int   `gorm:"not null;default:0"`
	Version         int64 `gorm:"not null"`
	LastRunID       *int64
	LastRunAt       *time.Time
	LastRunStatus   string `gorm:"not null;default:''"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// PausedAt is when the pause began: resuming counts the runs skipped
	// since. Nil while scheduled, and for pauses older than the column.
	PausedAt *time.Time
}

// Timeout is the job's run timeout, DefaultTimeout when unset.
func (j Job) Timeout() time.Duration {
	if j.TimeoutSeconds <= 0 {
		return DefaultTimeout
	}
	return time.Duration(j.TimeoutSeconds) * time.Second
}

// Schedule decodes the job's stored trigger.
func (j Job) Schedule(loc *time.Location) (Schedule, error) {
	return DecodeSchedule(j.Trigger, j.TriggerArgs, loc)
}

// ErrUnchanged is returned by an UpdateJob mutation that changes nothing; the
// update then writes nothing and returns the current row.
var ErrUnchanged = errors.New("unchanged")

// ListJobs returns every job ordered by the bytes of its id, on every
// database: the jobs table is cut into pages in this order, and the browser
// places a new job's row by comparing ids as strings. A database's
// collation (PostgreSQL's is often linguistic) would order them otherwise.
func (s *Store) ListJobs(ctx context.Context) ([]Job, error) {
	var jobs []Job
	if err := s.db.WithContext(ctx).Find(&jobs).Error; err != nil {
		return nil, err
	}
	slices.SortFunc(jobs, func(a, b Job) int { return strings.Compare(a.ID, b.ID) })
	return jobs, nil
}

// GetJob returns one job or ErrNotFound.
func (s *Store) GetJob(ctx context.Context, id string) (Job, error) {
	return take[Job](s.db.WithContext(ctx).Where("id = ?", id), WhatJob, id)
}

// CreateJob inserts j with version 1, then calls apply inside the same
// transaction: if apply fails nothing is stored. A duplicate id is a
// ConflictError.
func (s *Store) CreateJob(ctx context.Context, j Job, apply func(Job) error) (Job, error) {
	now := s.now().UTC()
	j.Version, j.CreatedAt, j.UpdatedAt = 1, now, now
	err := s.write(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&j).Error; err != nil {
			if s.isUniqueViolation(err) {
				return &ConflictError{Message: fmt.Sprintf("Job '%s' already exists.", j.ID)}
			}
			return err
		}
		if err := s.audit(ctx, tx, "job.create", j.ID, nil, auditJob(&j)); err != nil {
			return err
		}
		if err := s.appendEvent(tx, EventJobUpdated, j.ID, j); err != nil {
			return err
		}
		if apply != nil {
			return apply(j)
		}
		return nil
	})
	return j, err
}

// UpdateJob loads the job, lets mutate change it, writes it with the next
// version and calls apply(before, after) inside the same transaction: an
// error from mutate or apply leaves the row as it was. A mutate returning
// ErrUnchanged writes nothing and returns the current row.
func (s *Store) UpdateJob(ctx context.Context, id string, mutate func(*Job) error, apply func(before, after Job) error) (Job, error) {
	var after Job
	err := s.write(ctx, func(tx *gorm.DB) error {
		var before Job
		if err := s.forUpdate(tx).Where("id = ?", id).Take(&before).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return NotFound(WhatJob, id)
			}
			return err
		}
		after = before
		if err := mutate(&after); err != nil {
			return err
		}
		after.ID, after.Version, after.UpdatedAt = before.ID, before.Version+1, s.now().UTC()
		res := tx.Model(&Job{}).Where("id = ? AND version = ?", id, before.Version).Select(
			"name", "description", "config", "trigger", "trigger_args", "enabled", "paused_reason",
			"paused_until", "paused_at", "market_hours_only", "timeout_seconds", "version", "updated_at",
		).UpdateColumns(&after) // exactly the row the event carries: no clock of GORM's own
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return &ConflictError{Message: fmt.Sprintf("Job '%s' changed while it was being updated.", id)}
		}
		if err := s.audit(ctx, tx, jobAction(before, after), id, auditJob(&before), auditJob(&after)); err != nil {
			return err
		}
		if err := s.appendEvent(tx, EventJobUpdated, id, after); err != nil {
			return err
		}
		if apply != nil {
			return apply(before, after)
		}
		return nil
	})
	if errors.Is(err, ErrUnchanged) {
		return after, nil
	}
	return after, err
}

// DeleteJob removes a job after check approves it, calling apply inside the
// transaction so a failure keeps the row. Its run history stays.
func (s *Store) DeleteJob(ctx context.Context, id string, check func(Job) error, apply func(Job) error) (Job, error) {
	var j Job
	err := s.write(ctx, func(tx *gorm.DB) error {
		if err := s.forUpdate(tx).Where("id = ?", id).Take(&j).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return NotFound(WhatJob, id)
			}
			return err
		}
		if err := check(j); err != nil {
			return err
		}
		if err := tx.Delete(&Job{}, "id = ?", id).Error; err != nil {
			return err
		}
		if err := s.audit(ctx, tx, "job.delete", id, auditJob(&j), nil); err != nil {
			return err
		}
		if err := s.appendEvent(tx, EventJobDeleted, id, map[string]string{"job_id": id}); err != nil {
			return err
		}
		if apply != nil {
			return apply(j)
		}
		return nil
	})
	return j, err
}

// EnsureJob inserts j unless a job with its id exists, and returns the stored
// row: persisted state always wins over the defaults in j.
func (s *Store) EnsureJob(ctx context.Context, j Job) (Job, error) {
	now := s.now().UTC()
	j.Version, j.CreatedAt, j.UpdatedAt = 1, now, now
	var stored Job
	err := s.write(ctx, func(tx *gorm.DB) error {
		err := tx.Where("id = ?", j.ID).Take(&stored).Error
		if err == nil {
			return nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		stored = j
		// Another instance may insert it first: then its row stands.
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&stored)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return tx.Where("id = ?", j.ID).Take(&stored).Error
		}
		return s.appendEvent(tx, EventJobUpdated, stored.ID, stored)
	})
	return stored, err
}

// CountJobs returns how many jobs are stored.
func (s *Store) CountJobs(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Job{}).Count(&n).Error
	return n, err
}

// CountPausedJobs returns how many jobs are paused.
func (s *Store) CountPausedJobs(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Job{}).Where("NOT enabled").Count(&n).Error
	return n, err
}
