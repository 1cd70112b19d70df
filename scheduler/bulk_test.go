package scheduler

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"switchboard/models"
)

// A pause is timed by the service's clock, and the runs it skipped are
// counted from then: for a cron, an interval and a one-time job.
func TestPauseCountsMissedRuns(t *testing.T) {
	start := time.Date(2027, 3, 2, 15, 0, 0, 0, time.UTC) // 10:00 in New York
	tests := []struct {
		name, trigger, args string
		after               time.Duration
		want                int
		wantFirst           time.Duration // after the pause; 0: none
	}{
		{"daily at 09:00 for three days", "cron", `{"hour": 9, "minute": 0}`, 3*24*time.Hour + 2*time.Hour, 3, 23 * time.Hour},
		{"every 15 minutes for 80 minutes", "interval", `{"minutes": 15}`, 80 * time.Minute, 5, 15 * time.Minute},
		{"every 15 minutes for 14 minutes", "interval", `{"minutes": 15}`, 14 * time.Minute, 0, 15 * time.Minute},
		{"once, two hours in, resumed after three", "date", `{"run_date": "2027-03-02T17:00:00Z"}`, 3 * time.Hour, 1, 2 * time.Hour},
		{"once, two hours in, resumed after one", "date", `{"run_date": "2027-03-02T17:00:00Z"}`, time.Hour, 0, 2 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := clockwork.NewFakeClockAt(start)
			s := newService(t, nil, nil, WithClock(clock))
			ctx := context.Background()
			if _, err := s.Create(ctx, webhookSpec(t, "m", "http://127.0.0.1:1/", tt.trigger, tt.args)); err != nil {
				t.Fatal(err)
			}
			j, err := s.Pause(ctx, "m", PauseOptions{Reason: "deploy"})
			if err != nil || j.PausedAt == nil || !j.PausedAt.Equal(start) {
				t.Fatalf("pause: paused at %v, %v; want %v", j.PausedAt, err, start)
			}
			// A second pause (a new reason) keeps when the pause began.
			clock.Advance(time.Minute)
			if j, err = s.Pause(ctx, "m", PauseOptions{Reason: "still deploying"}); err != nil || !j.PausedAt.Equal(start) {
				t.Fatalf("re-pause moved the pause's start to %v, %v", j.PausedAt, err)
			}
			if got := j.Missed(start.Add(tt.after)); got != tt.want {
				t.Errorf("Missed after %v = %d, want %d", tt.after, got, tt.want)
			}
			first, ok := j.FirstMissed()
			if ok != (tt.wantFirst > 0) || (ok && !first.Equal(start.Add(tt.wantFirst))) {
				t.Errorf("FirstMissed = %v %v, want %v after the pause", first, ok, tt.wantFirst)
			}
			j, err = s.Resume(ctx, "m")
			if err != nil || j.PausedAt != nil || j.Missed(start.Add(tt.after)) != 0 {
				t.Errorf("after resume: paused at %v, missed %d, %v", j.PausedAt, j.Missed(start.Add(tt.after)), err)
			}
			if _, ok := j.FirstMissed(); ok {
				t.Error("a scheduled job has a first missed run")
			}
		})
	}
}

// A versioned Pause and ResumeVersion change the job only at the version seen.
func TestVersionedPauseAndResume(t *testing.T) {
	s := newService(t, nil, nil, WithClock(clockwork.NewFakeClock()))
	ctx := context.Background()
	if _, err := s.Create(ctx, webhookSpec(t, "v", "http://127.0.0.1:1/", "interval", `{"minutes": 5}`)); err != nil {
		t.Fatal(err)
	}
	var vce *VersionConflictError
	if _, err := s.Pause(ctx, "v", PauseOptions{Reason: "x", Version: ptr(int64(7))}); !errors.As(err, &vce) || vce.Current.Version != 1 || !vce.Current.Enabled {
		t.Fatalf("stale pause: %v", err)
	}
	j, err := s.Pause(ctx, "v", PauseOptions{Reason: "x", Version: ptr(int64(1))})
	if err != nil || j.Enabled || j.Version != 2 {
		t.Fatalf("pause at version 1: %+v %v", j, err)
	}
	if _, err := s.ResumeVersion(ctx, "v", 1); !errors.As(err, &vce) || vce.Current.Enabled {
		t.Fatalf("stale resume: %v", err)
	}
	if j, err = s.ResumeVersion(ctx, "v", 2); err != nil || !j.Enabled || j.Version != 3 {
		t.Fatalf("resume at version 2: %+v %v", j, err)
	}
	if _, err := s.Pause(ctx, "gone", PauseOptions{Version: ptr(int64(1))}); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("pause of a missing job: %v, want ErrNotFound", err)
	}
}
