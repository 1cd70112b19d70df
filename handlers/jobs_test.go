package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"switchboard/scheduler"
)

func TestAuthAndPublicRoutes(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		name    string
		path    string
		headers map[string]string
		status  int
	}{
		{"no token", "/api/scheduler/jobs", nil, 401},
		{"wrong token", "/api/scheduler/jobs", map[string]string{"Authorization": "Bearer nope"}, 401},
		{"basic auth", "/api/scheduler/jobs", map[string]string{"Authorization": "Basic " + testToken}, 401},
		{"unknown api route without token", "/api/nothing", nil, 401},
		{"token", "/api/scheduler/jobs", map[string]string{"Authorization": "Bearer " + testToken}, 200},
		{"unknown api route", "/api/nothing", map[string]string{"Authorization": "Bearer " + testToken}, 404},
		{"healthz", "/healthz", nil, 200},
		{"readyz", "/readyz", nil, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.doRaw("GET", tt.path, "", tt.headers)
			if status != tt.status {
				t.Fatalf("got %d %s, want %d", status, body, tt.status)
			}
			if !strings.HasPrefix(string(body), "{") {
				t.Fatalf("body is not JSON: %s", body)
			}
		})
	}
	token, err := e.store.CreateToken(context.Background(), "script")
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := e.doRaw("GET", "/api/scheduler/status", "", map[string]string{"Authorization": "Bearer " + token}); status != 200 {
		t.Fatalf("stored token: got %d, want 200", status)
	}
}

func TestCrossSitePostIsRefused(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("j", `"trigger":"interval","minutes":5`)
	status, body := e.doRaw("POST", "/api/scheduler/jobs/j/pause", "", map[string]string{
		"Authorization": "Bearer " + testToken, "Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example",
	})
	if status != 403 || !strings.Contains(string(body), `"FORBIDDEN"`) {
		t.Fatalf("got %d %s, want 403 FORBIDDEN", status, body)
	}
	if e.job("j")["enabled"] != true {
		t.Fatal("the refused request paused the job")
	}
}

func TestJobLifecycle(t *testing.T) {
	b := scheduler.Builtin{ID: "code_job", Name: "Code job", Schedule: interval(t, time.Hour),
		Run: func(ctx context.Context) (string, error) { return "ran", nil }}
	e := newEnv(t, []scheduler.Builtin{b})

	status, m := e.do("POST", "/api/scheduler/jobs", `{"id":"hook","name":"Hook","description":"pings","kind":"webhook",
		"config":{"url":"http://127.0.0.1:1/x","headers":{"Authorization":"Bearer secret-value-1234","X-Plain":"visible"}},
		"trigger":"cron","hour":8,"minute":30,"day_of_week":"mon-fri","market_hours_only":true}`)
	if status != 201 || m["schedule"] != "Weekdays at 08:30" || m["version"] != 1.0 || m["timezone"] != "America/New_York" {
		t.Fatalf("create: got %d %v", status, m)
	}
	headers := m["config"].(map[string]any)["headers"].(map[string]any)
	if headers["Authorization"] != "****1234" || headers["X-Plain"] != "****ible" {
		t.Fatalf("config headers: got %v, want every value masked", headers)
	}

	// Edit with the masked value sent back keeps the secret.
	status, m = e.do("PUT", "/api/scheduler/jobs/hook", `{"name":"Hook 2","version":1,
		"config":{"url":"http://127.0.0.1:1/x","headers":{"Authorization":"****1234","X-Plain":"changed"}}}`)
	if status != 200 || m["name"] != "Hook 2" || m["version"] != 2.0 {
		t.Fatalf("edit: got %d %v", status, m)
	}
	row, _ := e.store.GetJob(context.Background(), "hook")
	if !strings.Contains(row.Config, "Bearer secret-value-1234") || !strings.Contains(row.Config, "changed") {
		t.Fatalf("stored config after edit: %s", row.Config)
	}

	// A stale version is a 409 with the current job, and changes nothing.
	status, m = e.do("PUT", "/api/scheduler/jobs/hook", `{"name":"Lost write","version":1}`)
	wantError(t, status, m, 409, "CONFLICT", "")
	if cur := m["job"].(map[string]any); cur["name"] != "Hook 2" || cur["version"] != 2.0 {
		t.Fatalf("409 body job: got %v, want the current job", cur)
	}
	status, m = e.do("PUT", "/api/scheduler/jobs/hook/schedule", `{"trigger":"interval","minutes":5,"version":1}`)
	wantError(t, status, m, 409, "CONFLICT", "")
	if e.job("hook")["schedule"] != "Weekdays at 08:30" {
		t.Fatal("a stale schedule change was applied")
	}

	// Pause with reason and until; idempotent; schedule change keeps it paused.
	until := time.Now().Add(2 * time.Hour).Truncate(time.Second)
	status, m = e.do("POST", "/api/scheduler/jobs/hook/pause", `{"reason":"vendor outage","until":"`+until.Format(time.RFC3339)+`"}`)
	job := m["job"].(map[string]any)
	if status != 200 || m["status"] != "paused" || job["paused_reason"] != "vendor outage" || job["next_run"] != nil {
		t.Fatalf("pause: got %d %v", status, m)
	}
	if got, _ := time.Parse(time.RFC3339, job["paused_until"].(string)); !got.Equal(until) {
		t.Fatalf("paused_until: got %v, want %v", job["paused_until"], until)
	}
	if status, m = e.do("POST", "/api/scheduler/jobs/hook/pause", ""); status != 200 || m["job"].(map[string]any)["version"] != job["version"] {
		t.Fatalf("second pause: got %d %v, want 200 and no change", status, m)
	}
	for _, body := range []string{`{"until":"2001-01-01T00:00:00Z"}`, `{"until":"tomorrow"}`, `{"reason":7}`, `{"reason":"` + strings.Repeat("r", 501) + `"}`, `{"why":"x"}`} {
		if status, m = e.do("POST", "/api/scheduler/jobs/hook/pause", body); status != 400 {
			t.Fatalf("pause %s: got %d %v, want 400", body, status, m)
		}
	}
	status, m = e.do("PUT", "/api/scheduler/jobs/hook/schedule", `{"trigger":"interval","minutes":5}`)
	if status != 200 || m["job"].(map[string]any)["enabled"] != false || m["job"].(map[string]any)["schedule"] != "Every 5 minutes" {
		t.Fatalf("reschedule while paused: got %d %v", status, m)
	}
	if _, m = e.do("GET", "/api/scheduler/jobs/hook/next-runs?n=3", ""); len(m["next_runs"].([]any)) != 0 {
		t.Fatalf("next-runs while paused: got %v, want []", m["next_runs"])
	}
	status, m = e.do("POST", "/api/scheduler/jobs/hook/resume", "")
	if status != 200 || m["status"] != "resumed" || m["job"].(map[string]any)["next_run"] == nil || m["job"].(map[string]any)["paused_reason"] != nil {
		t.Fatalf("resume: got %d %v", status, m)
	}
	_, m = e.do("GET", "/api/scheduler/jobs/hook/next-runs?n=3", "")
	runs := m["next_runs"].([]any)
	if len(runs) != 3 || m["timezone"] != "America/New_York" {
		t.Fatalf("next-runs: got %v", m)
	}
	a, _ := time.Parse(time.RFC3339, runs[0].(string))
	b2, _ := time.Parse(time.RFC3339, runs[1].(string))
	if b2.Sub(a) != 5*time.Minute {
		t.Fatalf("next runs %v are not 5 minutes apart", runs)
	}
	for _, q := range []string{"n=0", "n=51", "n=x"} {
		if status, _ := e.do("GET", "/api/scheduler/jobs/hook/next-runs?"+q, ""); status != 400 {
			t.Fatalf("next-runs?%s: got %d, want 400", q, status)
		}
	}

	// Trigger runs even when paused, and shows in the job's recent history.
	e.do("POST", "/api/scheduler/jobs/code_job/pause", "")
	status, m = e.do("POST", "/api/scheduler/jobs/code_job/trigger", "")
	if status != 202 || m["run_id"] == nil {
		t.Fatalf("trigger: got %d %v", status, m)
	}
	waitFor(t, "the run", func() bool { return e.job("code_job")["last_run_status"] == "success" })
	hist := e.job("code_job")["recent_history"].([]any)
	if len(hist) != 1 || hist[0].(map[string]any)["result_summary"] != "ran" || hist[0].(map[string]any)["id"] != m["run_id"] {
		t.Fatalf("recent_history: got %v", hist)
	}
	// A manual run has no slot, and names the instance that ran it.
	if run := hist[0].(map[string]any); run["scheduled_for"] != nil || run["instance"] != e.sched.Instance() {
		t.Fatalf("manual run: scheduled_for %v instance %v, want null and %s", run["scheduled_for"], run["instance"], e.sched.Instance())
	}

	// Unknown jobs and code jobs.
	for _, rt := range []struct{ method, path string }{
		{"GET", "/api/scheduler/jobs/ghost"}, {"POST", "/api/scheduler/jobs/ghost/pause"},
		{"POST", "/api/scheduler/jobs/ghost/resume"}, {"POST", "/api/scheduler/jobs/ghost/trigger"},
		{"PUT", "/api/scheduler/jobs/ghost/schedule"}, {"GET", "/api/scheduler/jobs/ghost/next-runs"},
		{"DELETE", "/api/scheduler/jobs/ghost"}, {"PUT", "/api/scheduler/jobs/ghost"},
	} {
		body := ""
		if rt.method == "PUT" {
			body = `{"trigger":"interval","minutes":5}`
			if !strings.HasSuffix(rt.path, "schedule") {
				body = `{"name":"x"}`
			}
		}
		status, m := e.do(rt.method, rt.path, body)
		wantError(t, status, m, 404, "JOB_NOT_FOUND", "Job 'ghost' not found.")
	}
	status, m = e.do("DELETE", "/api/scheduler/jobs/code_job", "")
	wantError(t, status, m, 409, "CONFLICT", "")
	status, m = e.do("DELETE", "/api/scheduler/jobs/hook", "")
	if status != 200 || m["success"] != true || m["job_id"] != "hook" {
		t.Fatalf("delete: got %d %v", status, m)
	}
	if status, _ := e.do("GET", "/api/scheduler/jobs/hook", ""); status != 404 {
		t.Fatalf("deleted job: got %d, want 404", status)
	}
	_, m = e.do("GET", "/api/scheduler/status", "")
	if m["running"] != true || m["job_count"] != 1.0 || m["timezone"] != "America/New_York" {
		t.Fatalf("status: got %v", m)
	}
}

func TestTriggerOnStoppedSchedulerIs503(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("j", `"trigger":"interval","minutes":5`)
	if err := e.sched.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	status, m := e.do("POST", "/api/scheduler/jobs/j/trigger", "")
	wantError(t, status, m, 503, "SCHEDULER_UNAVAILABLE", "The scheduler is not running.")
	if status, _ := e.doRaw("GET", "/readyz", "", nil); status != 503 {
		t.Fatalf("readyz with the scheduler stopped: got %d, want 503", status)
	}
	_, m = e.do("GET", "/api/scheduler/history", "")
	if m["total"] != 0.0 {
		t.Fatalf("a refused trigger recorded a run: %v", m)
	}
}

func TestReadyzWhenTheDatabaseIsGone(t *testing.T) {
	e := newEnv(t, nil)
	if status, body := e.doRaw("GET", "/readyz", "", nil); status != 200 || !strings.Contains(string(body), `"migrations":"ok"`) {
		t.Fatalf("readyz: %d %s", status, body)
	}
	e.store.Close()
	status, body := e.doRaw("GET", "/readyz", "", nil)
	if status != 503 || !strings.Contains(string(body), `"database":"unreachable"`) {
		t.Fatalf("readyz with the database closed: %d %s, want 503", status, body)
	}
	if status, _ := e.doRaw("GET", "/healthz", "", nil); status != 200 {
		t.Fatalf("healthz must stay cheap and up: %d", status)
	}
}
