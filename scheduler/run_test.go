package scheduler

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"switchboard/models"
)

func TestWebhookRuns(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got.Store(r.Method + " " + r.Header.Get("X-Token") + " " + string(body))
		if strings.HasSuffix(r.URL.Path, "/fail") {
			http.Error(w, "upstream exploded", http.StatusBadGateway)
			return
		}
		_, _ = io.WriteString(w, strings.Repeat("ok", 400))
	}))
	defer srv.Close()
	st, _ := openStore(t)
	s := newService(t, st, nil)
	ctx := context.Background()
	tests := []struct {
		id, path, status, summary, errText string
	}{
		{"hook-ok", "/ok", models.StatusSuccess, "HTTP 200: okok", ""},
		{"hook-fail", "/fail", models.StatusError, "HTTP 502: upstream exploded", "HTTP 502 Bad Gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			spec := webhookSpec(t, tt.id, srv.URL+tt.path, "interval", `{"hours": 1}`)
			cfg, _ := json.Marshal(models.WebhookConfig{URL: srv.URL + tt.path, Method: "PUT", Headers: map[string]string{"X-Token": "abc"}, Body: `{"a":1}`})
			spec.Job.Config = string(cfg)
			if _, err := s.Create(ctx, spec); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Trigger(ctx, tt.id); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "webhook run", func() bool {
				r, ok := lastRun(t, st, tt.id)
				return ok && r.Status != models.StatusRunning
			})
			r, _ := lastRun(t, st, tt.id)
			if r.Status != tt.status || !strings.HasPrefix(r.ResultSummary, tt.summary) || r.Error != tt.errText {
				t.Fatalf("got %s %q %q, want %s %q… %q", r.Status, r.ResultSummary, r.Error, tt.status, tt.summary, tt.errText)
			}
			if len([]rune(r.ResultSummary)) > len("HTTP 200: ")+webhookSnippet+1 {
				t.Fatalf("summary not cut: %d characters", len(r.ResultSummary))
			}
			if g := got.Load(); g != `PUT abc {"a":1}` {
				t.Fatalf("request seen by the server: %v", g)
			}
		})
	}
}

func TestSkippedRuns(t *testing.T) {
	st, _ := openStore(t)
	b := Builtin{ID: "market", Name: "Market", MarketHoursOnly: true, Schedule: mustSchedule(t, "interval", `{"hours": 1}`),
		Run: func(ctx context.Context) (string, error) { return "ran", nil }}
	s, err := New(st, "America/New_York", WithMarketHours(func(time.Time) bool { return false }))
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Register(b)
	if err := s.SeedCatalog(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	for id, want := range map[string]string{"market": marketClosedReason, "morning_briefing": "no active AI provider"} {
		if _, err := s.Trigger(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		waitFor(t, id+" run", func() bool {
			r, ok := lastRun(t, st, id)
			return ok && r.Status != models.StatusRunning
		})
		if r, _ := lastRun(t, st, id); r.Status != models.StatusSkipped || r.ResultSummary != want {
			t.Fatalf("%s: got %s %q, want skipped %q", id, r.Status, r.ResultSummary, want)
		}
	}
	if n, _ := st.CountJobs(context.Background()); n != 8 {
		t.Fatalf("jobs: got %d, want the seven of the catalogue and one built-in", n)
	}
}

func TestMarketOpen(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	tests := []struct {
		at   time.Time
		open bool
	}{
		{time.Date(2026, 11, 23, 9, 29, 59, 0, ny), false}, // Monday
		{time.Date(2026, 11, 23, 9, 30, 0, 0, ny), true},
		{time.Date(2026, 11, 23, 15, 59, 59, 0, ny), true},
		{time.Date(2026, 11, 23, 16, 0, 0, 0, ny), false},
		{time.Date(2026, 11, 28, 12, 0, 0, 0, ny), false},      // Saturday
		{time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC), true}, // 10:00 in New York
		{time.Date(2026, 7, 6, 13, 29, 0, 0, time.UTC), false}, // 09:29 EDT
		{time.Date(2026, 7, 6, 13, 30, 0, 0, time.UTC), true},  // 09:30 EDT
	}
	for _, tt := range tests {
		if got := MarketOpen(tt.at); got != tt.open {
			t.Errorf("MarketOpen(%v): got %v, want %v", tt.at, got, tt.open)
		}
	}
}

func TestRunTimeout(t *testing.T) {
	st, _ := openStore(t)
	b := Builtin{ID: "stuck", Name: "Stuck", Timeout: time.Second, Schedule: mustSchedule(t, "interval", `{"hours": 1}`),
		Run: func(ctx context.Context) (string, error) {
			<-ctx.Done()
			return "", ctx.Err()
		}}
	s := newService(t, st, []Builtin{b})
	if _, err := s.Trigger(context.Background(), "stuck"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "timeout", func() bool {
		r, ok := lastRun(t, st, "stuck")
		return ok && r.Status == models.StatusError
	})
	if r, _ := lastRun(t, st, "stuck"); !strings.Contains(r.Error, "timed out after 1s") {
		t.Fatalf("error: got %q", r.Error)
	}
}

func TestCloseLetsRunsFinishThenCancels(t *testing.T) {
	st, _ := openStore(t)
	finish := make(chan struct{})
	started := make(chan string, 2)
	polite := Builtin{ID: "polite", Name: "Polite", Schedule: mustSchedule(t, "interval", `{"hours": 1}`),
		Run: func(ctx context.Context) (string, error) {
			started <- "polite"
			<-finish
			return "finished", nil
		}}
	stubborn := Builtin{ID: "stubborn", Name: "Stubborn", Schedule: mustSchedule(t, "interval", `{"hours": 1}`),
		Run: func(ctx context.Context) (string, error) {
			started <- "stubborn"
			<-ctx.Done()
			return "", ctx.Err()
		}}
	s, err := New(st, "UTC")
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Register(polite)
	_ = s.Register(stubborn)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"polite", "stubborn"} {
		if _, err := s.Trigger(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		<-started
	}
	grace, cancel := context.WithCancel(context.Background())
	closed := make(chan error, 1)
	go func() { closed <- s.Close(grace) }()
	close(finish) // polite ends within the grace period
	waitFor(t, "polite run recorded", func() bool {
		r, _ := lastRun(t, st, "polite")
		return r.Status == models.StatusSuccess
	})
	cancel() // grace period over: stubborn is cancelled
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	if r, _ := lastRun(t, st, "stubborn"); r.Status != models.StatusError || r.FinishedAt == nil {
		t.Fatalf("stubborn: got %s, want error with a finish time", r.Status)
	}
	if _, err := s.Trigger(context.Background(), "polite"); err != ErrNotRunning {
		t.Fatalf("trigger after close: got %v, want ErrNotRunning", err)
	}
}

func TestOneShotRunsOnce(t *testing.T) {
	clock := clockwork.NewFakeClock()
	st, _ := openStore(t)
	s := newService(t, st, nil, WithClock(clock))
	ctx := context.Background()
	at := clock.Now().Add(10 * time.Minute)
	spec := webhookSpec(t, "once", "http://127.0.0.1:1/", "interval", `{"hours": 1}`)
	spec.Schedule = models.Schedule{Trigger: models.TriggerDate, RunDate: at}
	spec.Job.Trigger, spec.Job.TriggerArgs = spec.Schedule.Trigger, spec.Schedule.ArgsJSON()
	j, err := s.Create(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if j.NextRun == nil || !j.NextRun.Equal(at.Truncate(time.Second)) {
		t.Fatalf("next run: got %v, want %v", j.NextRun, at)
	}
	waitFor(t, "the one run", func() bool {
		if _, ok := lastRun(t, st, "once"); ok {
			return true
		}
		clock.Advance(time.Minute)
		return false
	})
	waitFor(t, "no next run", func() bool {
		j, _ := s.Get(ctx, "once")
		return j.NextRun == nil
	})
	clock.Advance(24 * time.Hour)
	runs, total, _ := st.ListRuns(ctx, models.RunFilter{JobID: "once"})
	if total != 1 {
		t.Fatalf("runs: got %d (%v), want exactly one", total, runs)
	}
}

func TestAbandonedRunsAreClosedAtStart(t *testing.T) {
	st, _ := openStore(t)
	r, err := st.StartRun(context.Background(), models.JobRun{JobID: "x", JobName: "X", Source: models.SourceManual, StartedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	newService(t, st, nil)
	// SQLite has one instance, so every open run was its own; on PostgreSQL
	// a run of an instance that no longer reports is closed as lost.
	want := map[string]string{"sqlite": "interrupted", "postgres": "instance lost"}[testDialect]
	runs, _, _ := st.ListRuns(context.Background(), models.RunFilter{})
	if len(runs) != 1 || runs[0].ID != r.ID || runs[0].Status != models.StatusError || !strings.Contains(runs[0].Error, want) {
		t.Fatalf("got %+v, want the run closed as %q", runs, want)
	}
}
