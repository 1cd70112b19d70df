package handlers_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// A pause menu carries the version of the row it was opened on: a pause
// from a menu whose job changed meanwhile is refused as a conflict, and the
// reason set elsewhere stays (issue 13 item 8).
func TestPagePauseCarriesVersion(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("w", `"trigger":"interval","minutes":5`)
	b := e.signIn(t, "alice", "admin")
	opened := e.job("w")["version"].(float64)
	// Someone pauses it through the API while the menu is open.
	if status, m := e.do("POST", "/api/scheduler/jobs/w/pause", `{"reason":"set elsewhere"}`); status != 200 {
		t.Fatalf("API pause: %d %v", status, m)
	}
	current := e.job("w")["version"].(float64)
	tests := []struct {
		name       string
		version    string
		target     string
		wantStatus int
		wantReason string
	}{
		{"a stale row's menu", fmt.Sprint(opened), "job-w", 409, "set elsewhere"},
		{"a stale summary's menu", fmt.Sprint(opened), "job-summary-w", 409, "set elsewhere"},
		{"a menu at the current version", fmt.Sprint(current), "job-w", 200, "mine"},
		{"a version that is no number", "x", "job-w", 400, "mine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, doc, hdr := b.post("/jobs/w/pause", url.Values{"reason": {"mine"}, "version": {tt.version}}, true, "HX-Target", tt.target)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d", status, tt.wantStatus)
			}
			if got := e.job("w")["paused_reason"]; got != tt.wantReason {
				t.Errorf("paused_reason %v, want %q", got, tt.wantReason)
			}
			switch status {
			case 409:
				// The answer replaces the stale row with the job as it is
				// and says why nothing was paused.
				if got := text(doc, "paused-reason"); got != "set elsewhere" {
					t.Errorf("the fragment shows reason %q, want the current one", got)
				}
				if msg := text(doc, "toast"); !strings.Contains(msg, "changed elsewhere") {
					t.Errorf("toast %q does not say the job changed elsewhere", msg)
				}
				if summary := strings.HasPrefix(tt.target, "job-summary-"); (count(doc, "job-summary") == 1) != summary {
					t.Errorf("fragment does not match the target %s", tt.target)
				}
			case 400:
				if hdr.Get("X-Error-Message") == "" {
					t.Error("an htmx error without X-Error-Message")
				}
			}
		})
	}
	// A form without a version (no script filled it in) still pauses.
	if status, _, _ := b.post("/jobs/w/pause", url.Values{"reason": {"no version"}}, true, "HX-Target", "job-w"); status != 200 {
		t.Fatalf("pause without a version: %d", status)
	}
	if got := e.job("w")["paused_reason"]; got != "no version" {
		t.Errorf("paused_reason %v after a pause without a version", got)
	}
}
