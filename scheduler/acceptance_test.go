package scheduler

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/robfig/cron/v3"

	"switchboard/models"
)

// checkAgreement asserts the row, gocron and the service's view agree on
// whether the job is scheduled.
func checkAgreement(t *testing.T, s *Service, id string) Job {
	t.Helper()
	row, err := s.store.GetJob(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	inGocron := len(s.cur().eng.nextRuns(id, 1)) > 0
	v, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if row.Enabled != inGocron || row.Enabled != (v.NextRun != nil) || row.Enabled != v.Enabled {
		t.Fatalf("disagreement for %s: row enabled=%v, gocron scheduled=%v, view next_run=%v enabled=%v",
			id, row.Enabled, inGocron, v.NextRun, v.Enabled)
	}
	return v
}

func TestAcceptanceConcurrentRegister(t *testing.T) {
	s := newService(t, nil, nil)
	ctx := context.Background()
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 50 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			_, err := s.Create(ctx, webhookSpec(t, fmt.Sprintf("job-%02d", i), "http://127.0.0.1:1/", "interval", `{"minutes": 10}`))
			errs <- err
		}()
		go func() {
			defer wg.Done()
			<-start
			if _, err := s.List(ctx); err != nil {
				errs <- err
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rows, _ := s.store.ListJobs(ctx)
	jobs, _ := s.List(ctx)
	if len(rows) != 50 || len(jobs) != 50 {
		t.Fatalf("got %d rows and %d listed, want 50 of each", len(rows), len(jobs))
	}
	for i := range 50 {
		v := checkAgreement(t, s, fmt.Sprintf("job-%02d", i))
		if !v.Enabled {
			t.Fatalf("%s: not enabled", v.ID)
		}
	}
}

func TestAcceptanceConcurrentPauseResume(t *testing.T) {
	s := newService(t, nil, nil)
	ctx := context.Background()
	if _, err := s.Create(ctx, webhookSpec(t, "toggle", "http://127.0.0.1:1/", "interval", `{"minutes": 10}`)); err != nil {
		t.Fatal(err)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	var failures atomic.Int64
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
					failures.Add(1)
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	if n := failures.Load(); n != 0 {
		t.Fatalf("%d operations failed, want none", n)
	}
	checkAgreement(t, s, "toggle")
}

func TestAcceptanceConcurrentReschedule(t *testing.T) {
	s := newService(t, nil, nil)
	ctx := context.Background()
	if _, err := s.Create(ctx, webhookSpec(t, "resched", "http://127.0.0.1:1/", "interval", `{"minutes": 10}`)); err != nil {
		t.Fatal(err)
	}
	submitted := map[string]models.Schedule{}
	for i := range 10 {
		sched := mustSchedule(t, "cron", fmt.Sprintf(`{"hour": %d, "minute": %d}`, i+1, i*5))
		submitted[sched.ArgsJSON()] = sched
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, sched := range submitted {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if _, err := s.UpdateSchedule(ctx, "resched", sched, nil); err != nil {
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
	row, _ := s.store.GetJob(ctx, "resched")
	final, ok := submitted[row.TriggerArgs]
	if !ok || row.Trigger != models.TriggerCron {
		t.Fatalf("final schedule %s %s is none of the submitted ones", row.Trigger, row.TriggerArgs)
	}
	spec, _ := final.Cron.Crontab()
	parsed, err := cron.NewParser(cron.Second | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow).Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	v := checkAgreement(t, s, "resched")
	want := parsed.Next(time.Now().In(s.Location()))
	if v.NextRun == nil || !v.NextRun.Equal(want) {
		t.Fatalf("gocron next run: got %v, want %v (from %s)", v.NextRun, want, row.TriggerArgs)
	}
	if v.Version != 11 {
		t.Fatalf("version: got %d, want 11 after ten changes", v.Version)
	}
}

func TestAcceptanceConcurrentTrigger(t *testing.T) {
	var executed atomic.Int64
	b := Builtin{ID: "busy", Name: "Busy", Schedule: mustSchedule(t, "interval", `{"hours": 1}`),
		Run: func(ctx context.Context) (string, error) {
			executed.Add(1)
			time.Sleep(20 * time.Millisecond) // hold the slot so triggers overlap
			return "ok", nil
		}}
	st, _ := openStore(t)
	s := newService(t, st, []Builtin{b})
	ctx := context.Background()
	start := make(chan struct{})
	var wg sync.WaitGroup
	var accepted atomic.Int64
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := s.Trigger(ctx, "busy")
			switch {
			case err == nil:
				accepted.Add(1)
			case !errors.Is(err, ErrJobRunning):
				t.Errorf("trigger: got %v, want nil or ErrJobRunning", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if accepted.Load() < 1 {
		t.Fatal("no trigger was accepted")
	}
	waitFor(t, "runs to finish", func() bool {
		j, _ := s.Get(ctx, "busy")
		return j.Running == nil
	})
	runs, _, _ := st.ListRuns(ctx, models.RunFilter{JobID: "busy", Limit: 100})
	manual := 0
	for _, r := range runs {
		if r.Source == models.SourceManual && r.Status == models.StatusSuccess {
			manual++
		}
	}
	if int64(manual) != accepted.Load() || executed.Load() != accepted.Load() {
		t.Fatalf("accepted %d, recorded %d manual runs, executed %d bodies: want all equal", accepted.Load(), manual, executed.Load())
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
	if msg := <-listenerDone; msg != "" {
		t.Fatalf("listener: %s", msg)
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
