package scheduler

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"switchboard/models"
)

// Two instances in one process, each with its own store on one database,
// as two servers would be: a change on either is followed by the other's
// gocron, scheduled slots run once, on the leader, and a run under way on
// one refuses a run now on the other.
//
// | step                 | guards                                                  |
// |----------------------|---------------------------------------------------------|
// | create on A          | B's gocron follows within the relay's poll              |
// | pause on B           | A's gocron drops the job (it stops having a next run)   |
// | due slot, two clocks | one run per slot, run by the leader, with its slot      |
// | run now on both      | one run at a time across instances: the other gets 409  |
func TestTwoInstancesShareOneSchedule(t *testing.T) {
	_, loc := openStore(t)
	start := time.Date(2026, 7, 14, 10, 0, 30, 0, time.UTC)
	var calls atomic.Int64
	hold := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		<-hold
	}))
	defer srv.Close()
	var once sync.Once
	release := func() { once.Do(func() { close(hold) }) }
	defer release()

	open := func() *models.Store {
		st, err := models.Open(loc)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	clockA, clockB := clockwork.NewFakeClockAt(start), clockwork.NewFakeClockAt(start)
	a := newService(t, open(), nil, WithClock(clockA), WithInstance("inst-a", "test"))
	b := newService(t, open(), nil, WithClock(clockB), WithInstance("inst-b", "test"))
	if !a.Leader() || b.Leader() {
		t.Fatalf("leader: a=%v b=%v, want the first started to lead", a.Leader(), b.Leader())
	}
	ctx := context.Background()

	if _, err := a.Create(ctx, webhookSpec(t, "tick", srv.URL, "cron", `{"minute": 1}`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "B's gocron has the job A created", func() bool { return len(b.cur().eng.nextRuns("tick", 1)) == 1 })
	if _, err := b.Pause(ctx, "tick", PauseOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "A's gocron drops the job B paused", func() bool { return len(a.cur().eng.nextRuns("tick", 1)) == 0 })
	if _, err := a.Resume(ctx, "tick"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "B's gocron has it again", func() bool { return len(b.cur().eng.nextRuns("tick", 1)) == 1 })

	// 10:01:00 comes on both clocks: one run, on the leader, for that slot.
	slot := time.Date(2026, 7, 14, 10, 1, 0, 0, time.UTC)
	clockA.Advance(time.Minute)
	clockB.Advance(time.Minute)
	waitFor(t, "the slot's run", func() bool { return calls.Load() == 1 })
	runs, total, err := a.store.ListRuns(ctx, models.RunFilter{JobID: "tick"})
	if err != nil || total != 1 {
		t.Fatalf("runs: %d %v, want exactly one for the slot", total, err)
	}
	if r := runs[0]; r.Instance != "inst-a" || r.ScheduledFor == nil || !r.ScheduledFor.Equal(slot) || r.Source != models.SourceSchedule {
		t.Fatalf("run %+v, want a scheduled run of inst-a for %s", r, slot)
	}
	// While it runs on A, B refuses to start another, and shows it running.
	if _, err := b.Trigger(ctx, "tick"); err != ErrJobRunning {
		t.Fatalf("run now on B while A runs it: %v, want ErrJobRunning", err)
	}
	waitFor(t, "B shows A's run", func() bool {
		j, err := b.Get(ctx, "tick")
		return err == nil && j.Running != nil && j.Running.RunID == runs[0].ID
	})
	release()
	waitFor(t, "the run ends on both", func() bool {
		ja, errA := a.Get(ctx, "tick")
		jb, errB := b.Get(ctx, "tick")
		return errA == nil && errB == nil && ja.Running == nil && jb.Running == nil && jb.LastRunStatus == models.StatusSuccess
	})
	if calls.Load() != 1 {
		t.Fatalf("webhook calls %d, want 1", calls.Load())
	}
}
