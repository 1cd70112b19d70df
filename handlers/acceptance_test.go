// The acceptance scenarios of ../shared/spec/acceptance.md over HTTP,
// against a running server with a real store, scheduler and hub. Each test
// checks the API against the database row and gocron's own job list, and
// counts what each request was answered.
//
//	test                                 scenario  guards
//	TestHTTPAcceptanceConcurrentRegister 1         50 concurrent POSTs under GETs: all 201, 50 listed in id order, each agreeing with its row and gocron
//	TestHTTPAcceptanceConcurrentPauseResume 2      API, row and gocron agree: enabled exactly when gocron holds the job and next_run is set
//	TestHTTPAcceptanceConcurrentReschedule 3       the schedule committed last (version 11) wins whole; next_run follows from it
//	TestHTTPAcceptanceConcurrentTrigger  4         a run held open: exactly one 202, nine 409 JOB_RUNNING; one manual run recorded, the accepted one
//	TestHTTPAcceptanceRollback           6         a failed apply answers 500 and leaves API, row and gocron as they were
//
// Elsewhere over HTTP: 7 and 8 in ../cmd/switchboard/main_test.go, 9 in
// validation_test.go, 10-15 in providers_test.go, 16-19 in stream_test.go,
// 20-22 in ../cmd/switchboard/e2e_test.go and pages_test.go.

package handlers_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/models"
	"switchboard/scheduler"
)

// agree checks that the API's view of a job, its database row and gocron's
// own job list agree: the job is enabled exactly when gocron holds it, once,
// with a next run; the API shows the row's version and gocron's next run.
func (e *env) agree(id string) map[string]any {
	e.t.Helper()
	j := e.job(id)
	row, err := e.store.GetJob(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	held, err := e.sched.EngineJobs()
	if err != nil {
		e.t.Fatal(err)
	}
	var next []time.Time
	for _, h := range held {
		if h.ID == id {
			next = append(next, h.NextRun)
		}
	}
	inGocron := len(next) == 1 && !next[0].IsZero()
	if len(next) > 1 || j["enabled"] != row.Enabled || row.Enabled != inGocron || j["version"] != float64(row.Version) {
		e.t.Fatalf("%s: API enabled=%v version=%v; row enabled=%v version=%d; gocron holds it %d times, next runs %v",
			id, j["enabled"], j["version"], row.Enabled, row.Version, len(next), next)
	}
	var want any // the API shows gocron's next run, to the second
	if inGocron {
		want = next[0].In(e.sched.Location()).Format(time.RFC3339)
	}
	if j["next_run"] != want {
		e.t.Fatalf("%s: API next_run %v, gocron's next run %v", id, j["next_run"], want)
	}
	return j
}

// agreeAll runs agree on every listed job and checks gocron holds nothing
// else.
func (e *env) agreeAll() {
	e.t.Helper()
	_, m := e.do("GET", "/api/scheduler/jobs", "")
	listed := map[string]bool{}
	for _, raw := range m["jobs"].([]any) {
		id := raw.(map[string]any)["id"].(string)
		listed[id] = true
		e.agree(id)
	}
	held, err := e.sched.EngineJobs()
	if err != nil {
		e.t.Fatal(err)
	}
	for _, h := range held {
		if !listed[h.ID] {
			e.t.Fatalf("gocron holds %s, which the API does not list", h.ID)
		}
	}
}

func TestHTTPAcceptanceConcurrentRegister(t *testing.T) {
	e := newEnv(t, nil)
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 50 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			body := fmt.Sprintf(`{"id":"job-%02d","name":"Job %d","kind":"webhook","config":{"url":"http://127.0.0.1:1/"},"trigger":"interval","minutes":%d}`, i, i, i+1)
			if status, raw, err := e.sendAuth("POST", "/api/scheduler/jobs", body); err != nil || status != 201 {
				errs <- fmt.Errorf("create job-%02d: %d %s %v", i, status, raw, err)
			}
		}()
		go func() {
			defer wg.Done()
			<-start
			if status, raw, err := e.sendAuth("GET", "/api/scheduler/jobs", ""); err != nil || status != 200 {
				errs <- fmt.Errorf("list: %d %s %v", status, raw, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	_, m := e.do("GET", "/api/scheduler/jobs", "")
	jobs := m["jobs"].([]any)
	if m["total"] != 50.0 || len(jobs) != 50 {
		t.Fatalf("got %v jobs, want 50", m["total"])
	}
	for i, j := range jobs {
		id := j.(map[string]any)["id"].(string)
		if want := fmt.Sprintf("job-%02d", i); id != want {
			t.Fatalf("jobs[%d]: got %s, want %s (sorted by id)", i, id, want)
		}
		if e.agree(id)["next_run"] == nil {
			t.Fatalf("%s has no next run", id)
		}
	}
	if held, _ := e.sched.EngineJobs(); len(held) != 50 {
		t.Fatalf("gocron holds %d jobs, want 50", len(held))
	}
	e.agreeAll()
}

func TestHTTPAcceptanceConcurrentPauseResume(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("toggle", `"trigger":"interval","minutes":10`)
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range 20 {
				action := "pause"
				if (i+g)%2 == 1 {
					action = "resume"
				}
				if status, raw, err := e.sendAuth("POST", "/api/scheduler/jobs/toggle/"+action, ""); err != nil || status != 200 {
					errs <- fmt.Errorf("%s: %d %s %v", action, status, raw, err)
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	e.agreeAll()
	// Whichever state the race left, both transitions still agree.
	for _, action := range []string{"pause", "resume", "pause"} {
		if status, m := e.do("POST", "/api/scheduler/jobs/toggle/"+action, ""); status != 200 {
			t.Fatalf("%s: %d %v", action, status, m)
		}
		if j := e.agree("toggle"); j["enabled"] != (action == "resume") {
			t.Fatalf("after %s: enabled=%v", action, j["enabled"])
		}
	}
}

func TestHTTPAcceptanceConcurrentReschedule(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("resched", `"trigger":"interval","minutes":10`)
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	byVersion := map[float64]string{} // version committed → the args submitted
	errs := make(chan error, 10)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			body := fmt.Sprintf(`{"trigger":"cron","hour":%d,"minute":%d}`, i+1, 5*i)
			status, raw, err := e.sendAuth("PUT", "/api/scheduler/jobs/resched/schedule", body)
			var m struct{ Job map[string]any }
			if err != nil || status != 200 || json.Unmarshal(raw, &m) != nil || m.Job == nil {
				errs <- fmt.Errorf("reschedule: %d %s %v", status, raw, err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			byVersion[m.Job["version"].(float64)] = fmt.Sprintf(`{"hour":%d,"minute":%d}`, i+1, 5*i)
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// The ten changes were serialised as versions 2..11; the last stays.
	for v := 2.0; v <= 11; v++ {
		if _, ok := byVersion[v]; !ok {
			t.Fatalf("no answer carried version %v: %v", v, byVersion)
		}
	}
	j := e.agree("resched")
	args := j["trigger_args"].(map[string]any)
	got := fmt.Sprintf(`{"hour":%v,"minute":%v}`, args["hour"], args["minute"])
	if j["trigger"] != "cron" || len(args) != 2 || j["version"] != 11.0 || got != byVersion[11] {
		t.Fatalf("final schedule %v %v v%v, want %s, the change answered with version 11", j["trigger"], args, j["version"], byVersion[11])
	}
	next, err := time.Parse(time.RFC3339, j["next_run"].(string))
	if err != nil || next.Hour() != int(args["hour"].(float64)) || next.Minute() != int(args["minute"].(float64)) {
		t.Fatalf("next_run %v does not follow from %v", j["next_run"], args)
	}
}

func TestHTTPAcceptanceConcurrentTrigger(t *testing.T) {
	var executed, inFlight, maxInFlight atomic.Int64
	answered := make(chan struct{}) // closed once every request has its answer
	b := scheduler.Builtin{ID: "busy", Name: "Busy", Schedule: interval(t, time.Hour),
		Run: func(ctx context.Context) (string, error) {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for m := maxInFlight.Load(); n > m && !maxInFlight.CompareAndSwap(m, n); m = maxInFlight.Load() {
			}
			executed.Add(1)
			// Hold the run until every trigger is answered: each of the
			// others met a run in progress.
			select {
			case <-answered:
				return "ok", nil
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}}
	e := newEnv(t, []scheduler.Builtin{b})
	start := make(chan struct{})
	var wg sync.WaitGroup
	var accepted, conflicts atomic.Int64
	var runID atomic.Value
	errs := make(chan error, 10)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			status, raw, err := e.sendAuth("POST", "/api/scheduler/jobs/busy/trigger", "")
			var m map[string]any
			if err == nil {
				err = json.Unmarshal(raw, &m)
			}
			switch {
			case err != nil:
				errs <- err
			case status == 202:
				accepted.Add(1)
				runID.Store(m["run_id"])
			case status == 409 && m["error_code"] == "JOB_RUNNING":
				conflicts.Add(1)
			default:
				errs <- fmt.Errorf("trigger: got %d %s, want 202 or 409 JOB_RUNNING", status, raw)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(answered)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if accepted.Load() != 1 || conflicts.Load() != 9 {
		t.Fatalf("accepted %d, 409 %d: want one 202 and nine 409s (a run in progress refuses the others)", accepted.Load(), conflicts.Load())
	}
	waitFor(t, "the run to finish", func() bool { return e.job("busy")["running"] == false })
	_, m := e.do("GET", "/api/scheduler/history?job_id=busy&limit=200", "")
	runs := m["history"].([]any)
	if len(runs) != 1 {
		t.Fatalf("%d runs recorded, want the one accepted: %v", len(runs), runs)
	}
	r := runs[0].(map[string]any)
	if r["id"] != runID.Load() || r["source"] != "manual" || r["status"] != "success" {
		t.Fatalf("run recorded: %v, want manual run %v, successful", r, runID.Load())
	}
	if executed.Load() != 1 || maxInFlight.Load() != 1 {
		t.Fatalf("executed %d bodies, at most %d at once: want one", executed.Load(), maxInFlight.Load())
	}
}

func TestHTTPAcceptanceRollback(t *testing.T) {
	var fail atomic.Bool
	e := newEnv(t, nil, scheduler.WithApplyHook(func(string, models.Schedule) error {
		if fail.Load() {
			return errors.New("injected failure")
		}
		return nil
	}))
	e.createWebhook("rb", `"trigger":"cron","hour":4,"minute":15`)
	before := e.agree("rb")
	fail.Store(true)
	status, m := e.do("PUT", "/api/scheduler/jobs/rb/schedule", `{"trigger":"interval","minutes":3}`)
	fail.Store(false)
	wantError(t, status, m, 500, "INTERNAL_ERROR", "Internal error")
	after := e.agree("rb")
	if fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("a failed update changed the job:\nbefore %v\nafter  %v", before, after)
	}
	e.agreeAll()
}

func interval(t *testing.T, d time.Duration) models.Schedule {
	t.Helper()
	return models.Schedule{Trigger: models.TriggerInterval, Interval: d}
}
