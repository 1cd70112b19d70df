// Package scheduler is the one writer path for jobs: a locked service over
// gocron that keeps the jobs table, gocron and every reader in agreement.
//
// Lock discipline. Changes to one job are serialised by that job's stripe
// lock, held for the whole check-then-act (validate, write the row, apply to
// gocron, publish). s.mu guards only in-memory maps and is never held across
// I/O. Holding a stripe lock is also what marks a change under way for the
// one cache of the job list (listCache, in snapshot.go). No lock is held
// while a job body runs, so a body (or an event
// listener, which runs on the dispatcher goroutine) may call back into the
// service: no path ever takes a lock it already holds.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"

	"switchboard/egress"
	"switchboard/models"
)

// Errors the service returns besides the store's.
var (
	// ErrJobRunning: a run of the job is already under way.
	ErrJobRunning = errors.New("job is already running")
	// ErrNotRunning: the scheduler is not running, so it cannot run jobs.
	ErrNotRunning = errors.New("scheduler is not running")
)

// VersionConflictError is returned when a change names a stale version.
type VersionConflictError struct{ Current Job }

func (e *VersionConflictError) Error() string {
	return fmt.Sprintf("Job '%s' was changed by someone else: it is at version %d.", e.Current.ID, e.Current.Version)
}

// Unwrap makes errors.Is(err, models.ErrConflict) hold.
func (e *VersionConflictError) Unwrap() error { return models.ErrConflict }

// PromptRunner sends a prompt job to the active AI provider.
type PromptRunner func(ctx context.Context, cfg models.PromptConfig) (PromptResult, error)

// PromptResult is a provider's reply and who gave it.
type PromptResult struct {
	Text, Provider, Model string
}

// Skip makes a run end as skipped with reason as its summary.
type Skip struct{ Reason string }

func (s Skip) Error() string { return s.Reason }

const stripes = 64

type lifecycle int

const (
	created lifecycle = iota
	started
	closing
)

// Service is the locked scheduler service.
type Service struct {
	store      *models.Store
	log        *slog.Logger
	clock      clockwork.Clock
	rt         atomic.Pointer[schedRuntime] // swapped whole by SetTimezone
	tzMu       sync.Mutex                   // serialises timezone changes
	applyHook  func(string, models.Schedule) error
	prompt     PromptRunner
	http       *http.Client
	egress     *egress.Policy
	marketOpen func(time.Time) bool
	list       listCache // the last job list, while true; see its rule

	stripe [stripes]sync.Mutex

	// The cluster: this instance, whether it leads, how far it has read.
	instance, version string
	startedAt         time.Time
	leaderUntil       atomic.Int64 // unix nanoseconds; 0 when not leading
	lastApplied       atomic.Int64 // the last event-log id followed and delivered

	lmu       sync.Mutex // guards listeners
	listeners []func(Event)

	stopRelay  chan struct{}
	relayDone  chan struct{}
	memberDone chan struct{}
	endMember  context.CancelFunc
	endRelay   context.CancelFunc

	mu       sync.Mutex // guards the fields below; never held across I/O
	state    lifecycle
	builtins map[string]Builtin
	running  map[string]*activeRun // runs this instance is executing
	remote   map[string]*activeRun // runs under way anywhere, as the log tells
	seen     map[string]models.Job // each job's newest row this instance has acted on
	resumes  map[string]clockwork.Timer
	runs     sync.WaitGroup // every run under way, manual or scheduled

	runCtx    context.Context // parent of every run; cancelled when the grace period ends
	cancelRun context.CancelFunc
}

// schedRuntime is the timezone and the gocron engine running in it: they
// change together, under every stripe lock.
type schedRuntime struct {
	loc *time.Location
	eng engine
}

func (s *Service) cur() *schedRuntime { return s.rt.Load() }

type activeRun struct {
	id      int64
	source  string
	started time.Time
	usual   time.Duration // how long the job's runs usually take; 0: unknown
}

// New builds a service on store running in the IANA zone tz. Register
// built-in jobs, then Start it.
func New(store *models.Store, tz string, opts ...Option) (*Service, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("scheduler timezone %q: %w", tz, err)
	}
	s := &Service{
		store:      store,
		log:        slog.New(slog.DiscardHandler),
		marketOpen: MarketOpen,
		builtins:   map[string]Builtin{},
		running:    map[string]*activeRun{},
		remote:     map[string]*activeRun{},
		seen:       map[string]models.Job{},
		resumes:    map[string]clockwork.Timer{},
		startedAt:  time.Now().UTC(),
		stopRelay:  make(chan struct{}),
		relayDone:  make(chan struct{}),
		memberDone: make(chan struct{}),
	}
	WithEgress(must(egress.New(nil, nil)))(s) // the default: no operator lists
	for _, o := range opts {
		o(s)
	}
	if s.clock == nil {
		s.clock = clockwork.NewRealClock()
	}
	eng, err := newGocronEngine(loc, s.clock, s.log)
	if err != nil {
		return nil, err
	}
	s.rt.Store(&schedRuntime{loc: loc, eng: eng})
	s.runCtx, s.cancelRun = context.WithCancel(context.Background())
	if s.instance == "" {
		s.instance = DefaultInstanceID()
	}
	return s, nil
}

// Location is the scheduler's timezone.
func (s *Service) Location() *time.Location { return s.cur().loc }

// Running reports whether the scheduler runs jobs.
func (s *Service) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state == started
}

// Subscribe adds a listener for events. Listeners run one at a time, in
// log order, on the relay goroutine, holding no service lock: they may call
// back into the service.
func (s *Service) Subscribe(fn func(Event)) {
	s.lmu.Lock()
	s.listeners = append(s.listeners, fn)
	s.lmu.Unlock()
}

// lockJob takes the job's stripe lock, under which everything a job list
// shows changes: holding it counts as a change under way (see listCache).
func (s *Service) lockJob(id string) func() {
	h := fnv.New32a()
	h.Write([]byte(id))
	m := &s.stripe[h.Sum32()%stripes]
	m.Lock()
	s.list.begin()
	return func() {
		s.list.end()
		m.Unlock()
	}
}

// Start stores the registered built-ins that are not stored yet, closes runs
// a killed process left open, reconciles gocron with every stored job and
// starts running them.
func (s *Service) Start(ctx context.Context) error {
	// Start changes what lists show (it reconciles every job and can fix
	// rows a killed process left) without the jobs' locks: nothing else
	// changes a job before it has started.
	s.list.begin()
	defer s.list.end()
	s.mu.Lock()
	if s.state != created {
		s.mu.Unlock()
		return errors.New("scheduler: Start called twice")
	}
	builtins := make([]Builtin, 0, len(s.builtins))
	for _, b := range s.builtins {
		builtins = append(builtins, b)
	}
	s.mu.Unlock()

	// On SQLite this is the only instance (the file is locked), so every
	// run still open was left by a process that died; on PostgreSQL only
	// this instance's own earlier runs are known to be dead.
	var lost func(string) bool
	if !s.store.SoleInstance() {
		lost = func(inst string) bool { return inst == s.instance }
	}
	if n, err := s.store.CloseRuns(ctx, lost, "interrupted: the server stopped during this run"); err != nil {
		return err
	} else if n > 0 {
		s.log.Warn("closed runs left open by a previous process", "runs", n)
	}
	for _, b := range builtins {
		if _, err := s.store.EnsureJob(ctx, builtinRow(b)); err != nil {
			return fmt.Errorf("store built-in %s: %w", b.ID, err)
		}
	}
	// Follow the log from here, after what Start itself wrote: a change
	// committed after this read is followed again by the relay, which is
	// harmless (versions tell).
	last, err := s.store.LastEventID(ctx)
	if err != nil {
		return err
	}
	s.lastApplied.Store(last)
	jobs, err := s.store.ListJobs(ctx)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		if err := s.reconcile(j); err != nil {
			// One bad stored row must not keep the others from running.
			s.log.Error("cannot schedule stored job", "job_id", j.ID, "err", err)
		}
	}
	s.mu.Lock()
	s.state = started
	s.mu.Unlock()
	mctx, endMember := context.WithCancel(context.WithoutCancel(ctx))
	s.endMember = endMember
	s.campaign(mctx) // lead at once when nobody else does
	go s.membership(mctx)
	rctx, endRelay := context.WithCancel(context.WithoutCancel(ctx))
	s.endRelay = endRelay
	go s.relay(rctx, s.stopRelay)
	s.cur().eng.start()
	s.log.Info("scheduler started", "jobs", len(jobs), "timezone", s.Location().String(),
		"instance", s.instance, "leader", s.Leader())
	return nil
}

// reconcile makes gocron match the stored row. The caller holds the job's
// stripe lock (or is Start, before anything else can touch the job).
func (s *Service) reconcile(j models.Job) error {
	s.noteSeen(j)
	rt := s.cur()
	if j.Enabled {
		sched, err := j.Schedule(rt.loc)
		if err != nil {
			return err
		}
		if sched.Trigger == models.TriggerDate && !sched.RunDate.After(s.clock.Now()) {
			return rt.eng.unschedule(j.ID) // already fired: nothing left to schedule
		}
		return rt.eng.schedule(j.ID, sched, s.scheduledTask(j.ID))
	}
	if err := rt.eng.unschedule(j.ID); err != nil {
		return err
	}
	if !j.Enabled && j.PausedUntil != nil {
		s.armResume(j.ID, *j.PausedUntil)
	}
	return nil
}

// noteSeen records row as the newest this instance has acted on, so the
// relay does not apply it (or an older one) again.
func (s *Service) noteSeen(row models.Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.seen[row.ID]; !ok || cur.Version <= row.Version {
		s.seen[row.ID] = row
	}
}

// Close stops scheduling, lets running jobs finish until ctx ends (then
// cancels them and waits for them to record their end), and stops event
// delivery after the last event.
func (s *Service) Close(ctx context.Context) error {
	s.mu.Lock()
	wasStarted := s.state == started
	s.state = closing
	for id, t := range s.resumes {
		t.Stop()
		delete(s.resumes, id)
	}
	s.mu.Unlock()

	if wasStarted {
		// gocron gives up waiting on its goroutines after its stop timeout;
		// the wait below is the one that counts.
		if err := s.cur().eng.shutdown(ctx); err != nil {
			s.log.Debug("gocron shutdown", "err", err)
		}
	}
	done := make(chan struct{})
	go func() { s.runs.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		s.log.Warn("shutdown grace period over: cancelling running jobs")
		s.cancelRun()
		<-done
	}
	s.cancelRun()
	if wasStarted {
		s.endMember()
		<-s.memberDone
		close(s.stopRelay) // the relay delivers what committed, then stops
		<-s.relayDone
		s.endRelay() // and its listener connection closes
	}
	return nil
}

// must is for values that cannot fail with the arguments given.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
