package scheduler

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"switchboard/models"
)

// The next run shown for a job is cached between runs; it must follow the
// job's schedule changes and its runs at once, never lag behind them.
func TestNextRunFollowsRunsAndReschedules(t *testing.T) {
	clock := clockwork.NewFakeClockAt(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	s := newService(t, nil, nil, WithClock(clock))
	ctx := context.Background()
	if _, err := s.Create(ctx, webhookSpec(t, "hook", "http://127.0.0.1:1/", "interval", `{"minutes": 5}`)); err != nil {
		t.Fatal(err)
	}
	next := func() time.Time {
		j, err := s.Get(ctx, "hook")
		if err != nil || j.NextRun == nil {
			t.Fatalf("get: next %v, err %v", j.NextRun, err)
		}
		return *j.NextRun
	}
	// listed checks the kept list against Get once gocron is at rest (while
	// a run is being started, two reads may straddle gocron's update).
	listed := func(what string) {
		want := next()
		jobs, err := s.List(ctx)
		if err != nil || len(jobs) != 1 || jobs[0].NextRun == nil || !jobs[0].NextRun.Equal(want) {
			t.Fatalf("%s: the list disagrees with get (next run %v): %+v %v", what, want, jobs, err)
		}
	}
	first := next()
	if want := clock.Now().Add(5 * time.Minute); !first.Equal(want) {
		t.Fatalf("next run %v, want %v", first, want)
	}
	if again := next(); !again.Equal(first) {
		t.Fatalf("asked twice: %v then %v", first, again)
	}
	listed("created")

	// Rescheduled: the new schedule's next run at once.
	if _, err := s.UpdateSchedule(ctx, "hook", mustSchedule(t, "interval", `{"minutes": 30}`), nil); err != nil {
		t.Fatal(err)
	}
	if got, want := next(), clock.Now().Add(30*time.Minute); !got.Equal(want) {
		t.Fatalf("after reschedule: next run %v, want %v", got, want)
	}
	listed("rescheduled")

	// Its time comes: gocron runs it and the next run moves on.
	before := next()
	clock.Advance(31 * time.Minute)
	waitFor(t, "the next run to move past the one that came", func() bool { return next().After(before) })
	if got := next(); !got.After(clock.Now()) {
		t.Fatalf("next run %v is not after now %v", got, clock.Now())
	}
	waitFor(t, "the run to end", func() bool { j, _ := s.Get(ctx, "hook"); return j.Running == nil && j.LastRunAt != nil })
	listed("after its run")

	// Paused: none; resumed: one again.
	if _, err := s.Pause(ctx, "hook", PauseOptions{}); err != nil {
		t.Fatal(err)
	}
	if j, _ := s.Get(ctx, "hook"); j.NextRun != nil {
		t.Fatalf("paused job has next run %v", j.NextRun)
	}
	if jobs, _ := s.List(ctx); len(jobs) != 1 || jobs[0].NextRun != nil || jobs[0].Enabled {
		t.Fatalf("paused job in the list: %+v", jobs)
	}
	if _, err := s.Resume(ctx, "hook"); err != nil {
		t.Fatal(err)
	}
	if got := next(); !got.After(clock.Now()) {
		t.Fatalf("resumed: next run %v is not after now %v", got, clock.Now())
	}
	listed("resumed")
}

// List keeps its last answer between changes; a change that has returned
// must show in every List after it, whatever else runs at the same time.
func TestListShowsEveryCompletedChange(t *testing.T) {
	s := newService(t, nil, nil)
	ctx := context.Background()
	const writers = 8
	for g := range writers {
		if _, err := s.Create(ctx, webhookSpec(t, fmt.Sprintf("hook-%d", g), "http://127.0.0.1:1/", "interval", `{"minutes": 5}`)); err != nil {
			t.Fatal(err)
		}
	}
	scheds := make([]models.Schedule, 30)
	for i := range scheds {
		scheds[i] = mustSchedule(t, "interval", fmt.Sprintf(`{"minutes": %d}`, 10+i))
	}
	barrier := make(chan struct{})
	errs := make(chan error, writers*2)
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(2)
		go func() { // a writer that checks its own writes in the list
			defer wg.Done()
			<-barrier
			id := fmt.Sprintf("hook-%d", g)
			for i := range 30 {
				want := scheds[i]
				if _, err := s.UpdateSchedule(ctx, id, want, nil); err != nil {
					errs <- err
					return
				}
				paused := i%2 == 0
				if paused {
					_, err := s.Pause(ctx, id, PauseOptions{Reason: fmt.Sprint(i)})
					if err != nil {
						errs <- err
						return
					}
				} else if _, err := s.Resume(ctx, id); err != nil {
					errs <- err
					return
				}
				jobs, err := s.List(ctx)
				if err != nil {
					errs <- err
					return
				}
				for _, j := range jobs {
					if j.ID == id && (j.TriggerArgs != want.ArgsJSON() || j.Enabled == paused || (j.NextRun == nil) == j.Enabled) {
						errs <- fmt.Errorf("%s after write %d: list shows args %s enabled %v next %v", id, i, j.TriggerArgs, j.Enabled, j.NextRun)
						return
					}
				}
			}
		}()
		go func() { // a reader keeping the list warm
			defer wg.Done()
			<-barrier
			for range 100 {
				if _, err := s.List(ctx); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	close(barrier)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// And the list agrees with the rows one by one.
	jobs, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		g := checkAgreement(t, s, j.ID) // the row, gocron and Get agree
		if g.Version != j.Version || g.Enabled != j.Enabled || g.TriggerArgs != j.TriggerArgs {
			t.Errorf("%s: list has version %d, the row %d", j.ID, j.Version, g.Version)
		}
	}
}
