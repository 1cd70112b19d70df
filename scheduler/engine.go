package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"
	"github.com/jonboulle/clockwork"

	"switchboard/models"
)

// idSpace derives gocron identifiers from job ids, so a job resumed or
// rescheduled comes back under the same identifier.
var idSpace = uuid.MustParse("6f1c8a52-3b0e-4c55-9a41-0d2f5e7b9c13")

// engine is the part of gocron the service drives. It exists so tests can make
// applying a schedule fail and watch the service roll back.
type engine interface {
	// schedule adds the job or replaces its schedule.
	schedule(id string, s models.Schedule, task func()) error
	// unschedule removes the job; removing an absent job is not an error.
	unschedule(id string) error
	// nextRuns returns up to n upcoming runs; none when not scheduled.
	nextRuns(id string, n int) []time.Time
	start()
	shutdown(ctx context.Context) error
}

type gocronEngine struct {
	s     gocron.Scheduler
	log   *slog.Logger
	clock clockwork.Clock

	mu   sync.Mutex // guards jobs, next and gen
	jobs map[string]gocron.Job
	// next caches each job's first upcoming run: asking gocron is a round
	// trip through its scheduler goroutine, and a list of many jobs asked
	// once per job. An entry holds until its time comes (the run then
	// computes the next) or the job is scheduled or removed again.
	next map[string]time.Time
	gen  uint64 // bumped by every schedule and unschedule
}

func newGocronEngine(loc *time.Location, clock clockwork.Clock, log *slog.Logger) (*gocronEngine, error) {
	opts := []gocron.SchedulerOption{
		gocron.WithLocation(loc),
		gocron.WithLogger(gocronLogger{log}),
		// Shutdown must not wait on gocron's own bookkeeping: the service
		// waits for runs itself, with the job's timeout.
		gocron.WithStopTimeout(time.Second),
	}
	if clock != nil {
		opts = append(opts, gocron.WithClock(clock))
	}
	s, err := gocron.NewScheduler(opts...)
	if err != nil {
		return nil, err
	}
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	return &gocronEngine{s: s, log: log, clock: clock, jobs: map[string]gocron.Job{}, next: map[string]time.Time{}}, nil
}

func definition(s models.Schedule) (gocron.JobDefinition, error) {
	switch s.Trigger {
	case models.TriggerCron:
		spec, seconds := s.Cron.Crontab()
		return gocron.CronJob(spec, seconds), nil
	case models.TriggerInterval:
		return gocron.DurationJob(s.Interval), nil
	case models.TriggerDate:
		return gocron.OneTimeJob(gocron.OneTimeJobStartDateTime(s.RunDate)), nil
	}
	return nil, fmt.Errorf("unknown trigger %q", s.Trigger)
}

func (e *gocronEngine) schedule(id string, s models.Schedule, task func()) error {
	def, err := definition(s)
	if err != nil {
		return err
	}
	gid := uuid.NewSHA1(idSpace, []byte(id))
	e.mu.Lock()
	_, exists := e.jobs[id]
	e.mu.Unlock()
	var j gocron.Job
	if exists {
		j, err = e.s.Update(gid, def, gocron.NewTask(task), gocron.WithName(id))
	} else {
		j, err = e.s.NewJob(def, gocron.NewTask(task), gocron.WithIdentifier(gid), gocron.WithName(id))
	}
	if err != nil {
		return fmt.Errorf("gocron: %w", err)
	}
	e.mu.Lock()
	e.jobs[id] = j
	delete(e.next, id)
	e.gen++
	e.mu.Unlock()
	return nil
}

func (e *gocronEngine) unschedule(id string) error {
	e.mu.Lock()
	_, exists := e.jobs[id]
	delete(e.jobs, id)
	delete(e.next, id)
	e.gen++
	e.mu.Unlock()
	if !exists {
		return nil
	}
	err := e.s.RemoveJob(uuid.NewSHA1(idSpace, []byte(id)))
	if errors.Is(err, gocron.ErrJobNotFound) {
		return nil // a one-time job gocron already dropped after its run
	}
	return err
}

func (e *gocronEngine) nextRuns(id string, n int) []time.Time {
	now := e.clock.Now()
	e.mu.Lock()
	j, ok := e.jobs[id]
	if t, cached := e.next[id]; ok && cached && n == 1 && now.Before(t) {
		e.mu.Unlock()
		return []time.Time{t}
	}
	gen := e.gen
	e.mu.Unlock()
	if !ok {
		return nil
	}
	runs, err := j.NextRuns(n)
	if err != nil {
		return nil
	}
	e.mu.Lock()
	// A schedule change while gocron answered may have made this stale.
	if len(runs) > 0 && runs[0].After(now) && gen == e.gen {
		e.next[id] = runs[0]
	}
	e.mu.Unlock()
	return runs
}

func (e *gocronEngine) start() { e.s.Start() }

func (e *gocronEngine) shutdown(ctx context.Context) error { return e.s.ShutdownWithContext(ctx) }

// gocronLogger adapts slog to gocron's Logger interface.
type gocronLogger struct{ l *slog.Logger }

func (g gocronLogger) Debug(msg string, args ...any) { g.l.Debug(msg, args...) }
func (g gocronLogger) Info(msg string, args ...any)  { g.l.Info(msg, args...) }
func (g gocronLogger) Warn(msg string, args ...any)  { g.l.Warn(msg, args...) }
func (g gocronLogger) Error(msg string, args ...any) { g.l.Error(msg, args...) }
