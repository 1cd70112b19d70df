package scheduler

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"switchboard/models"
)

func TestPauseResumeKeepsGocronAndRowInAgreement(t *testing.T) {
	s := newService(t, nil, nil)
	ctx := context.Background()
	if _, err := s.Create(ctx, webhookSpec(t, "hook", "http://127.0.0.1:1/", "interval", `{"minutes": 5}`)); err != nil {
		t.Fatal(err)
	}
	j, err := s.Get(ctx, "hook")
	if err != nil || j.NextRun == nil || !j.Enabled {
		t.Fatalf("after create: got enabled=%v next=%v err=%v, want enabled with a next run", j.Enabled, j.NextRun, err)
	}
	until := time.Now().Add(time.Hour)
	j, err = s.Pause(ctx, "hook", PauseOptions{Reason: "maintenance", Until: &until})
	if err != nil {
		t.Fatal(err)
	}
	if j.Enabled || j.NextRun != nil || j.PausedReason != "maintenance" || j.PausedUntil == nil || j.Version != 2 {
		t.Fatalf("after pause: got %+v", j)
	}
	checkAgreement(t, s, "hook") // gocron no longer holds it
	again, err := s.Pause(ctx, "hook", PauseOptions{Reason: "maintenance", Until: &until})
	if err != nil || again.Version != 2 {
		t.Fatalf("repeated pause: got version %d err %v, want 2 and no error", again.Version, err)
	}
	j, err = s.Resume(ctx, "hook")
	if err != nil || !j.Enabled || j.NextRun == nil || j.PausedReason != "" || j.PausedUntil != nil || j.Version != 3 {
		t.Fatalf("after resume: got %+v err %v", j, err)
	}
	checkAgreement(t, s, "hook")
}

func TestTriggerRecordsOneRunAndRefusesOverlap(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	b := Builtin{ID: "slow", Name: "Slow", Schedule: mustSchedule(t, "interval", `{"hours": 1}`),
		Run: func(ctx context.Context) (string, error) {
			started <- struct{}{}
			<-release
			return "done", nil
		}}
	st, _ := openStore(t)
	s := newService(t, st, []Builtin{b})
	ctx := context.Background()
	runID, err := s.Trigger(ctx, "slow")
	if err != nil {
		t.Fatal(err)
	}
	<-started
	if _, err := s.Trigger(ctx, "slow"); !errors.Is(err, ErrJobRunning) {
		t.Fatalf("second trigger: got %v, want ErrJobRunning", err)
	}
	j, _ := s.Get(ctx, "slow")
	if j.Running == nil || j.Running.RunID != runID {
		t.Fatalf("running: got %+v, want run %d", j.Running, runID)
	}
	close(release)
	waitFor(t, "run to finish", func() bool {
		r, ok := lastRun(t, st, "slow")
		return ok && r.Status == models.StatusSuccess
	})
	r, _ := lastRun(t, st, "slow")
	if r.ID != runID || r.ResultSummary != "done" || r.Source != models.SourceManual || r.FinishedAt == nil {
		t.Fatalf("run: got %+v", r)
	}
}

func TestPanicEndsRunAsError(t *testing.T) {
	b := Builtin{ID: "boom", Name: "Boom", Schedule: mustSchedule(t, "interval", `{"hours": 1}`),
		Run: func(ctx context.Context) (string, error) { panic("kaboom") }}
	st, _ := openStore(t)
	s := newService(t, st, []Builtin{b})
	if _, err := s.Trigger(context.Background(), "boom"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "run to end", func() bool {
		r, ok := lastRun(t, st, "boom")
		return ok && r.Status == models.StatusError
	})
	r, _ := lastRun(t, st, "boom")
	if !strings.Contains(r.Error, "kaboom") {
		t.Fatalf("error: got %q, want it to name the panic", r.Error)
	}
}
