package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The settings form carries the values it was loaded at: a save from a form
// another admin's change has made stale is refused, not an undo of that
// change; "Now:" shows only what is stored (issue 13 item 9).
func TestSettingsFormConflict(t *testing.T) {
	e := newEnv(t, nil)
	b := e.signIn(t, "alice", "admin")
	_, doc, _ := b.get("/settings")
	loadedTZ, _ := doc.Find(`[data-testid="setting-loaded-scheduler.timezone"]`).Attr("value")
	if loadedTZ != "America/New_York" {
		t.Fatalf("the form was loaded at timezone %q, want America/New_York", loadedTZ)
	}
	form := func(tz, days, loadedTZ, loadedDays string) url.Values {
		return url.Values{"scheduler.timezone": {tz}, "history.retention_days": {days},
			"loaded.scheduler.timezone": {loadedTZ}, "loaded.history.retention_days": {loadedDays}}
	}
	// A rejected save keeps the typed value in the field, but "Now:" is the
	// stored value.
	status, doc, _ := b.post("/settings", form("Mars/Olympus", "30", "America/New_York", "30"), true)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("bad timezone: %d", status)
	}
	if v, _ := doc.Find(`[data-testid="setting-scheduler.timezone"]`).Attr("value"); v != "Mars/Olympus" {
		t.Errorf("the field after a rejected save holds %q, want what was typed", v)
	}
	if now := doc.Find(`[data-testid=setting-value][data-key="scheduler.timezone"]`).Text(); now != "America/New_York" {
		t.Errorf("a rejected save shows Now: %q, want the stored America/New_York", now)
	}

	// Another admin changes the retention through the API.
	if status, m := e.do("PUT", "/api/settings/history.retention_days", `{"value":"45"}`); status != 200 {
		t.Fatalf("API set: %d %v", status, m)
	}
	tests := []struct {
		name       string
		form       url.Values
		wantStatus int
		wantTZ     string
		wantDays   string
	}{
		{"a stale form, the changed field untouched", form("Europe/Paris", "30", "America/New_York", "30"), 409, "America/New_York", "45"},
		{"a stale form, the changed field typed over", form("America/New_York", "10", "America/New_York", "30"), 409, "America/New_York", "45"},
		{"a form loaded after the change", form("Europe/Paris", "45", "America/New_York", "45"), 200, "Europe/Paris", "45"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, doc, _ := b.post("/settings", tt.form, true)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d", status, tt.wantStatus)
			}
			if _, m := e.do("GET", "/api/settings/history.retention_days", ""); m["value"] != tt.wantDays {
				t.Errorf("retention %v, want %s", m["value"], tt.wantDays)
			}
			if got := e.sched.Location().String(); got != tt.wantTZ {
				t.Errorf("timezone %s, want %s", got, tt.wantTZ)
			}
			if status != 409 {
				return
			}
			// The answer says what changed, loads the form at the stored
			// values (saving again replaces them) and keeps what was typed.
			if msg := text(doc, "form-error"); !strings.Contains(msg, "changed elsewhere") || !strings.Contains(msg, "45") {
				t.Errorf("conflict message %q does not name the change", msg)
			}
			if v, _ := doc.Find(`[data-testid="setting-loaded-history.retention_days"]`).Attr("value"); v != "45" {
				t.Errorf("the answer's form is loaded at %q, want 45", v)
			}
			if v, _ := doc.Find(`[data-testid="setting-history.retention_days"]`).Attr("value"); v != tt.form.Get("history.retention_days") && tt.form.Get("history.retention_days") != tt.form.Get("loaded.history.retention_days") {
				t.Errorf("the typed retention was lost: %q", v)
			} else if tt.form.Get("history.retention_days") == tt.form.Get("loaded.history.retention_days") && v != "45" {
				t.Errorf("the untouched retention field holds %q, want the stored 45", v)
			}
		})
	}
}
