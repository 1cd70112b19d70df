package scheduler

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"switchboard/models"
)

func TestPauseValidatesAndRepeatsChangeNothing(t *testing.T) {
	clock := clockwork.NewFakeClock()
	s := newService(t, nil, nil, WithClock(clock))
	ctx := context.Background()
	if _, err := s.Create(ctx, webhookSpec(t, "p", "http://127.0.0.1:1/", "interval", `{"minutes": 5}`)); err != nil {
		t.Fatal(err)
	}
	past := clock.Now().Add(-time.Minute)
	for _, tt := range []struct {
		name string
		opts PauseOptions
	}{
		{"a reason of 501 characters", PauseOptions{Reason: strings.Repeat("é", 501)}},
		{"an until in the past", PauseOptions{Until: &past}},
		{"an until of now", PauseOptions{Until: ptr(clock.Now())}},
	} {
		var invalid *models.ValidationError
		if _, err := s.Pause(ctx, "p", tt.opts); !errors.As(err, &invalid) {
			t.Errorf("pause with %s: got %v, want a validation error", tt.name, err)
		}
	}
	checkAgreement(t, s, "p") // still scheduled, at version 1
	reason := strings.Repeat("é", 500)
	steps := []struct {
		what    string
		opts    PauseOptions
		version int64
		reason  string
	}{
		{"a reason of 500 characters", PauseOptions{Reason: reason}, 2, reason},
		{"the same pause again", PauseOptions{Reason: reason}, 2, reason},
		{"a pause without options", PauseOptions{}, 2, reason},
		{"another reason", PauseOptions{Reason: "other"}, 3, "other"},
	}
	for _, st := range steps {
		j, err := s.Pause(ctx, "p", st.opts)
		if err != nil || j.Version != st.version || j.PausedReason != st.reason || j.Enabled {
			t.Fatalf("%s: got v%d reason %.10q enabled=%v err %v, want paused at v%d with %.10q", st.what, j.Version, j.PausedReason, j.Enabled, err, st.version, st.reason)
		}
	}
	checkAgreement(t, s, "p")
}

func TestScheduleChangeWithStaleVersionIsRefused(t *testing.T) {
	s := newService(t, nil, nil)
	ctx := context.Background()
	if _, err := s.Create(ctx, webhookSpec(t, "v", "http://127.0.0.1:1/", "interval", `{"minutes": 5}`)); err != nil {
		t.Fatal(err)
	}
	stale, current := int64(7), int64(1)
	_, err := s.UpdateSchedule(ctx, "v", mustSchedule(t, "interval", `{"minutes": 6}`), &stale)
	var conflict *VersionConflictError
	if !errors.As(err, &conflict) || !errors.Is(err, models.ErrConflict) || conflict.Current.Version != 1 {
		t.Fatalf("stale version: got %v, want a conflict naming version 1", err)
	}
	j, err := s.UpdateSchedule(ctx, "v", mustSchedule(t, "interval", `{"minutes": 6}`), &current)
	if err != nil || j.Version != 2 || j.TriggerArgs != mustSchedule(t, "interval", `{"minutes": 6}`).ArgsJSON() {
		t.Fatalf("current version: got v%d %s, %v", j.Version, j.TriggerArgs, err)
	}
	checkAgreement(t, s, "v")
}

// Editing a job's name or description leaves gocron alone: an interval job
// keeps its next run instead of starting its interval again.
func TestEditDoesNotReschedule(t *testing.T) {
	clock := clockwork.NewFakeClockAt(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	s := newService(t, nil, nil, WithClock(clock))
	ctx := context.Background()
	if _, err := s.Create(ctx, webhookSpec(t, "e", "http://127.0.0.1:1/", "interval", `{"minutes": 5}`)); err != nil {
		t.Fatal(err)
	}
	before := checkAgreement(t, s, "e")
	clock.Advance(2 * time.Minute)
	name := "renamed"
	j, err := s.Edit(ctx, "e", models.JobEdit{Name: &name})
	if err != nil || j.Name != name || j.Version != 2 {
		t.Fatalf("edit: got %q v%d, %v", j.Name, j.Version, err)
	}
	if after := checkAgreement(t, s, "e"); !after.NextRun.Equal(*before.NextRun) {
		t.Fatalf("next run moved from %v to %v on a rename", before.NextRun, after.NextRun)
	}
}

func TestTriggerRunsAPausedJob(t *testing.T) {
	st, _ := openStore(t)
	s := newService(t, st, nil)
	ctx := context.Background()
	if _, err := s.Create(ctx, webhookSpec(t, "paused", "http://127.0.0.1:1/", "interval", `{"hours": 1}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pause(ctx, "paused", PauseOptions{}); err != nil {
		t.Fatal(err)
	}
	id, err := s.Trigger(ctx, "paused")
	if err != nil {
		t.Fatalf("trigger of a paused job: %v", err)
	}
	waitFor(t, "the run to end", func() bool {
		r, ok := lastRun(t, st, "paused")
		return ok && r.ID == id && r.Status != models.StatusRunning
	})
	if v := checkAgreement(t, s, "paused"); v.Enabled {
		t.Fatal("running a paused job resumed it")
	}
}

// A run is announced as it starts and ends, and the job's state after it
// (no run under way, the last status) is published too.
func TestRunStartAndEndArePublished(t *testing.T) {
	done := make(chan struct{})
	b := Builtin{ID: "b", Name: "B", Schedule: mustSchedule(t, "interval", `{"hours": 1}`),
		Run: func(ctx context.Context) (string, error) {
			<-done
			return "fine", nil
		}}
	s := newService(t, nil, []Builtin{b})
	var mu sync.Mutex
	var got []string
	s.Subscribe(func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case e.Type == EventJobUpdated && e.Job.Running != nil:
			got = append(got, "updated running")
		case e.Type == EventJobUpdated:
			got = append(got, "updated "+e.Job.LastRunStatus)
		default:
			got = append(got, e.Type+" "+e.Run.Status)
		}
	})
	if _, err := s.Trigger(context.Background(), "b"); err != nil {
		t.Fatal(err)
	}
	close(done)
	want := []string{"job_started running", "updated running", "job_completed success", "updated success"}
	waitFor(t, "the run's events", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) >= len(want)
	})
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(got, want) {
		t.Fatalf("events: got %v, want %v", got, want)
	}
}

func TestRegisterAfterStartStoresAndSchedules(t *testing.T) {
	s := newService(t, nil, nil)
	announced := make(chan Event, 1)
	s.Subscribe(func(e Event) {
		if e.Type == EventJobUpdated && e.JobID == "late" {
			select {
			case announced <- e:
			default: // never block the dispatcher
			}
		}
	})
	b := Builtin{ID: "late", Name: "Late", Schedule: mustSchedule(t, "interval", `{"minutes": 9}`),
		Run: func(ctx context.Context) (string, error) { return "", nil }}
	if err := s.Register(b); err != nil {
		t.Fatal(err)
	}
	if v := checkAgreement(t, s, "late"); !v.Enabled || v.Kind != models.KindBuiltin {
		t.Fatalf("registered after start: enabled=%v kind %s", v.Enabled, v.Kind)
	}
	select {
	case e := <-announced:
		if e.Job.NextRun == nil {
			t.Fatal("the announced job has no next run")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a job registered after start was not announced")
	}
	if err := s.Register(b); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("second register: got %v, want ErrConflict", err)
	}
}

// NextRuns answers as many runs as asked, also after a read kept the first.
func TestNextRunsAfterAGet(t *testing.T) {
	s := newService(t, nil, nil)
	ctx := context.Background()
	if _, err := s.Create(ctx, webhookSpec(t, "n", "http://127.0.0.1:1/", "cron", `{"hour": 6, "minute": 30}`)); err != nil {
		t.Fatal(err)
	}
	first := checkAgreement(t, s, "n").NextRun
	runs, err := s.NextRuns(ctx, "n", 5)
	if err != nil || len(runs) != 5 || !runs[0].Equal(*first) {
		t.Fatalf("next 5 runs: got %v, %v; want five from %v", runs, err, first)
	}
	for i := 1; i < len(runs); i++ {
		if got := runs[i].Sub(runs[i-1]); got != 24*time.Hour && got != 23*time.Hour && got != 25*time.Hour {
			t.Fatalf("runs %v are not a day apart", runs)
		}
	}
}

// A listener that panics is logged and skipped; the others and later events
// are still delivered.
func TestPanickingListenerDoesNotStopDelivery(t *testing.T) {
	s := newService(t, nil, nil)
	ctx := context.Background()
	s.Subscribe(func(Event) { panic("listener bug") })
	var mu sync.Mutex
	seen := map[string]bool{}
	s.Subscribe(func(e Event) {
		mu.Lock()
		seen[e.JobID] = true
		mu.Unlock()
	})
	for _, id := range []string{"one", "two"} {
		if _, err := s.Create(ctx, webhookSpec(t, id, "http://127.0.0.1:1/", "interval", `{"minutes": 5}`)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "both creations to reach the second listener", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return seen["one"] && seen["two"]
	})
}
