package models

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"
)

// holdWriter queues a write that blocks the writer until release is
// closed, and returns once it holds it: writes queued meanwhile wait for
// the next shared commit.
func holdWriter(t *testing.T, s *Store) (release func(), done <-chan error) {
	t.Helper()
	holding, rel := make(chan struct{}), make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- s.write(context.Background(), func(tx *gorm.DB) error {
			close(holding)
			<-rel
			return tx.Create(&Setting{Key: "held", Value: "1", UpdatedAt: time.Now()}).Error
		})
	}()
	<-holding
	return func() { close(rel) }, errc
}

// queued waits until n writes wait in the queue.
func queued(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.group.mu.Lock()
		got := len(s.group.queue)
		s.group.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func setting(key string) func(tx *gorm.DB) error {
	return func(tx *gorm.DB) error {
		return tx.Create(&Setting{Key: key, Value: "v", UpdatedAt: time.Now()}).Error
	}
}

// Writes queued behind a busy writer share one commit, and each learns its
// own outcome: a failing write, a panicking one and one whose caller gave
// up roll back alone, and the others are all kept.
func TestGroupCommitSharesACommitAndKeepsOutcomesApart(t *testing.T) {
	s, _ := openTestStore(t, "sqlite")
	release, heldDone := holdWriter(t, s)
	gaveUp, cancel := context.WithCancel(context.Background())
	cancel()
	failure := errors.New("this write fails")
	tests := []struct {
		name    string
		ctx     context.Context
		fn      func(tx *gorm.DB) error
		wantErr error // nil: kept
		key     string
	}{
		{"a write", context.Background(), setting("a"), nil, "a"},
		{"a failing write after a statement", context.Background(), func(tx *gorm.DB) error {
			if err := setting("f")(tx); err != nil {
				return err
			}
			return failure
		}, failure, "f"},
		{"a write after the failure", context.Background(), setting("b"), nil, "b"},
		{"a duplicate key", context.Background(), setting("a"), errAny, ""},
		{"a caller who gave up", gaveUp, setting("c"), context.Canceled, "c"},
		{"a panicking write", context.Background(), func(tx *gorm.DB) error {
			_ = setting("p")(tx)
			panic("bug")
		}, errAny, "p"},
		{"the last write", context.Background(), setting("d"), nil, "d"},
	}
	errs := make([]error, len(tests))
	var wg sync.WaitGroup
	for i, tt := range tests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.write(tt.ctx, tt.fn)
		}()
		queued(t, s, i+1) // in this order
	}
	before := s.group.commits.Load()
	release()
	wg.Wait()
	if err := <-heldDone; err != nil {
		t.Fatal(err)
	}
	if got := s.group.commits.Load() - before; got != 2 {
		t.Fatalf("%d commits for the held write and %d queued ones, want 2", got, len(tests))
	}
	for i, tt := range tests {
		switch {
		case tt.wantErr == nil && errs[i] != nil:
			t.Errorf("%s: %v, want it kept", tt.name, errs[i])
		case tt.wantErr == errAny && errs[i] == nil:
			t.Errorf("%s: no error", tt.name)
		case tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(errs[i], tt.wantErr):
			t.Errorf("%s: %v, want %v", tt.name, errs[i], tt.wantErr)
		}
		if tt.key == "" {
			continue
		}
		var n int64
		if err := s.db.Model(&Setting{}).Where("key = ?", tt.key).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if kept := n == 1; kept != (tt.wantErr == nil) {
			t.Errorf("%s: row %q kept=%v, want %v", tt.name, tt.key, kept, tt.wantErr == nil)
		}
	}
}

var errAny = errors.New("any error")

// Many writers at once, half of them refused by the database: every
// accepted write is in the database with its event, no refused one left a
// trace, and the event ids are one gapless sequence.
func TestGroupCommitUnderContention(t *testing.T) {
	s, _ := openTestStore(t, "sqlite")
	ctx := context.Background()
	const writers = 64
	for i := range writers / 2 {
		if _, err := s.CreateJob(ctx, Job{ID: fmt.Sprintf("taken-%d", i), Name: "x", Kind: KindWebhook, Config: "{}", Trigger: "interval", TriggerArgs: `{"minutes":5}`, Enabled: true}, nil); err != nil {
			t.Fatal(err)
		}
	}
	first, err := s.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := make(chan struct{})
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			id := fmt.Sprintf("new-%d", i)
			if i%2 == 1 {
				id = fmt.Sprintf("taken-%d", i/2)
			}
			_, errs[i] = s.CreateJob(ctx, Job{ID: id, Name: "y", Kind: KindWebhook, Config: "{}", Trigger: "interval", TriggerArgs: `{"minutes":5}`, Enabled: true}, nil)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if (i%2 == 1) != (err != nil) {
			t.Errorf("writer %d: %v", i, err)
		}
		if i%2 == 1 && !errors.Is(err, ErrConflict) {
			t.Errorf("writer %d: %v, want a conflict", i, err)
		}
	}
	jobs, err := s.ListJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]int{}
	for _, j := range jobs {
		names[j.Name]++
	}
	if len(jobs) != writers || names["x"] != writers/2 || names["y"] != writers/2 {
		t.Fatalf("%d jobs (%v), want %d: the taken ones unchanged", len(jobs), names, writers)
	}
	evs, err := s.EventsAfter(ctx, first, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != writers/2 {
		t.Fatalf("%d events for %d accepted writes", len(evs), writers/2)
	}
	for i, e := range evs {
		if e.ID != first+int64(i)+1 {
			t.Fatalf("event ids %d…: a gap at %d", first+1, e.ID)
		}
	}
}

// BenchmarkContendedJobUpdates: 64 writers each pausing and resuming a job
// of its own (the API's pause/resume without HTTP), grouped and one
// transaction per write, beside raw single-row SQLite transactions.
func BenchmarkContendedJobUpdates(b *testing.B) {
	for _, grouped := range []bool{false, true} {
		b.Run(fmt.Sprintf("grouped=%v", grouped), func(b *testing.B) {
			s, _ := openTestStore(&testing.T{}, "sqlite")
			s.group.off = !grouped
			ctx := context.Background()
			const writers = 64
			for i := range writers {
				if _, err := s.CreateJob(ctx, Job{ID: fmt.Sprintf("j%d", i), Name: "x", Kind: KindWebhook, Config: "{}", Trigger: "interval", TriggerArgs: `{"minutes":5}`, Enabled: true}, nil); err != nil {
					b.Fatal(err)
				}
			}
			var next atomic.Int64
			b.SetParallelism(writers / max(1, runtime.GOMAXPROCS(0)))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				id := fmt.Sprintf("j%d", next.Add(1)%writers)
				for pb.Next() {
					if _, err := s.UpdateJob(ctx, id, func(j *Job) error { j.Enabled = !j.Enabled; return nil }, nil); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(s.group.commits.Load())/float64(b.N), "commits/op")
		})
	}
}

// When a shared commit cannot go on, each write runs again alone, and a
// write that panics there is its caller's error, not a writer stuck for
// good.
func TestGroupCommitFallsBackToWritesAlone(t *testing.T) {
	s, _ := openTestStore(t, "sqlite")
	release, heldDone := holdWriter(t, s)
	fns := []func(tx *gorm.DB) error{
		// Releases its own savepoint: the batch's RELEASE then fails.
		func(tx *gorm.DB) error { return tx.Exec("RELEASE SAVEPOINT w0").Error },
		func(tx *gorm.DB) error { panic("bug") },
		setting("after"),
	}
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.write(context.Background(), fn)
		}()
		queued(t, s, i+1)
	}
	release()
	wg.Wait()
	if err := <-heldDone; err != nil {
		t.Fatal(err)
	}
	if errs[1] == nil || errs[2] != nil {
		t.Fatalf("outcomes %v: want the panic as an error and the last write kept", errs)
	}
	done := make(chan error, 1)
	go func() { done <- s.write(context.Background(), setting("later")) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a write after the fallback never committed: the writer is stuck")
	}
}
