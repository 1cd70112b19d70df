// The acceptance scenarios of ../shared/spec/acceptance.md against the
// service, in process, under -race. Each test checks its invariant against
// an oracle the code under test does not produce: the rows, gocron's own job
// list (Scheduler.Jobs), the versions each call returned, and what a job
// body saw.
//
//	test                               scenario  guards
//	TestAcceptanceConcurrentRegister   1         50 concurrent creates under lists: 50 rows, 50 listed, 50 in gocron; row, gocron, Get and List agree
//	TestAcceptanceConcurrentPauseResume 2        enabled exactly when gocron holds the job with a next run, in row, Get and List
//	TestAcceptanceConcurrentReschedule 3         the last committed of ten schedules wins whole (versions 2..11 once each); gocron's next run follows it
//	TestAcceptanceConcurrentTrigger    4         one run at a time: a run held open refuses the other nine (ErrJobRunning); accepted = bodies run = manual runs recorded
//	TestAcceptanceReentry              5         a body and a listener calling back into the service finish without deadlock
//	TestAcceptanceRollback             6         a failed apply leaves row, gocron and reads on the previous schedule (hook and engine failures)
//	TestAcceptanceRestartKeepsChanges  7         persisted schedule and pause win over the built-in default after a restart
//	TestAcceptanceTimezones            8         each zone's offset in next_run; a 09:00 cron fires at 09:00 local
//	TestPauseUntilResumesByItself      2         a timed pause resumes on time and gocron follows
//
// Scenario 16's commit order at the source is in events_test.go; the HTTP
// side of every scenario is in ../handlers.

package scheduler

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"
	"github.com/robfig/cron/v3"

	"switchboard/models"
)

func TestAcceptanceConcurrentRegister(t *testing.T) {
	s := newService(t, nil, nil)
	ctx := context.Background()
	specs := make([]models.JobSpec, 50)
	for i := range specs {
		specs[i] = webhookSpec(t, fmt.Sprintf("job-%02d", i), "http://127.0.0.1:1/", "interval", `{"minutes": 10}`)
	}
	// A list before the creations, as a poll would have made: whatever the
	// service keeps of it must not outlive them.
	if jobs, err := s.List(ctx); err != nil || len(jobs) != 0 {
		t.Fatalf("before: %d jobs, %v", len(jobs), err)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 50 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			if _, err := s.Create(ctx, specs[i]); err != nil {
				errs <- err
			}
		}()
		go func() {
			defer wg.Done()
			<-start
			jobs, err := s.List(ctx)
			if err != nil {
				errs <- err
				return
			}
			// A job is stored only once gocron holds it: no reader may see
			// a created job without its next run.
			for _, j := range jobs {
				if !j.Enabled || j.NextRun == nil {
					errs <- fmt.Errorf("a concurrent list shows %s enabled=%v next run %v", j.ID, j.Enabled, j.NextRun)
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	rows, err := s.store.ListJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	held := heldByGocron(t, s)
	if len(rows) != 50 || len(jobs) != 50 || len(held) != 50 {
		t.Fatalf("got %d rows, %d listed and %d in gocron, want 50 of each", len(rows), len(jobs), len(held))
	}
	for i := range 50 {
		if v := checkAgreement(t, s, fmt.Sprintf("job-%02d", i)); !v.Enabled || v.Version != 1 {
			t.Fatalf("%s: enabled=%v version %d, want enabled at version 1", v.ID, v.Enabled, v.Version)
		}
	}
	checkAllAgree(t, s)
}

func TestAcceptanceConcurrentPauseResume(t *testing.T) {
	s := newService(t, nil, nil)
	ctx := context.Background()
	if _, err := s.Create(ctx, webhookSpec(t, "toggle", "http://127.0.0.1:1/", "interval", `{"minutes": 10}`)); err != nil {
		t.Fatal(err)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range 20 {
				var err error
				if (i+g)%2 == 0 {
					_, err = s.Pause(ctx, "toggle", PauseOptions{})
				} else {
					_, err = s.Resume(ctx, "toggle")
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("pause or resume: %v", err)
	}
	checkAllAgree(t, s)
	// Whichever state the race left, both transitions still agree.
	for _, op := range []string{"pause", "resume", "pause"} {
		var err error
		if op == "pause" {
			_, err = s.Pause(ctx, "toggle", PauseOptions{Reason: "final"})
		} else {
			_, err = s.Resume(ctx, "toggle")
		}
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		if v := checkAgreement(t, s, "toggle"); v.Enabled != (op == "resume") {
			t.Fatalf("after %s: enabled=%v", op, v.Enabled)
		}
	}
}

func TestAcceptanceConcurrentReschedule(t *testing.T) {
	s := newService(t, nil, nil)
	ctx := context.Background()
	if _, err := s.Create(ctx, webhookSpec(t, "resched", "http://127.0.0.1:1/", "interval", `{"minutes": 10}`)); err != nil {
		t.Fatal(err)
	}
	var submitted []models.Schedule
	for i := range 10 {
		submitted = append(submitted, mustSchedule(t, "cron", fmt.Sprintf(`{"hour": %d, "minute": %d}`, i+1, i*5)))
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	byVersion := map[int64]models.Schedule{} // the version each change committed as
	for _, sched := range submitted {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			j, err := s.UpdateSchedule(ctx, "resched", sched, nil)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if _, dup := byVersion[j.Version]; dup {
				t.Errorf("two changes committed as version %d", j.Version)
			}
			byVersion[j.Version] = sched
		}()
	}
	close(start)
	wg.Wait()
	// Changes of one job are serialised: the ten committed as versions
	// 2..11, and the one committed last is what stays, whole.
	for v := int64(2); v <= 11; v++ {
		if _, ok := byVersion[v]; !ok {
			t.Fatalf("no change committed as version %d (got %d changes)", v, len(byVersion))
		}
	}
	final := byVersion[11]
	v := checkAgreement(t, s, "resched")
	if v.Version != 11 || v.Trigger != models.TriggerCron || v.TriggerArgs != final.ArgsJSON() {
		t.Fatalf("final schedule %s %s v%d, want %s, the change committed last (v11)", v.Trigger, v.TriggerArgs, v.Version, final.ArgsJSON())
	}
	spec, _ := final.Cron.Crontab()
	parsed, err := cron.NewParser(cron.Second | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow).Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	// checkAgreement has shown gocron's next run equals the view's.
	want := parsed.Next(time.Now().In(s.Location()))
	if v.NextRun == nil || !v.NextRun.Equal(want) {
		t.Fatalf("gocron next run: got %v, want %v (from %s)", v.NextRun, want, v.TriggerArgs)
	}
}

func TestAcceptanceConcurrentTrigger(t *testing.T) {
	var executed, inFlight, maxInFlight atomic.Int64
	answered := make(chan struct{}) // closed once every trigger has returned
	b := Builtin{ID: "busy", Name: "Busy", Schedule: mustSchedule(t, "interval", `{"hours": 1}`),
		Run: func(ctx context.Context) (string, error) {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for m := maxInFlight.Load(); n > m && !maxInFlight.CompareAndSwap(m, n); m = maxInFlight.Load() {
			}
			executed.Add(1)
			// Hold the run slot until every trigger has been answered, so
			// each of them met a run in progress.
			select {
			case <-answered:
				return "ok", nil
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}}
	st, _ := openStore(t)
	s := newService(t, st, []Builtin{b})
	ctx := context.Background()
	start := make(chan struct{})
	var wg sync.WaitGroup
	var accepted, refused atomic.Int64
	var acceptedID atomic.Int64
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			id, err := s.Trigger(ctx, "busy")
			switch {
			case err == nil:
				accepted.Add(1)
				acceptedID.Store(id)
			case errors.Is(err, ErrJobRunning):
				refused.Add(1)
			default:
				t.Errorf("trigger: got %v, want nil or ErrJobRunning", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(answered)
	if accepted.Load() != 1 || refused.Load() != 9 {
		t.Fatalf("accepted %d, refused %d: want 1 and 9 (a run in progress refuses the others)", accepted.Load(), refused.Load())
	}
	waitFor(t, "the run to finish", func() bool {
		j, _ := s.Get(ctx, "busy")
		r, ok := lastRun(t, st, "busy")
		return j.Running == nil && ok && r.Status != models.StatusRunning
	})
	runs, total, err := st.ListRuns(ctx, models.RunFilter{JobID: "busy", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if total != 1 || runs[0].ID != acceptedID.Load() || runs[0].Source != models.SourceManual || runs[0].Status != models.StatusSuccess {
		t.Fatalf("runs recorded: %+v, want the one accepted manual run %d, successful", runs, acceptedID.Load())
	}
	if executed.Load() != 1 || maxInFlight.Load() != 1 {
		t.Fatalf("executed %d bodies, at most %d at once: want one", executed.Load(), maxInFlight.Load())
	}
}

func TestAcceptanceReentry(t *testing.T) {
	st, _ := openStore(t)
	var s *Service
	other := mustSchedule(t, "interval", `{"minutes": 7}`)
	b := Builtin{ID: "reentrant", Name: "Re-entrant", Schedule: mustSchedule(t, "interval", `{"minutes": 1}`),
		Run: func(ctx context.Context) (string, error) {
			jobs, err := s.List(ctx)
			if err != nil {
				return "", err
			}
			if _, err := s.Pause(ctx, "reentrant", PauseOptions{Reason: "paused by itself"}); err != nil {
				return "", err
			}
			if _, err := s.UpdateSchedule(ctx, "other", other, nil); err != nil {
				return "", err
			}
			return fmt.Sprintf("saw %d jobs", len(jobs)), nil
		}}
	noop := Builtin{ID: "other", Name: "Other", Schedule: mustSchedule(t, "interval", `{"hours": 1}`),
		Run: func(ctx context.Context) (string, error) { return "", nil }}
	clock := clockwork.NewFakeClock()
	s = newService(t, st, []Builtin{b, noop}, WithClock(clock))
	listenerDone := make(chan string, 10000) // every completion, skipped ticks too, may send: never block the relay
	s.Subscribe(func(e Event) {
		if e.Type != EventJobCompleted || e.JobID != "reentrant" {
			return
		}
		// A listener calling back in: list, then resume the job that paused itself.
		if _, err := s.List(context.Background()); err != nil {
			listenerDone <- err.Error()
			return
		}
		if _, err := s.Resume(context.Background(), "reentrant"); err != nil {
			listenerDone <- err.Error()
			return
		}
		listenerDone <- ""
	})
	// A scheduled run: gocron calls the body, which calls back into the
	// service. Ticks that land while it runs are recorded as skipped.
	scheduledSuccess := func() bool {
		runs, _, _ := st.ListRuns(context.Background(), models.RunFilter{JobID: "reentrant", Status: models.StatusSuccess})
		for _, r := range runs {
			if r.Source == models.SourceSchedule {
				return true
			}
		}
		return false
	}
	waitFor(t, "scheduled run", func() bool {
		if _, ok := lastRun(t, st, "reentrant"); !ok {
			clock.Advance(time.Minute)
		}
		return scheduledSuccess()
	})
	select {
	case msg := <-listenerDone:
		if msg != "" {
			t.Fatalf("listener: %s", msg)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("listener did not finish: deadlock?")
	}
	waitFor(t, "the listener's resume", func() bool {
		j, _ := s.Get(context.Background(), "reentrant")
		return j.Enabled && j.Running == nil
	})
	o, _ := s.Get(context.Background(), "other")
	if o.TriggerArgs != other.ArgsJSON() {
		t.Fatalf("other job: got %s, want %s", o.TriggerArgs, other.ArgsJSON())
	}
	checkAgreement(t, s, "reentrant")
	// The same from a manual run. The loop above may have advanced the fake
	// clock past a second tick whose run starts only now: a manual run is
	// then refused until that one ends, as it should be.
	var runID int64
	waitFor(t, "a manual run to start", func() bool {
		var err error
		runID, err = s.Trigger(context.Background(), "reentrant")
		if err != nil && !errors.Is(err, ErrJobRunning) {
			t.Fatal(err)
		}
		return err == nil
	})
	waitFor(t, "manual run", func() bool {
		r, _ := lastRun(t, st, "reentrant")
		return r.ID == runID && r.Status == models.StatusSuccess
	})
	// The run paused the job; the listener hears its completion and resumes
	// it. Earlier completions (ticks skipped while a run went on) may have
	// sent messages of their own, so wait on the state, then read them all.
	waitFor(t, "the listener's resume after the manual run", func() bool {
		j, _ := s.Get(context.Background(), "reentrant")
		return j.Enabled && j.Running == nil
	})
	for {
		select {
		case msg := <-listenerDone:
			if msg != "" {
				t.Fatalf("listener: %s", msg)
			}
			continue
		default:
		}
		break
	}
	checkAgreement(t, s, "reentrant")
}

// failingEngine makes applying a schedule fail the way gocron's Update can:
// the old job is already gone when the error comes back. It fails the next
// `failures` calls; restoring the old schedule afterwards succeeds.
type failingEngine struct {
	engine
	failures atomic.Int32
}

// gocronScheduler lets EngineJobs read the gocron underneath.
func (f *failingEngine) gocronScheduler() gocron.Scheduler {
	return f.engine.(interface{ gocronScheduler() gocron.Scheduler }).gocronScheduler()
}

func (f *failingEngine) schedule(id string, sched models.Schedule, task func()) error {
	if f.failures.Add(-1) >= 0 {
		_ = f.engine.unschedule(id)
		return errors.New("injected gocron failure")
	}
	return f.engine.schedule(id, sched, task)
}

func TestAcceptanceRollback(t *testing.T) {
	ctx := context.Background()
	for _, via := range []string{"hook", "engine"} {
		t.Run(via, func(t *testing.T) {
			var hookFails atomic.Bool
			s := newService(t, nil, nil, WithApplyHook(func(string, models.Schedule) error {
				if hookFails.Load() {
					return errors.New("injected apply failure")
				}
				return nil
			}))
			fe := &failingEngine{engine: s.cur().eng}
			s.rt.Store(&schedRuntime{loc: s.Location(), eng: fe})
			if _, err := s.Create(ctx, webhookSpec(t, "rb", "http://127.0.0.1:1/", "cron", `{"hour": 4, "minute": 15}`)); err != nil {
				t.Fatal(err)
			}
			before := checkAgreement(t, s, "rb")
			if via == "hook" {
				hookFails.Store(true)
			} else {
				fe.failures.Store(1)
			}
			_, err := s.UpdateSchedule(ctx, "rb", mustSchedule(t, "interval", `{"minutes": 3}`), nil)
			if err == nil {
				t.Fatal("update: got no error, want the injected failure")
			}
			hookFails.Store(false)
			after := checkAgreement(t, s, "rb")
			if after.TriggerArgs != before.TriggerArgs || after.Version != before.Version ||
				after.NextRun == nil || !after.NextRun.Equal(*before.NextRun) {
				t.Fatalf("after failed update: got %s v%d next %v, want %s v%d next %v",
					after.TriggerArgs, after.Version, after.NextRun, before.TriggerArgs, before.Version, before.NextRun)
			}
			// A resume rolls back the same way.
			if _, err := s.Pause(ctx, "rb", PauseOptions{}); err != nil {
				t.Fatal(err)
			}
			fe.failures.Store(1)
			if _, err := s.Resume(ctx, "rb"); err == nil {
				t.Fatal("resume with failing gocron: got no error")
			}
			if v := checkAgreement(t, s, "rb"); v.Enabled {
				t.Fatal("job enabled although its resume failed")
			}
			checkAllAgree(t, s)
		})
	}
}

func TestAcceptanceRestartKeepsChanges(t *testing.T) {
	ctx := context.Background()
	st, path := openStore(t)
	def := Builtin{ID: "nightly", Name: "Nightly", Schedule: mustSchedule(t, "cron", `{"hour": 2}`),
		Run: func(ctx context.Context) (string, error) { return "", nil }}
	s1, err := New(st, "America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	_ = s1.Register(def)
	if err := s1.Start(ctx); err != nil {
		t.Fatal(err)
	}
	newSched := mustSchedule(t, "interval", `{"minutes": 42}`)
	if _, err := s1.UpdateSchedule(ctx, "nightly", newSched, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s1.Create(ctx, webhookSpec(t, "hook", "http://127.0.0.1:1/", "interval", `{"hours": 3}`)); err != nil {
		t.Fatal(err)
	}
	until := time.Now().Add(48 * time.Hour).Truncate(time.Second)
	if _, err := s1.Pause(ctx, "nightly", PauseOptions{Reason: "holiday", Until: &until}); err != nil {
		t.Fatal(err)
	}
	if err := s1.Close(ctx); err != nil {
		t.Fatal(err)
	}
	st.Close()

	st2, err := models.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st2.Close() })
	s2 := newService(t, st2, []Builtin{def})
	v := checkAgreement(t, s2, "nightly")
	if v.Enabled || v.TriggerArgs != newSched.ArgsJSON() || v.PausedReason != "holiday" || v.PausedUntil == nil || !v.PausedUntil.Equal(until) {
		t.Fatalf("after restart: got enabled=%v args=%s reason=%q until=%v, want paused %s until %v",
			v.Enabled, v.TriggerArgs, v.PausedReason, v.PausedUntil, newSched.ArgsJSON(), until)
	}
	if h := checkAgreement(t, s2, "hook"); !h.Enabled || h.NextRun == nil {
		t.Fatal("stored job not rescheduled after restart")
	}
	checkAllAgree(t, s2)
}

func TestAcceptanceTimezones(t *testing.T) {
	for _, zone := range []string{"Europe/Paris", "Asia/Kolkata", "Asia/Tokyo", "America/Sao_Paulo"} {
		t.Run(zone, func(t *testing.T) {
			loc, _ := time.LoadLocation(zone)
			ctx := context.Background()
			start := time.Date(2026, 7, 14, 8, 59, 0, 0, loc)
			clock := clockwork.NewFakeClockAt(start)
			st, _ := openStore(t)
			fired := make(chan time.Time, 1)
			b := Builtin{ID: "nine", Name: "Nine", Schedule: mustSchedule(t, "cron", `{"hour": 9, "minute": 0}`),
				Run: func(ctx context.Context) (string, error) {
					select {
					case fired <- clock.Now():
					default:
					}
					return "", nil
				}}
			s, err := New(st, zone, WithClock(clock))
			if err != nil {
				t.Fatal(err)
			}
			_ = s.Register(b)
			if err := s.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close(context.Background()) })
			v, _ := s.Get(ctx, "nine")
			want := time.Date(2026, 7, 14, 9, 0, 0, 0, loc)
			if v.Location.String() != zone || v.NextRun == nil || !v.NextRun.Equal(want) {
				t.Fatalf("got zone %s next %v, want %s %v", v.Location, v.NextRun, zone, want)
			}
			checkAgreement(t, s, "nine")
			_, wantOff := want.Zone()
			if _, off := v.NextRun.Zone(); off != wantOff {
				t.Fatalf("offset: got %d, want %d", off, wantOff)
			}
			var at time.Time
			waitFor(t, "the 09:00 run", func() bool {
				select {
				case at = <-fired:
					return true
				default:
					if clock.Now().Before(want) {
						clock.Advance(time.Minute)
					}
					return false
				}
			})
			if local := at.In(loc); local.Hour() != 9 || local.Minute() != 0 {
				t.Fatalf("fired at %v local, want 09:00", local)
			}
		})
	}
}

func TestPauseUntilResumesByItself(t *testing.T) {
	clock := clockwork.NewFakeClock()
	s := newService(t, nil, nil, WithClock(clock))
	ctx := context.Background()
	if _, err := s.Create(ctx, webhookSpec(t, "nap", "http://127.0.0.1:1/", "interval", `{"hours": 1}`)); err != nil {
		t.Fatal(err)
	}
	until := clock.Now().Add(30 * time.Minute)
	if _, err := s.Pause(ctx, "nap", PauseOptions{Until: &until}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(29 * time.Minute)
	if v, _ := s.Get(ctx, "nap"); v.Enabled {
		t.Fatal("resumed before its time")
	}
	clock.Advance(2 * time.Minute)
	waitFor(t, "automatic resume", func() bool {
		v, _ := s.Get(ctx, "nap")
		return v.Enabled
	})
	checkAgreement(t, s, "nap")
}
