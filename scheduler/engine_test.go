package scheduler

import (
	"context"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
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
	first := next()
	if want := clock.Now().Add(5 * time.Minute); !first.Equal(want) {
		t.Fatalf("next run %v, want %v", first, want)
	}
	if again := next(); !again.Equal(first) {
		t.Fatalf("asked twice: %v then %v", first, again)
	}

	// Rescheduled: the new schedule's next run at once.
	if _, err := s.UpdateSchedule(ctx, "hook", mustSchedule(t, "interval", `{"minutes": 30}`), nil); err != nil {
		t.Fatal(err)
	}
	if got, want := next(), clock.Now().Add(30*time.Minute); !got.Equal(want) {
		t.Fatalf("after reschedule: next run %v, want %v", got, want)
	}

	// Its time comes: gocron runs it and the next run moves on.
	before := next()
	clock.Advance(31 * time.Minute)
	waitFor(t, "the next run to move past the one that came", func() bool { return next().After(before) })
	if got := next(); !got.After(clock.Now()) {
		t.Fatalf("next run %v is not after now %v", got, clock.Now())
	}

	// Paused: none; resumed: one again.
	if _, err := s.Pause(ctx, "hook", PauseOptions{}); err != nil {
		t.Fatal(err)
	}
	if j, _ := s.Get(ctx, "hook"); j.NextRun != nil {
		t.Fatalf("paused job has next run %v", j.NextRun)
	}
	if _, err := s.Resume(ctx, "hook"); err != nil {
		t.Fatal(err)
	}
	if got := next(); !got.After(clock.Now()) {
		t.Fatalf("resumed: next run %v is not after now %v", got, clock.Now())
	}
}
