package handlers_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/models"
	"switchboard/scheduler"
)

// agree checks that the API's view of a job matches the database row.
func (e *env) agree(id string) map[string]any {
	e.t.Helper()
	j := e.job(id)
	row, err := e.store.GetJob(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	if j["enabled"] != row.Enabled || (j["next_run"] != nil) != row.Enabled || j["version"] != float64(row.Version) {
		e.t.Fatalf("API and database disagree on %s: api enabled=%v next_run=%v version=%v; row enabled=%v version=%d",
			id, j["enabled"], j["next_run"], j["version"], row.Enabled, row.Version)
	}
	return j
}

func TestHTTPAcceptanceConcurrentRegister(t *testing.T) {
	e := newEnv(t, nil)
	start := make(chan struct{})
	var wg sync.WaitGroup
	var bad atomic.Int64
	for i := range 50 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			body := fmt.Sprintf(`{"id":"job-%02d","name":"Job %d","kind":"webhook","config":{"url":"http://127.0.0.1:1/"},"trigger":"interval","minutes":%d}`, i, i, i+1)
			if status, _ := e.doRaw("POST", "/api/scheduler/jobs", body, map[string]string{"Authorization": "Bearer " + testToken}); status != 201 {
				bad.Add(1)
			}
		}()
		go func() {
			defer wg.Done()
			<-start
			if status, _ := e.doRaw("GET", "/api/scheduler/jobs", "", map[string]string{"Authorization": "Bearer " + testToken}); status != 200 {
				bad.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d requests failed", bad.Load())
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
			t.Fatalf("%s has no next run in gocron", id)
		}
	}
}

func TestHTTPAcceptanceConcurrentPauseResume(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("toggle", `"trigger":"interval","minutes":10`)
	start := make(chan struct{})
	var wg sync.WaitGroup
	var bad atomic.Int64
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
				if status, _ := e.doRaw("POST", "/api/scheduler/jobs/toggle/"+action, "", map[string]string{"Authorization": "Bearer " + testToken}); status != 200 {
					bad.Add(1)
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d requests failed", bad.Load())
	}
	e.agree("toggle")
}

func TestHTTPAcceptanceConcurrentReschedule(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("resched", `"trigger":"interval","minutes":10`)
	bodies := map[string]bool{}
	start := make(chan struct{})
	var wg sync.WaitGroup
	var bad atomic.Int64
	for i := range 10 {
		args := fmt.Sprintf(`{"hour":%d,"minute":%d}`, i+1, 5*i)
		bodies[args] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			body := fmt.Sprintf(`{"trigger":"cron","hour":%d,"minute":%d}`, i+1, 5*i)
			if status, _ := e.doRaw("PUT", "/api/scheduler/jobs/resched/schedule", body, map[string]string{"Authorization": "Bearer " + testToken}); status != 200 {
				bad.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d requests failed", bad.Load())
	}
	j := e.agree("resched")
	args := j["trigger_args"].(map[string]any)
	key := fmt.Sprintf(`{"hour":%v,"minute":%v}`, args["hour"], args["minute"])
	if j["trigger"] != "cron" || len(args) != 2 || !bodies[key] {
		t.Fatalf("final schedule %v %v is none of the submitted ones", j["trigger"], args)
	}
	next, err := time.Parse(time.RFC3339, j["next_run"].(string))
	if err != nil || next.Hour() != int(args["hour"].(float64)) || next.Minute() != int(args["minute"].(float64)) {
		t.Fatalf("next_run %v does not follow from %v", j["next_run"], args)
	}
}

func TestHTTPAcceptanceConcurrentTrigger(t *testing.T) {
	var executed atomic.Int64
	b := scheduler.Builtin{ID: "busy", Name: "Busy", Schedule: interval(t, time.Hour),
		Run: func(ctx context.Context) (string, error) {
			executed.Add(1)
			time.Sleep(20 * time.Millisecond)
			return "ok", nil
		}}
	e := newEnv(t, []scheduler.Builtin{b})
	start := make(chan struct{})
	var wg sync.WaitGroup
	var accepted, conflicts, other atomic.Int64
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			status, _ := e.doRaw("POST", "/api/scheduler/jobs/busy/trigger", "", map[string]string{"Authorization": "Bearer " + testToken})
			switch status {
			case 202:
				accepted.Add(1)
			case 409:
				conflicts.Add(1)
			default:
				other.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if other.Load() != 0 || accepted.Load() == 0 {
		t.Fatalf("accepted %d, 409 %d, other %d: want only 202s and 409s", accepted.Load(), conflicts.Load(), other.Load())
	}
	waitFor(t, "runs to finish", func() bool { return e.job("busy")["running"] == false })
	_, m := e.do("GET", "/api/scheduler/history?job_id=busy&limit=200", "")
	manual := 0
	for _, r := range m["history"].([]any) {
		if r.(map[string]any)["source"] == "manual" {
			manual++
		}
	}
	if int64(manual) != accepted.Load() || executed.Load() != accepted.Load() {
		t.Fatalf("accepted %d, recorded %d manual runs, executed %d", accepted.Load(), manual, executed.Load())
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
}

func interval(t *testing.T, d time.Duration) models.Schedule {
	t.Helper()
	return models.Schedule{Trigger: models.TriggerInterval, Interval: d}
}
