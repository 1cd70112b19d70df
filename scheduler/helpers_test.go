package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"switchboard/models"
	"switchboard/models/modeltest"
)

// testDialect is the database the tests run on now: TestMain runs every
// test of the package once on each.
var testDialect = modeltest.Dialects[0]

func TestMain(m *testing.M) {
	code := 0
	for _, d := range modeltest.Dialects {
		testDialect = d
		fmt.Printf("--- scheduler tests on %s\n", d)
		if c := m.Run(); c != 0 {
			fmt.Printf("--- scheduler tests FAILED on %s\n", d)
			code = c
		}
	}
	os.Exit(code)
}

// openStore opens a fresh store on the dialect under test and returns it
// with its location.
func openStore(t *testing.T) (*models.Store, string) {
	t.Helper()
	loc := modeltest.Location(t, testDialect)
	st, err := models.Open(loc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, loc
}

// newService starts a service on a fresh database; builtins are registered
// before Start. It is closed when the test ends.
func newService(t *testing.T, st *models.Store, builtins []Builtin, opts ...Option) *Service {
	t.Helper()
	if st == nil {
		st, _ = openStore(t)
	}
	s, err := New(st, "America/New_York", opts...)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range builtins {
		if err := s.Register(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

func mustSchedule(t *testing.T, trigger, args string) models.Schedule {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(args), &m); err != nil {
		t.Fatal(err)
	}
	sched, err := models.ParseSchedule(trigger, m, time.UTC, time.Now())
	if err != nil {
		t.Fatalf("schedule %s %s: %v", trigger, args, err)
	}
	return sched
}

func webhookSpec(t *testing.T, id, url, trigger, args string) models.JobSpec {
	t.Helper()
	sched := mustSchedule(t, trigger, args)
	cfg, _ := json.Marshal(models.WebhookConfig{URL: url, Method: "POST"})
	return models.JobSpec{Schedule: sched, Job: models.Job{
		ID: id, Name: id, Kind: models.KindWebhook, Config: string(cfg),
		Trigger: sched.Trigger, TriggerArgs: sched.ArgsJSON(), Enabled: true,
	}}
}

// waitFor polls cond until it holds or the deadline passes, then fails.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// lastRun returns the job's newest run.
func lastRun(t *testing.T, st *models.Store, id string) (models.JobRun, bool) {
	t.Helper()
	runs, _, err := st.ListRuns(context.Background(), models.RunFilter{JobID: id, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) == 0 {
		return models.JobRun{}, false
	}
	return runs[0], true
}
