package scheduler

import (
	"context"
	"sync"
	"testing"
)

// A list never shows a job older than a Get before it has seen: a change
// counts from before its commit until after it ends (see listCache).
func TestListIsNeverOlderThanGet(t *testing.T) {
	s := newService(t, nil, nil)
	ctx := context.Background()
	if _, err := s.Create(ctx, webhookSpec(t, "hook", "http://127.0.0.1:1/", "interval", `{"minutes": 5}`)); err != nil {
		t.Fatal(err)
	}
	writing, quit := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(writing)
		for i := range 200 {
			select {
			case <-quit:
				return
			default:
			}
			if _, err := s.List(ctx); err != nil { // keep a list from before the change
				t.Error(err)
				return
			}
			var err error
			if i%2 == 0 {
				_, err = s.Pause(ctx, "hook", PauseOptions{})
			} else {
				_, err = s.Resume(ctx, "hook")
			}
			if err != nil {
				t.Error(err)
				return
			}
		}
	})
	defer wg.Wait()
	defer close(quit)
	for {
		select {
		case <-writing:
			return
		default:
		}
		got, err := s.Get(ctx, "hook")
		if err != nil {
			t.Fatal(err)
		}
		jobs, err := s.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) != 1 {
			t.Fatalf("List: got %d jobs, want 1", len(jobs))
		}
		if jobs[0].Version < got.Version {
			t.Fatalf("List after Get: got version %d (enabled=%v), want %d (enabled=%v) or later",
				jobs[0].Version, jobs[0].Enabled, got.Version, got.Enabled)
		}
	}
}

// invalidateList counts a change that ends at once.
func invalidateList(s *Service) {
	s.list.begin()
	s.list.end()
}
