// Input validation over HTTP: acceptance scenario 9. Every refused request
// is checked for its status, code and message, and for changing nothing.
//
//	test                             scenario  guards
//	TestHTTPAcceptanceBadJobIDs      9         ids of 65 characters or with ; ' / space (and more) are 400 on every job route, and in the history filter
//	TestHTTPAcceptanceHistoryLimit   9         limit=abc and 1.5 are 400 "Invalid limit: must be an integer."; limit=10 is 200
//	TestHTTPAcceptanceScheduleBodies 9         ["trigger"], "cron", 42, null, {} and hour=25 are 400 and change nothing; minute 0 and 59 and an interval of 15 are 200
//	TestBodiesOfEveryJSONType        9         a body of any other JSON type, or over the limit, is refused and changes nothing
//	TestCreateAndEditValidation      9         every invalid create and edit is 400 with its message and stores nothing

package handlers_test

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

const badIDMessage = "Invalid job_id '%s'. Must be 1–64 characters: letters, digits, underscores, or hyphens."

func TestHTTPAcceptanceBadJobIDs(t *testing.T) {
	e := newEnv(t, nil)
	ids := []string{strings.Repeat("a", 65), "a;b", "a'b", "a/b", "a b", "a\"b", "<script>", "é"}
	routes := []struct{ method, suffix, body string }{
		{"GET", "", ""}, {"PUT", "", `{"name":"x"}`}, {"DELETE", "", ""},
		{"POST", "/pause", ""}, {"POST", "/resume", ""}, {"POST", "/trigger", ""},
		{"PUT", "/schedule", `{"trigger":"interval","minutes":5}`}, {"GET", "/next-runs", ""},
	}
	for _, id := range ids {
		for _, rt := range routes {
			t.Run(rt.method+rt.suffix+" "+id, func(t *testing.T) {
				status, m := e.do(rt.method, "/api/scheduler/jobs/"+url.PathEscape(id)+rt.suffix, rt.body)
				wantError(t, status, m, 400, "VALIDATION_ERROR", fmt.Sprintf(badIDMessage, id))
			})
		}
	}
	if status, m := e.do("GET", "/api/scheduler/history?job_id=a%3Bb", ""); status != 400 {
		t.Fatalf("history with bad job_id: got %d %v, want 400", status, m)
	}
	if status, m := e.do("GET", "/api/scheduler/history?job_id=a;b", ""); status != 400 {
		t.Fatalf("history with a raw ';' in the query: got %d %v, want 400", status, m)
	}
}

func TestHTTPAcceptanceHistoryLimit(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		query     string
		status    int
		message   string
		wantLimit float64
	}{
		{"limit=abc", 400, "Invalid limit: must be an integer.", 0},
		{"limit=1.5", 400, "Invalid limit: must be an integer.", 0},
		{"limit=", 200, "", 50},
		{"limit=0", 400, "Invalid limit: must be at least 1.", 0},
		{"limit=-3", 400, "Invalid limit: must be at least 1.", 0},
		{"limit=10", 200, "", 10},
		{"limit=200", 200, "", 200},
		{"limit=500", 200, "", 200},
		{"", 200, "", 50},
		{"status=weird", 400, "Invalid status: must be one of running, success, error, skipped.", 0},
		{"offset=-1", 400, "Invalid offset: must be a non-negative integer.", 0},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			status, m := e.do("GET", "/api/scheduler/history?"+tt.query, "")
			if tt.status != 200 {
				wantError(t, status, m, tt.status, "VALIDATION_ERROR", tt.message)
				return
			}
			filters, _ := m["filters"].(map[string]any)
			if status != 200 || filters["limit"] != tt.wantLimit || filters["job_id"] != nil {
				t.Fatalf("got %d %v, want 200 with limit %v", status, m, tt.wantLimit)
			}
		})
	}
}

const missingTrigger = `Request body must include "trigger" (cron or interval).`

func TestHTTPAcceptanceScheduleBodies(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("target", `"trigger":"cron","hour":6,"minute":45`)
	tests := []struct {
		body    string
		status  int
		message string
	}{
		{`["trigger"]`, 400, missingTrigger},
		{`"cron"`, 400, missingTrigger},
		{`42`, 400, missingTrigger},
		{`null`, 400, missingTrigger},
		{`{}`, 400, missingTrigger},
		{``, 400, missingTrigger},
		{`{"trigger": 5}`, 400, missingTrigger},
		{`{"trigger": "cron"`, 400, missingTrigger},
		{`{"trigger":"hourly"}`, 400, "Invalid trigger type: hourly. Must be one of: cron, interval, date"},
		{`{"trigger":"cron","hour":25}`, 400, `Invalid cron field "hour": 25 is out of range 0–23.`},
		{`{"trigger":"cron","hour":"x"}`, 400, `Invalid cron field "hour": must be an integer.`},
		{`{"trigger":"cron","hour":3,"bogus":1}`, 400, `Unknown cron field "bogus". Allowed: second, minute, hour, day, month, day_of_week, expression`},
		{`{"trigger":"interval","minutes":0}`, 400, `Invalid interval field "minutes": 0 is out of range 1–52,560,000.`},
		{`{"trigger":"date","run_date":"2001-01-01T00:00:00Z"}`, 400, ""},
		{`{"trigger":"interval","minutes":15,"version":"x"}`, 400, `Invalid "version": must be a positive integer.`},
		{`{"trigger":"interval","minutes":15}`, 200, ""},
		{`{"trigger":"cron","minute":0}`, 200, ""},
		{`{"trigger":"cron","minute":59}`, 200, ""},
		{`{"trigger":"cron","expression":"0 9 * * 1-5"}`, 200, ""},
		{`{"trigger":"date","run_date":"2099-01-01T09:00:00+01:00"}`, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			before := e.job("target")
			status, m := e.do("PUT", "/api/scheduler/jobs/target/schedule", tt.body)
			after := e.job("target")
			if tt.status != 200 {
				wantError(t, status, m, tt.status, "VALIDATION_ERROR", tt.message)
				if !reflect.DeepEqual(before, after) {
					t.Fatalf("a rejected request changed the job:\nbefore %v\nafter  %v", before, after)
				}
				return
			}
			if status != 200 || m["success"] != true {
				t.Fatalf("got %d %v, want 200", status, m)
			}
			if after["version"].(float64) != before["version"].(float64)+1 || after["next_run"] == nil {
				t.Fatalf("after update: version %v → %v, next_run %v", before["version"], after["version"], after["next_run"])
			}
		})
	}
}

func TestBodiesOfEveryJSONType(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("target", `"trigger":"interval","minutes":30`)
	before := e.job("target")
	routes := []struct{ method, path string }{
		{"POST", "/api/scheduler/jobs"},
		{"PUT", "/api/scheduler/jobs/target"},
		{"POST", "/api/scheduler/jobs/target/pause"},
		{"PUT", "/api/scheduler/jobs/target/schedule"},
	}
	for _, rt := range routes {
		for _, body := range []string{`[]`, `"x"`, `1`, `true`, `null`, `{`, `{"a":1}{}`, `[{"trigger":"cron"}]`} {
			t.Run(rt.method+" "+rt.path+" "+body, func(t *testing.T) {
				status, m := e.do(rt.method, rt.path, body)
				if status != 400 || m["error_code"] != "VALIDATION_ERROR" {
					t.Fatalf("got %d %v, want 400", status, m)
				}
			})
		}
		t.Run(rt.method+" "+rt.path+" oversized", func(t *testing.T) {
			big := `{"name":"` + strings.Repeat("x", 70*1024) + `"}`
			status, m := e.do(rt.method, rt.path, big)
			wantError(t, status, m, 413, "PAYLOAD_TOO_LARGE", "")
		})
	}
	if after := e.job("target"); !reflect.DeepEqual(before, after) {
		t.Fatalf("rejected requests changed the job:\nbefore %v\nafter  %v", before, after)
	}
	if status, m := e.do("GET", "/api/scheduler/jobs", ""); status != 200 || m["total"] != 1.0 {
		t.Fatalf("jobs after rejected creates: got %d %v, want exactly the one job", status, m["total"])
	}
}

func TestCreateAndEditValidation(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("existing", `"trigger":"interval","minutes":30`)
	creates := []struct{ body, message string }{
		{`{"name":"x","kind":"webhook","config":{"url":"http://a/"},"trigger":"interval","minutes":5}`, `Field "id" is required.`},
		{`{"id":"a b","name":"x","kind":"webhook","config":{"url":"http://a/"},"trigger":"interval","minutes":5}`, fmt.Sprintf(badIDMessage, "a b")},
		{`{"id":"n","kind":"webhook","config":{"url":"http://a/"},"trigger":"interval","minutes":5}`, `Field "name" is required.`},
		{`{"id":"n","name":"  ","kind":"webhook","config":{"url":"http://a/"},"trigger":"interval","minutes":5}`, `Field "name" must not be empty.`},
		{`{"id":"n","name":"x","kind":"shell","config":{},"trigger":"interval","minutes":5}`, `Invalid "kind": must be prompt or webhook.`},
		{`{"id":"n","name":"x","kind":"builtin","config":{},"trigger":"interval","minutes":5}`, `Jobs of kind "builtin" are registered in code and cannot be created here.`},
		{`{"id":"n","name":"x","kind":"webhook","config":{"url":"ftp://a/"},"trigger":"interval","minutes":5}`, `Invalid "config.url": must be an http or https URL.`},
		{`{"id":"n","name":"x","kind":"webhook","config":{"url":"http://a/","method":"TRACE"},"trigger":"interval","minutes":5}`, `Invalid "config.method": must be one of GET, POST, PUT, PATCH, DELETE.`},
		{`{"id":"n","name":"x","kind":"webhook","config":"http://a/","trigger":"interval","minutes":5}`, `Field "config" must be a JSON object.`},
		{`{"id":"n","name":"x","kind":"prompt","config":{"prompt":""},"trigger":"interval","minutes":5}`, `Invalid "config.prompt": must be 1 to 20,000 characters.`},
		{`{"id":"n","name":"x","kind":"prompt","config":{"prompt":"hi","model":7},"trigger":"interval","minutes":5}`, ""},
		{`{"id":"n","name":"x","kind":"prompt","config":{"prompt":"hi"}}`, missingTrigger},
		{`{"id":"n","name":"x","kind":"prompt","config":{"prompt":"hi"},"trigger":"interval","minutes":5,"market_hours_only":"yes"}`, `Field "market_hours_only" must be true or false.`},
		{`{"id":"n","name":"x","kind":"prompt","config":{"prompt":"hi"},"trigger":"interval","minutes":5,"timeout_seconds":0}`, `Invalid "timeout_seconds": must be an integer from 1 to 86400.`},
	}
	for _, tt := range creates {
		t.Run("create "+tt.body, func(t *testing.T) {
			status, m := e.do("POST", "/api/scheduler/jobs", tt.body)
			wantError(t, status, m, 400, "VALIDATION_ERROR", tt.message)
		})
	}
	status, m := e.do("POST", "/api/scheduler/jobs", `{"id":"existing","name":"x","kind":"prompt","config":{"prompt":"hi"},"trigger":"interval","minutes":5}`)
	wantError(t, status, m, 409, "CONFLICT", "Job 'existing' already exists.")
	if status, m := e.do("GET", "/api/scheduler/jobs", ""); m["total"] != 1.0 {
		t.Fatalf("rejected creates stored jobs: got %d %v", status, m["total"])
	}

	before := e.job("existing")
	edits := []struct{ body, message string }{
		{`{"trigger":"cron"}`, `Field "trigger" cannot be edited here: change the schedule with PUT /api/scheduler/jobs/{id}/schedule.`},
		{`{"colour":"red"}`, `Unknown field "colour". Editable: name, description, config, market_hours_only, timeout_seconds.`},
		{`{"name":""}`, `Field "name" must not be empty.`},
		{`{"name":5}`, `Field "name" must be a string.`},
		{`{"description":"` + strings.Repeat("d", 2001) + `"}`, `Field "description" must be at most 2000 characters.`},
		{`{"config":{"url":"nope"}}`, `Invalid "config.url": must be an http or https URL.`},
		{`{"market_hours_only":null}`, `Field "market_hours_only" must be true or false.`},
	}
	for _, tt := range edits {
		t.Run("edit "+tt.body, func(t *testing.T) {
			status, m := e.do("PUT", "/api/scheduler/jobs/existing", tt.body)
			wantError(t, status, m, 400, "VALIDATION_ERROR", tt.message)
		})
	}
	if after := e.job("existing"); !reflect.DeepEqual(before, after) {
		t.Fatalf("rejected edits changed the job")
	}
}
