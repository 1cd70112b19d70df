package scheduler

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"switchboard/models"
)

// PauseOptions are the optional parts of a pause.
type PauseOptions struct {
	Reason string     // at most 500 characters
	Until  *time.Time // resume by itself then; must be in the future
	// Version, when given, is the version the pause was asked from: a job
	// changed since is a VersionConflictError, not silently overwritten.
	Version *int64
}

// Pause stops the job from running on schedule until it is resumed (or
// until opts.Until). Pausing a paused job with no options changes nothing.
func (s *Service) Pause(ctx context.Context, id string, opts PauseOptions) (Job, error) {
	opts.Reason = strings.TrimSpace(opts.Reason)
	if utf8.RuneCountInString(opts.Reason) > 500 {
		return Job{}, models.Invalid("reason", `Invalid "reason": at most 500 characters.`)
	}
	if opts.Until != nil {
		if !opts.Until.After(s.clock.Now()) {
			return Job{}, models.Invalid("until", `Invalid "until": must be in the future.`)
		}
		u := opts.Until.UTC().Truncate(time.Second)
		opts.Until = &u
	}
	return s.change(ctx, id, opts.Version, func(j *models.Job) error {
		if !j.Enabled && opts.Reason == "" && opts.Until == nil {
			return models.ErrUnchanged
		}
		if !j.Enabled && j.PausedReason == opts.Reason && sameTime(j.PausedUntil, opts.Until) {
			return models.ErrUnchanged
		}
		if j.Enabled {
			j.PausedAt = ptr(s.clock.Now().UTC().Truncate(time.Second))
		}
		j.Enabled, j.PausedReason, j.PausedUntil = false, opts.Reason, opts.Until
		return nil
	})
}

// Resume puts a paused job back on its schedule. Resuming a running job
// changes nothing.
func (s *Service) Resume(ctx context.Context, id string) (Job, error) {
	return s.resume(ctx, id, nil)
}

// resume is Resume; with a version, a job changed since is a
// VersionConflictError.
func (s *Service) resume(ctx context.Context, id string, version *int64) (Job, error) {
	return s.change(ctx, id, version, func(j *models.Job) error {
		if j.Enabled {
			return models.ErrUnchanged
		}
		j.Enabled, j.PausedReason, j.PausedUntil, j.PausedAt = true, "", nil, nil
		return nil
	})
}

// autoResume resumes a job whose pause ran out, unless it was paused again
// (or resumed) in the meantime.
func (s *Service) autoResume(id string, until time.Time) {
	_, err := s.change(context.Background(), id, nil, func(j *models.Job) error {
		if j.Enabled || j.PausedUntil == nil || !j.PausedUntil.Equal(until) {
			return models.ErrUnchanged
		}
		j.Enabled, j.PausedReason, j.PausedUntil, j.PausedAt = true, "", nil, nil
		return nil
	})
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		s.log.Error("automatic resume failed", "job_id", id, "err", err)
	}
}

// UpdateSchedule replaces the job's trigger, keeping its paused state. With
// a version, a job changed since is a VersionConflictError.
func (s *Service) UpdateSchedule(ctx context.Context, id string, sched models.Schedule, version *int64) (Job, error) {
	return s.change(ctx, id, version, func(j *models.Job) error {
		j.Trigger, j.TriggerArgs = sched.Trigger, sched.ArgsJSON()
		return nil
	})
}

// Edit changes a job's name, description, config, market-hours flag or
// timeout.
func (s *Service) Edit(ctx context.Context, id string, e models.JobEdit) (Job, error) {
	return s.change(ctx, id, e.Version, func(j *models.Job) error {
		before := *j
		if e.Name != nil {
			j.Name = *e.Name
		}
		if e.Description != nil {
			j.Description = *e.Description
		}
		if e.Config != nil {
			cfg, err := keepMaskedSecrets(j.Kind, j.Config, *e.Config)
			if err != nil {
				return err
			}
			j.Config = cfg
			if err := s.checkEgress(j.Kind, j.Config); err != nil {
				return err
			}
		}
		if e.MarketHoursOnly != nil {
			j.MarketHoursOnly = *e.MarketHoursOnly
		}
		if e.TimeoutSeconds != nil {
			j.TimeoutSeconds = *e.TimeoutSeconds
		}
		if *j == before {
			return models.ErrUnchanged
		}
		return nil
	})
}

// change is the one path by which a stored job changes: under the job's lock
// it checks the version, writes the row, applies it to gocron inside the
// transaction and publishes after commit. Any failure restores gocron to the
// stored state, so the row, gocron and readers agree.
func (s *Service) change(ctx context.Context, id string, version *int64, mutate func(*models.Job) error) (Job, error) {
	unlock := s.lockJob(id)
	defer unlock()
	var (
		current models.Job
		stale   bool
		applied bool
		before  models.Job
	)
	row, err := s.store.UpdateJob(ctx, id, func(j *models.Job) error {
		current = *j
		if version != nil && j.Version != *version {
			stale = true
			return models.ErrConflict
		}
		return mutate(j)
	}, func(b, a models.Job) error {
		applied, before = true, b
		return s.apply(b, a)
	})
	switch {
	case stale:
		return Job{}, &VersionConflictError{Current: s.view(current)}
	case err != nil:
		if applied {
			s.restore(before)
		}
		return Job{}, err
	}
	return s.view(row), nil
}

// scheduleChanged reports whether gocron must learn of the change from
// before to after: a rename or a new config leaves it as it is.
func scheduleChanged(before, after models.Job) bool {
	return before.Enabled != after.Enabled || before.Trigger != after.Trigger ||
		before.TriggerArgs != after.TriggerArgs || !sameTime(before.PausedUntil, after.PausedUntil)
}

// apply makes gocron follow a changed row. It runs inside the transaction.
func (s *Service) apply(before, after models.Job) error {
	if !scheduleChanged(before, after) {
		s.noteSeen(after)
		return nil
	}
	if s.applyHook != nil {
		sched, _ := after.Schedule(s.Location())
		if err := s.applyHook(after.ID, sched); err != nil {
			return err
		}
	}
	s.disarmResume(after.ID)
	return s.reconcile(after)
}

// restore puts gocron back to the stored row after a failed change.
func (s *Service) restore(row models.Job) {
	s.mu.Lock()
	s.seen[row.ID] = row // the failed change's version never committed
	s.mu.Unlock()
	s.disarmResume(row.ID)
	if err := s.reconcile(row); err != nil {
		s.log.Error("cannot restore job schedule after a failed change", "job_id", row.ID, "err", err)
	}
}

// Create stores a new job and schedules it.
func (s *Service) Create(ctx context.Context, spec models.JobSpec) (Job, error) {
	if err := s.checkEgress(spec.Job.Kind, spec.Job.Config); err != nil {
		return Job{}, err
	}
	unlock := s.lockJob(spec.Job.ID)
	defer unlock()
	applied := false
	row, err := s.store.CreateJob(ctx, spec.Job, func(j models.Job) error {
		applied = true
		return s.reconcile(j)
	})
	if err != nil {
		if applied {
			_ = s.cur().eng.unschedule(spec.Job.ID)
		}
		return Job{}, err
	}
	return s.view(row), nil
}

// Delete removes a stored job; jobs registered in code cannot be deleted.
// A run under way finishes and stays in the history.
func (s *Service) Delete(ctx context.Context, id string) error {
	unlock := s.lockJob(id)
	defer unlock()
	applied := false
	row, err := s.store.DeleteJob(ctx, id, func(j models.Job) error {
		if j.Kind == models.KindBuiltin {
			return &models.ConflictError{Message: "Job '" + id + "' is registered in code and cannot be deleted; pause it instead."}
		}
		return nil
	}, func(j models.Job) error {
		applied = true
		s.disarmResume(id)
		return s.cur().eng.unschedule(id)
	})
	if err != nil {
		if applied {
			s.restore(row)
		}
		return err
	}
	s.mu.Lock()
	delete(s.seen, id)
	s.mu.Unlock()
	return nil
}

func (s *Service) armResume(id string, until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.resumes[id]; t != nil {
		t.Stop()
	}
	if s.state == closing {
		return
	}
	s.resumes[id] = s.clock.AfterFunc(until.Sub(s.clock.Now()), func() { s.autoResume(id, until) })
}

func (s *Service) disarmResume(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.resumes[id]; t != nil {
		t.Stop()
		delete(s.resumes, id)
	}
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}
