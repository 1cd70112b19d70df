package models

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// The overview's and the run page's reads: a window is half-open, the
// median's runs are the job's newest that did work, and a run is found by
// id with who started it and what it retries.
func TestRunStats(t *testing.T) { eachDialect(t, testRunStats) }

func testRunStats(t *testing.T, dialect string) {
	s, _ := openTestStore(t, dialect)
	ctx := context.Background()
	from := time.Date(2026, 3, 8, 9, 0, 0, 0, time.UTC)
	add := func(job, status string, at time.Time, ms int64) JobRun {
		t.Helper()
		end := at.Add(time.Duration(ms) * time.Millisecond)
		r, err := s.InsertFinishedRun(ctx, JobRun{JobID: job, JobName: job, Source: SourceManual, Status: status,
			StartedAt: at, FinishedAt: &end, DurationMs: &ms, TriggeredBy: "alice"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	add("a", StatusSuccess, from, 100)                          // the first instant: in
	add("a", StatusError, from.Add(59*time.Minute), 300)        // in
	add("b", StatusSkipped, from.Add(30*time.Minute), 0)        // in
	add("a", StatusSuccess, from.Add(time.Hour), 200)           // the next hour's
	add("a", StatusSuccess, from.Add(-time.Nanosecond*1000), 5) // the hour before's
	add("a", StatusSkipped, from.Add(2*time.Hour), 0)           // a skipped tick: no work

	got, err := s.CountRunsByStatus(ctx, from, from.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int64{StatusSuccess: 1, StatusError: 1, StatusSkipped: 1}; len(got) != len(want) ||
		got[StatusSuccess] != 1 || got[StatusError] != 1 || got[StatusSkipped] != 1 {
		t.Fatalf("counts in [09:00, 10:00): %v, want %v", got, want)
	}

	durs, err := s.RecentDurations(ctx, "a", 3)
	if err != nil || !slices.Equal(durs, []int64{200, 300, 100}) {
		t.Fatalf("a's last 3 durations: %v %v, want [200 300 100] (newest first, no skipped)", durs, err)
	}

	runs, total, err := s.ListRuns(ctx, RunFilter{Since: from})
	if err != nil || total != 5 || len(runs) != 5 {
		t.Fatalf("runs since 09:00: %d of %d, %v; want 5 (not the one a moment before)", len(runs), total, err)
	}

	of := runs[0].ID
	r, err := s.InsertFinishedRun(ctx, JobRun{JobID: "a", JobName: "a", Source: SourceManual, Status: StatusError,
		StartedAt: from.Add(3 * time.Hour), TriggeredBy: "bob", RetryOf: &of})
	if err != nil {
		t.Fatal(err)
	}
	back, err := s.GetRun(ctx, r.ID)
	if err != nil || back.TriggeredBy != "bob" || back.RetryOf == nil || *back.RetryOf != of {
		t.Fatalf("GetRun: %+v %v", back, err)
	}
	if _, err := s.GetRun(ctx, r.ID+100); !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetRun of no run: %v, want ErrNotFound", err)
	}
}
