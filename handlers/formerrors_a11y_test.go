package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestFormErrorsTiedToFields: a field a server-side error names is marked
// aria-invalid and described by the message shown for it, so a screen
// reader says which field is wrong and why (issue 18, item 5).
func TestFormErrorsTiedToFields(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("w", `"trigger":"interval","minutes":5`)
	b := e.signIn(t, "alice", "admin")
	newJob := url.Values{"id": {"digest"}, "kind": {"prompt"}, "name": {"Daily digest"}, "prompt": {"Summarise the news"},
		"mode": {"cron"}, "hour": {"8"}, "minute": {"15"}, "timeout_seconds": {"120"}}
	hook := url.Values{"id": {"hook"}, "kind": {"webhook"}, "name": {"Hook"}, "url": {"https://example.com/"}, "method": {"POST"},
		"mode": {"cron"}, "hour": {"8"}, "minute": {"15"}}
	with := func(base url.Values, set map[string]string) url.Values {
		f := url.Values{}
		for k, v := range base {
			f[k] = append([]string(nil), v...)
		}
		for k, v := range set {
			f.Set(k, v)
		}
		return f
	}
	tests := []struct {
		name, path string
		form       url.Values
		field      string // the invalid control
		message    string // the id of the message describing it
	}{
		{"a webhook's URL", "/jobs", with(hook, map[string]string{"url": "ftp://example.com/"}), `input[name=url]`, "error-config"},
		{"a webhook's headers", "/jobs", with(hook, map[string]string{"headers": "no colon here"}), `textarea[name=headers]`, "error-config"},
		{"a prompt", "/jobs", with(newJob, map[string]string{"prompt": ""}), `textarea[name=prompt]`, "error-config"},
		{"a job id", "/jobs", with(newJob, map[string]string{"id": "Not An Id"}), `input[name=id]`, "error-id"},
		{"a job name", "/jobs", with(newJob, map[string]string{"name": ""}), `input[name=name]`, "error-name"},
		{"a timeout", "/jobs", with(newJob, map[string]string{"timeout_seconds": "0"}), `input[name=timeout_seconds]`, "error-timeout_seconds"},
		{"a new job's hour", "/jobs", with(newJob, map[string]string{"hour": "24"}), `input[name=hour]`, "error-schedule"},
		{"an interval", "/jobs/w/schedule", url.Values{"version": {"1"}, "mode": {"interval"}, "every": {"0"}, "unit": {"minutes"}}, `input[name=every]`, "error-schedule"},
		{"a schedule's hour", "/jobs/w/schedule", url.Values{"version": {"1"}, "mode": {"cron"}, "hour": {"31"}}, `input[name=hour]`, "error-schedule"},
		{"the scheduler's zone", "/settings", url.Values{"scheduler.timezone": {"Mars/Olympus"}, "history.retention_days": {"10"}}, `input[name="scheduler.timezone"]`, "error-scheduler.timezone"},
		{"a new user's password", "/users", url.Values{"username": {"carol"}, "password": {"short"}, "role": {"viewer"}}, `input[name=password]`, "error-password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, doc, _ := b.post(tt.path, tt.form, true)
			if status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", status)
			}
			field := doc.Find(tt.field)
			if field.Length() != 1 {
				t.Fatalf("%s found %d times", tt.field, field.Length())
			}
			if got := field.AttrOr("aria-invalid", ""); got != "true" {
				t.Errorf("%s aria-invalid=%q, want true", tt.field, got)
			}
			described := field.AttrOr("aria-describedby", "")
			if !strings.Contains(" "+described+" ", " "+tt.message+" ") {
				t.Errorf("%s aria-describedby=%q, want %s", tt.field, described, tt.message)
			}
			if msg := doc.Find(`[id="` + tt.message + `"]`); msg.Length() != 1 || strings.TrimSpace(msg.Text()) == "" {
				t.Errorf("the message #%s is shown %d times: %q", tt.message, msg.Length(), msg.Text())
			}
			if others := doc.Find(`[aria-invalid=true]`).Length(); others != 1 {
				t.Errorf("%d fields marked invalid, want just %s", others, tt.field)
			}
		})
	}
}
