package scheduler

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// Acceptance scenario 16 at its source: listeners get every change once, in
// commit order, also when changes pile up behind a busy listener and leave
// as one batch. The oracle is the version each call returned, in the order
// the calls were made one after another.
func TestListenersGetEveryChangeOnceInCommitOrder(t *testing.T) {
	s := newService(t, nil, nil)
	ctx := context.Background()
	hold := make(chan struct{})
	var release sync.Once
	defer release.Do(func() { close(hold) })
	var mu sync.Mutex
	var got []string
	s.Subscribe(func(e Event) {
		if e.Type == EventJobUpdated {
			mu.Lock()
			got = append(got, fmt.Sprintf("%s v%d", e.JobID, e.Job.Version))
			mu.Unlock()
		}
		// The first event holds the dispatcher until the changes below
		// are made, so the rest reach listeners as one batch.
		select {
		case <-hold:
		case <-time.After(10 * time.Second):
		}
	})
	var want []string
	committed := func(j Job, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, fmt.Sprintf("%s v%d", j.ID, j.Version))
	}
	for _, id := range []string{"a", "b"} {
		committed(s.Create(ctx, webhookSpec(t, id, "http://127.0.0.1:1/", "interval", `{"minutes": 10}`)))
	}
	for i := range 6 {
		id := []string{"a", "b"}[i%2]
		committed(s.Pause(ctx, id, PauseOptions{Reason: fmt.Sprint(i)}))
		committed(s.UpdateSchedule(ctx, id, mustSchedule(t, "interval", fmt.Sprintf(`{"minutes": %d}`, 20+i)), nil))
		committed(s.Resume(ctx, id))
	}
	release.Do(func() { close(hold) })
	// A last change marks the end: once it is seen, every change before it
	// has been delivered.
	committed(s.Pause(ctx, "a", PauseOptions{Reason: "end"}))
	last := want[len(want)-1]
	waitFor(t, "the last change to reach the listener", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return slices.Contains(got, last)
	})
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(got, want) {
		t.Fatalf("listener got %d job updates:\n%v\nwant each committed change once, in commit order (%d):\n%v", len(got), got, len(want), want)
	}
}
