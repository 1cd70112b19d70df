package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestJobRowActions(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("w", `"trigger":"interval","minutes":5`)
	b := e.signIn(t, "alice", "admin")
	tests := []struct {
		name       string
		path       string
		form       url.Values
		target     string
		wantStatus int
		wantState  string // in the returned fragment
		check      func(t *testing.T, job map[string]any)
	}{
		{"pause with reason and duration", "/jobs/w/pause", url.Values{"reason": {"deploy"}, "duration": {"1h"}}, "job-w", 200, "paused",
			func(t *testing.T, j map[string]any) {
				if j["enabled"] != false || j["paused_reason"] != "deploy" || j["paused_until"] == nil {
					t.Errorf("after pause: %v", j)
				}
			}},
		{"resume from the summary", "/jobs/w/resume", nil, "job-summary-w", 200, "scheduled",
			func(t *testing.T, j map[string]any) {
				if j["enabled"] != true {
					t.Errorf("after resume: %v", j)
				}
			}},
		{"an unknown duration", "/jobs/w/pause", url.Values{"duration": {"5y"}}, "job-w", 400, "", func(t *testing.T, j map[string]any) {
			if j["enabled"] != true {
				t.Errorf("a refused pause changed the job: %v", j)
			}
		}},
		{"an unknown job", "/jobs/nope/resume", nil, "job-nope", 404, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, doc, hdr := b.post(tt.path, tt.form, true, "HX-Target", tt.target)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d", status, tt.wantStatus)
			}
			if tt.wantState != "" {
				if got := text(doc, "job-state"); got != tt.wantState {
					t.Errorf("fragment state %q, want %q", got, tt.wantState)
				}
				if count(doc, "toast") != 1 {
					t.Error("no toast")
				}
				summary := strings.HasPrefix(tt.target, "job-summary-")
				if (count(doc, "job-summary") == 1) != summary || (count(doc, "job-row") == 1) == summary {
					t.Errorf("fragment does not match the target %s", tt.target)
				}
			} else if hdr.Get("X-Error-Message") == "" {
				t.Error("an htmx error without X-Error-Message")
			}
			if tt.check != nil {
				tt.check(t, e.job("w"))
			}
		})
	}
	// Run now: one recorded run per 202-equivalent, and a 409 while running.
	if status, _, _ := b.post("/jobs/w/run", nil, true, "HX-Target", "job-w"); status != 200 {
		t.Fatalf("run now: %d", status)
	}
	waitFor(t, "the run to be recorded", func() bool {
		_, m := e.do("GET", "/api/scheduler/history?job_id=w", "")
		return m["total"] == float64(1)
	})
}

func TestScheduleEditorPreviewConflictAndSave(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("w", `"trigger":"interval","minutes":5`)
	b := e.signIn(t, "alice", "admin")
	_, doc, _ := b.get("/jobs/w")
	version := doc.Find(`[data-testid=schedule-version]`).AttrOr("value", "")
	if version != "1" {
		t.Fatalf("editor version %q", version)
	}

	previews := []struct {
		name      string
		q         url.Values
		wantRuns  int
		wantError string
		wantDST   bool
	}{
		{"cron fields", url.Values{"mode": {"cron"}, "hour": {"9"}, "minute": {"30"}, "day_of_week": {"mon-fri"}}, 5, "", false},
		{"crontab line", url.Values{"mode": {"crontab"}, "expression": {"*/15 9-17 * * 1-5"}}, 5, "", false},
		{"interval", url.Values{"mode": {"interval"}, "every": {"90"}, "unit": {"minutes"}}, 5, "", false},
		{"a DST gap", url.Values{"mode": {"cron"}, "hour": {"2"}, "minute": {"30"}}, 5, "", true},
		{"a bad hour", url.Values{"mode": {"cron"}, "hour": {"25"}}, 0, "Hour: 25 is out of range 0–23", false},
		{"a bad crontab", url.Values{"mode": {"crontab"}, "expression": {"* * *"}}, 0, "5 fields", false},
		{"no interval", url.Values{"mode": {"interval"}, "unit": {"minutes"}}, 0, "how often", false},
	}
	for _, p := range previews {
		t.Run("preview "+p.name, func(t *testing.T) {
			status, doc, _ := b.get("/jobs/w/preview?" + p.q.Encode())
			if status != 200 {
				t.Fatalf("status %d", status)
			}
			if n := count(doc, "preview-run"); n != p.wantRuns {
				t.Errorf("%d runs, want %d", n, p.wantRuns)
			}
			if p.wantError != "" && !strings.Contains(text(doc, "preview-error"), p.wantError) {
				t.Errorf("error %q lacks %q", text(doc, "preview-error"), p.wantError)
			}
			if got := count(doc, "dst-warning") > 0; got != p.wantDST {
				t.Errorf("DST warning shown: %v, want %v", got, p.wantDST)
			}
		})
	}

	// Someone else changes the job: saving with the old version is refused
	// and shows their change.
	e.do("PUT", "/api/scheduler/jobs/w/schedule", `{"trigger":"interval","minutes":10}`)
	status, doc, _ := b.post("/jobs/w/schedule", url.Values{"version": {"1"}, "mode": {"cron"}, "hour": {"9"}, "minute": {"0"}}, true)
	if status != http.StatusConflict || !strings.Contains(text(doc, "schedule-conflict"), "Every 10 minutes") {
		t.Fatalf("stale save: %d %q", status, text(doc, "schedule-conflict"))
	}
	if e.job("w")["schedule"] != "Every 10 minutes" {
		t.Fatal("a stale save overwrote the other change")
	}
	newVersion := doc.Find(`[data-testid=schedule-version]`).AttrOr("value", "")
	if doc.Find(`[data-testid=cron-hour]`).AttrOr("value", "") != "9" {
		t.Error("the operator's input was lost")
	}
	status, doc, _ = b.post("/jobs/w/schedule", url.Values{"version": {newVersion}, "mode": {"cron"}, "hour": {"31"}}, true)
	if status != http.StatusUnprocessableEntity || count(doc, "error-schedule") != 1 {
		t.Fatalf("invalid save: %d", status)
	}
	status, doc, _ = b.post("/jobs/w/schedule", url.Values{"version": {newVersion}, "mode": {"cron"}, "hour": {"9"}, "minute": {"0"}}, true)
	if status != 200 || count(doc, "schedule-saved") != 1 {
		t.Fatalf("save: %d", status)
	}
	j := e.job("w")
	if j["schedule"] != "Daily at 09:00" || strconv.Itoa(int(j["version"].(float64))) != doc.Find(`[data-testid=schedule-version]`).AttrOr("value", "") {
		t.Fatalf("after save: %v", j)
	}
}

func TestCreateEditAndDeleteJobFromPages(t *testing.T) {
	e := newEnv(t, nil)
	b := e.signIn(t, "alice", "admin")
	good := url.Values{"id": {"digest"}, "kind": {"prompt"}, "name": {"Daily digest"}, "prompt": {"Summarise the news"},
		"mode": {"cron"}, "hour": {"8"}, "minute": {"15"}, "timeout_seconds": {"120"}}
	bad := []struct {
		name  string
		set   map[string]string
		field string
	}{
		{"bad id", map[string]string{"id": "Not An Id"}, "id"},
		{"no name", map[string]string{"name": ""}, "name"},
		{"no prompt", map[string]string{"prompt": ""}, "config"},
		{"bad schedule", map[string]string{"hour": "24"}, "schedule"},
		{"bad timeout", map[string]string{"timeout_seconds": "0"}, "timeout_seconds"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			f := url.Values{}
			for k, v := range good {
				f[k] = v
			}
			for k, v := range tt.set {
				f.Set(k, v)
			}
			status, doc, _ := b.post("/jobs", f, true)
			if status != http.StatusUnprocessableEntity || count(doc, "error-"+tt.field) != 1 {
				t.Fatalf("status %d, error-%s shown %d times", status, tt.field, count(doc, "error-"+tt.field))
			}
			if doc.Find(`[data-testid=job-name-input]`).AttrOr("value", "x") != f.Get("name") {
				t.Error("the form lost the operator's input")
			}
		})
	}
	status, _, hdr := b.post("/jobs", good, true)
	if status != http.StatusCreated || hdr.Get("HX-Redirect") != "/jobs/digest" {
		t.Fatalf("create: %d %q", status, hdr.Get("HX-Redirect"))
	}
	if j := e.job("digest"); j["schedule"] != "Daily at 08:15" || j["timeout_seconds"] != float64(120) {
		t.Fatalf("created: %v", j)
	}
	if status, doc, _ := b.post("/jobs", good, true); status != http.StatusUnprocessableEntity || !strings.Contains(text(doc, "error-id"), "already exists") {
		t.Fatalf("duplicate id: %d", status)
	}

	status, doc, _ := b.post("/jobs/digest/edit", url.Values{"version": {"1"}, "name": {"Morning digest"}, "prompt": {"Summarise"}, "timeout_seconds": {"99999"}}, true)
	if status != http.StatusUnprocessableEntity || count(doc, "error-timeout_seconds") != 1 {
		t.Fatalf("bad edit: %d", status)
	}
	status, doc, _ = b.post("/jobs/digest/edit", url.Values{"version": {"1"}, "name": {"Morning digest"}, "prompt": {"Summarise"}}, true)
	if status != 200 || count(doc, "job-saved") != 1 || e.job("digest")["name"] != "Morning digest" {
		t.Fatalf("edit: %d %v", status, e.job("digest")["name"])
	}
	if status, doc, _ := b.post("/jobs/digest/edit", url.Values{"version": {"1"}, "name": {"Stale"}, "prompt": {"x"}}, true); status != http.StatusConflict || count(doc, "form-error") != 1 {
		t.Fatalf("stale edit: %d", status)
	}
	if status, _, hdr := b.post("/jobs/digest/delete", nil, true); status != 200 || hdr.Get("HX-Redirect") != "/jobs" {
		t.Fatalf("delete: %d", status)
	}
	if status, _ := e.do("GET", "/api/scheduler/jobs/digest", ""); status != 404 {
		t.Fatalf("deleted job: %d", status)
	}
}

func TestSettingsProvidersAndAuditPages(t *testing.T) {
	e := newEnv(t, nil)
	b := e.signIn(t, "alice", "admin")
	status, doc, _ := b.post("/settings", url.Values{"scheduler.timezone": {"Mars/Olympus"}, "history.retention_days": {"10"}}, true)
	if status != http.StatusUnprocessableEntity || count(doc, "error-scheduler.timezone") != 1 {
		t.Fatalf("bad timezone: %d", status)
	}
	if _, m := e.do("GET", "/api/settings/history.retention_days", ""); m["value"] == "10" {
		t.Fatal("a form with an invalid field was partly saved")
	}
	if status, doc, _ = b.post("/settings", url.Values{"scheduler.timezone": {"Europe/Paris"}, "history.retention_days": {"10"}}, true); status != 200 || count(doc, "settings-saved") != 1 {
		t.Fatalf("save settings: %d", status)
	}
	if e.sched.Location().String() != "Europe/Paris" {
		t.Fatal("the timezone was not applied")
	}

	const key = "sk-secret-key-98765"
	if status, doc, _ = b.post("/providers/openai", url.Values{"model": {"gpt-4o"}}, true); status != http.StatusUnprocessableEntity || count(doc, "error-api_key") != 1 {
		t.Fatalf("provider without key: %d", status)
	}
	for _, name := range []string{"openai", "anthropic"} {
		if status, doc, _ = b.post("/providers/"+name, url.Values{"api_key": {key}}, true); status != 200 || count(doc, "provider-saved") != 1 {
			t.Fatalf("save %s: %d", name, status)
		}
	}
	if status, _, _ = b.post("/settings/active-provider", url.Values{"provider": {"anthropic"}}, true); status != 200 {
		t.Fatalf("switch: %d", status)
	}
	if status, _, _ = b.post("/settings/active-provider", url.Values{"provider": {"google"}}, true); status != http.StatusNotFound {
		t.Fatalf("switch to an unconfigured provider: %d", status)
	}
	for _, path := range []string{"/settings", "/providers"} {
		_, doc, _ := b.get(path)
		html, _ := doc.Html()
		if strings.Contains(html, key) {
			t.Fatalf("%s shows the key", path)
		}
		active := doc.Find(`[data-status=active]`)
		if active.Length() != 1 || active.AttrOr("data-provider", "") != "anthropic" {
			t.Fatalf("%s: %d active, want anthropic alone", path, active.Length())
		}
	}
	_, doc, _ = b.get("/audit")
	actions := doc.Find(`[data-testid=audit-row]`).Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("data-action", "") })
	want := []string{"provider.activate", "provider.add", "provider.add", "setting.set", "setting.set", "user.create"}
	if strings.Join(actions, ",") != strings.Join(want, ",") {
		t.Fatalf("audit actions %v, want %v", actions, want)
	}
	if html, _ := doc.Html(); !strings.Contains(html, "alice") || strings.Contains(html, key) {
		t.Fatal("the audit log does not name alice, or shows the key")
	}
}
