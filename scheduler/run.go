package scheduler

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"switchboard/models"
)

// errNotDue: a scheduled tick for a job paused or deleted a moment earlier.
var errNotDue = errors.New("job is no longer scheduled")

// Trigger runs the job now, even when paused, and returns the id of the run
// it recorded. Every nil error is one recorded run.
func (s *Service) Trigger(ctx context.Context, id string) (int64, error) {
	return s.trigger(ctx, id, nil)
}

// Retry runs the job now, like Trigger, as a retry of the failed run of.
func (s *Service) Retry(ctx context.Context, id string, of int64) (int64, error) {
	return s.trigger(ctx, id, &of)
}

func (s *Service) trigger(ctx context.Context, id string, retryOf *int64) (int64, error) {
	j, run, err := s.beginRun(ctx, id, models.SourceManual, nil, retryOf)
	if err != nil {
		return 0, err
	}
	go s.execute(j, run)
	return run.ID, nil
}

// scheduledTask is what gocron runs. It runs the body on gocron's goroutine,
// so gocron's own bookkeeping sees the run end when it really ends. Every
// instance keeps every job in gocron, so next runs are right everywhere,
// but only the leader runs them, and each slot is claimed in the database
// first: a slot runs once in the cluster even across a change of leader.
func (s *Service) scheduledTask(id string) func() {
	return func() {
		if !s.Leader() {
			return
		}
		fired := s.clock.Now()
		j, run, err := s.beginRun(context.Background(), id, models.SourceSchedule, &fired, nil)
		switch {
		case err == nil:
			s.execute(j, run)
		case errors.Is(err, ErrJobRunning):
			s.recordOverlap(j, fired)
		case errors.Is(err, errNotDue), errors.Is(err, models.ErrNotFound), errors.Is(err, ErrNotRunning),
			errors.Is(err, models.ErrSlotTaken):
		default:
			s.log.Error("cannot start scheduled run", "job_id", id, "err", err)
		}
	}
}

// beginRun reserves the job's single run slot and records the run as
// running; a scheduled run (fired set) claims the slot that tick is for. It holds the job's stripe lock so job_started follows, in event
// order, every change committed before it.
func (s *Service) beginRun(ctx context.Context, id, source string, fired *time.Time, retryOf *int64) (models.Job, models.JobRun, error) {
	unlock := s.lockJob(id)
	defer unlock()
	j, err := s.store.GetJob(ctx, id)
	if err != nil {
		return j, models.JobRun{}, err
	}
	if source == models.SourceSchedule && !j.Enabled {
		return j, models.JobRun{}, errNotDue
	}
	var slot *time.Time
	by := models.Actor(ctx) // who asked for a manual run: the run page names them
	if fired != nil {
		slot, by = ptr(s.slotOf(j, *fired)), ""
	}
	usual := s.usualDuration(ctx, id)
	now := s.clock.Now()
	s.mu.Lock()
	switch {
	case s.state != started:
		s.mu.Unlock()
		return j, models.JobRun{}, ErrNotRunning
	case s.running[id] != nil:
		s.mu.Unlock()
		return j, models.JobRun{}, ErrJobRunning
	}
	active := &activeRun{source: source, started: now, usual: usual}
	s.running[id] = active
	s.runs.Add(1)
	s.mu.Unlock()

	run, err := s.store.StartRun(context.WithoutCancel(ctx), models.JobRun{
		JobID: id, JobName: j.Name, Source: source, StartedAt: now.UTC(), ScheduledFor: slot, Instance: s.instance,
		TriggeredBy: by, RetryOf: retryOf,
	})
	if err != nil {
		s.mu.Lock()
		delete(s.running, id)
		s.mu.Unlock()
		s.runs.Done()
		switch {
		case errors.Is(err, models.ErrRunInProgress):
			return j, run, ErrJobRunning // under way on another instance
		case errors.Is(err, models.ErrSlotTaken):
			return j, run, err
		}
		return j, run, fmt.Errorf("record run start: %w", err)
	}
	s.mu.Lock()
	active.id = run.ID
	s.mu.Unlock()
	return j, run, nil
}

// execute runs the body, records how it ended and frees the run slot.
func (s *Service) execute(j models.Job, run models.JobRun) {
	defer s.runs.Done()
	ctx, cancel := context.WithTimeout(s.runCtx, j.Timeout())
	summary, err := s.invoke(ctx, j, &run)
	cancel()

	finished := s.clock.Now()
	run.FinishedAt = ptr(finished.UTC())
	run.DurationMs = ptr(finished.Sub(run.StartedAt).Milliseconds())
	var skip Skip
	switch {
	case errors.As(err, &skip):
		run.Status, run.ResultSummary = models.StatusSkipped, skip.Reason
	case err != nil:
		run.Status, run.ResultSummary, run.Error = models.StatusError, summary, err.Error()
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			run.Error = fmt.Sprintf("timed out after %s: %v", j.Timeout(), err)
		}
	default:
		run.Status, run.ResultSummary = models.StatusSuccess, summary
	}
	s.finishRun(run)
}

func (s *Service) finishRun(run models.JobRun) {
	unlock := s.lockJob(run.JobID)
	defer unlock()
	if err := s.store.FinishRun(context.Background(), run); err != nil {
		s.log.Error("cannot record run end", "job_id", run.JobID, "run_id", run.ID, "err", err)
	}
	s.mu.Lock()
	delete(s.running, run.JobID)
	s.mu.Unlock()
	s.log.Info("job run finished", "job_id", run.JobID, "run_id", run.ID, "source", run.Source,
		"status", run.Status, "duration_ms", *run.DurationMs)
}

// recordOverlap records a scheduled tick that found the previous run still
// going: runs of one job never overlap, and the operator sees why one did
// not happen.
func (s *Service) recordOverlap(j models.Job, fired time.Time) {
	id := j.ID
	slot := s.slotOf(j, fired)
	now := s.clock.Now().UTC()
	unlock := s.lockJob(id)
	defer unlock()
	_, err := s.store.InsertFinishedRun(context.Background(), models.JobRun{
		JobID: id, JobName: j.Name, Source: models.SourceSchedule, Status: models.StatusSkipped,
		StartedAt: now, FinishedAt: &now, DurationMs: ptr(int64(0)),
		ResultSummary: "previous run still in progress", ScheduledFor: &slot, Instance: s.instance,
	})
	if err != nil && !errors.Is(err, models.ErrSlotTaken) {
		s.log.Error("cannot record skipped run", "job_id", id, "err", err)
	}
}

// invoke runs the job's body; a panic ends the run as an error, never the
// process.
func (s *Service) invoke(ctx context.Context, j models.Job, run *models.JobRun) (summary string, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("job panicked", "job_id", j.ID, "panic", r, "stack", string(debug.Stack()))
			summary, err = "", fmt.Errorf("panic: %v", r)
		}
	}()
	if j.MarketHoursOnly && !s.marketOpen(s.clock.Now()) {
		return "", Skip{Reason: marketClosedReason}
	}
	switch j.Kind {
	case models.KindBuiltin:
		s.mu.Lock()
		b, ok := s.builtins[j.ID]
		s.mu.Unlock()
		if !ok {
			return "", errors.New("no implementation is registered in code for this built-in job")
		}
		return b.Run(ctx)
	case models.KindPrompt:
		if s.prompt == nil {
			return "", Skip{Reason: "no active AI provider"}
		}
		cfg, err := models.StoredConfig[models.PromptConfig](j.Config)
		if err != nil {
			return "", err
		}
		res, err := s.prompt(ctx, cfg)
		run.Provider, run.Model = res.Provider, res.Model
		return res.Text, err
	case models.KindWebhook:
		cfg, err := models.StoredConfig[models.WebhookConfig](j.Config)
		if err != nil {
			return "", err
		}
		return s.callWebhook(ctx, cfg)
	}
	return "", fmt.Errorf("unknown job kind %q", j.Kind)
}

func ptr[T any](v T) *T { return &v }

// slotOf is the scheduled time a tick of j that fired at fired is for.
func (s *Service) slotOf(j models.Job, fired time.Time) time.Time {
	loc := s.Location()
	sched, err := j.Schedule(loc)
	if err != nil {
		return fired.UTC().Round(time.Second)
	}
	return sched.Slot(loc, fired)
}
