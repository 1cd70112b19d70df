package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
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
	var m map[string]any
	if err := json.Unmarshal([]byte(args), &m); err != nil {
		t.Fatal(err)
	}
	in := models.ScheduleInput{Trigger: trigger, Args: map[string]models.Value{}}
	for k, v := range m {
		in.Args[k] = *models.Text(fmt.Sprint(v))
	}
	sched, err := in.Validate(time.UTC, time.Now())
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

// heldByGocron maps each job id to the next runs of the jobs gocron holds
// under that name, read from gocron's own job list.
func heldByGocron(t *testing.T, s *Service) map[string][]time.Time {
	t.Helper()
	jobs, err := s.EngineJobs()
	if err != nil {
		t.Fatal(err)
	}
	held := map[string][]time.Time{}
	for _, j := range jobs {
		held[j.ID] = append(held[j.ID], j.NextRun)
	}
	return held
}

// checkAgreement asserts that the job's row, gocron's own job list (not the
// service's record of it) and the service's reads, Get and List, agree: the
// job is enabled exactly when gocron holds it, once, with a next run, and
// both reads show the row's state with gocron's next run.
func checkAgreement(t *testing.T, s *Service, id string) Job {
	t.Helper()
	ctx := context.Background()
	row, err := s.store.GetJob(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	held := heldByGocron(t, s)[id]
	switch {
	case len(held) > 1:
		t.Fatalf("%s: gocron holds %d copies of the job, want at most one", id, len(held))
	case row.Enabled != (len(held) == 1):
		t.Fatalf("%s: row enabled=%v, but gocron holds the job: %v", id, row.Enabled, len(held) == 1)
	case row.Enabled && held[0].IsZero():
		t.Fatalf("%s: gocron holds the enabled job without a next run", id)
	}
	var want *time.Time
	if row.Enabled {
		want = &held[0]
	}
	got, err := s.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(jobs, func(j Job) bool { return j.ID == id })
	if i < 0 {
		t.Fatalf("%s: stored but not listed", id)
	}
	for _, read := range []struct {
		name string
		j    Job
	}{{"Get", got}, {"List", jobs[i]}} {
		j := read.j
		if j.Enabled != row.Enabled || j.Version != row.Version || j.Trigger != row.Trigger ||
			j.TriggerArgs != row.TriggerArgs || j.Schedule.Trigger != row.Trigger || j.Schedule.ArgsJSON() != row.TriggerArgs ||
			!sameTime(j.NextRun, want) {
			t.Fatalf("%s of %s: got enabled=%v v%d %s %s next run %v; want the row's enabled=%v v%d %s %s and gocron's next run %v",
				read.name, id, j.Enabled, j.Version, j.Trigger, j.TriggerArgs, j.NextRun,
				row.Enabled, row.Version, row.Trigger, row.TriggerArgs, want)
		}
	}
	return got
}

// checkAllAgree runs checkAgreement on every stored job and asserts gocron
// holds nothing else.
func checkAllAgree(t *testing.T, s *Service) {
	t.Helper()
	rows, err := s.store.ListJobs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, r := range rows {
		stored[r.ID] = true
		checkAgreement(t, s, r.ID)
	}
	for id := range heldByGocron(t, s) {
		if !stored[id] {
			t.Fatalf("gocron holds %s, which is not stored", id)
		}
	}
}
