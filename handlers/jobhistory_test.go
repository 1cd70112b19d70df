// A job's change history on its page (issue 13).
//
//	TestJobChangeHistory          who changed what, before → after, newest first, back to the job's creation only
//	TestRestoreSchedule           "Restore this schedule" sets it again at the version seen; a stale restore is a 409 and changes nothing; bad input is a 400 or 404

package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

type historyItem struct {
	id, actor, action string
	changes           map[string]string // field → "before → after"
	restorable        bool
}

func historyOf(t *testing.T, doc *goquery.Document) []historyItem {
	t.Helper()
	var out []historyItem
	doc.Find(`[data-testid=history-entry]`).Each(func(_ int, s *goquery.Selection) {
		it := historyItem{changes: map[string]string{}, restorable: s.Find(`[data-testid=restore-schedule]`).Length() == 1}
		it.id, _ = s.Attr("data-entry-id")
		it.action, _ = s.Attr("data-action")
		it.actor = strings.TrimSpace(s.Find(`[data-testid=history-actor]`).Text())
		s.Find(`[data-testid=history-change]`).Each(func(_ int, c *goquery.Selection) {
			f, _ := c.Attr("data-field")
			it.changes[f] = strings.TrimSpace(c.Find(".before").Text()) + " → " + strings.TrimSpace(c.Find(".after").Text())
		})
		out = append(out, it)
	})
	return out
}

func TestJobChangeHistory(t *testing.T) {
	e := newEnv(t, nil)
	// An older job of the same id: its history is not this job's.
	e.createWebhook("h", `"trigger":"interval","minutes":30`)
	if status, m := e.do("DELETE", "/api/scheduler/jobs/h", ""); status != 200 {
		t.Fatalf("delete: %d %v", status, m)
	}
	e.createWebhook("h", `"trigger":"interval","minutes":5`)
	if status, m := e.do("PUT", "/api/scheduler/jobs/h/schedule", `{"trigger":"interval","minutes":10}`); status != 200 {
		t.Fatalf("reschedule: %d %v", status, m)
	}
	b := e.signIn(t, "alice", "admin")
	if status, _, _ := b.post("/jobs/h/pause", url.Values{"reason": {"deploy"}}, true, "HX-Target", "job-summary-h"); status != 200 {
		t.Fatalf("pause: %d", status)
	}
	// A reveal shows a secret and changes nothing: no history.
	if status, _ := e.do("POST", "/api/scheduler/jobs/h/reveal", ""); status != 200 {
		t.Fatalf("reveal: %d", status)
	}
	_, doc, _ := b.get("/jobs/h")
	got := historyOf(t, doc)
	token := e.jobAudit(t, "h")[len(got)-1].Actor // the API token's actor created it
	want := []historyItem{
		{actor: "alice", action: "job.pause", changes: map[string]string{"State": "scheduled → paused", "Pause reason": "— → deploy"}},
		{actor: token, action: "job.reschedule", changes: map[string]string{"Schedule": "Every 5 minutes → Every 10 minutes"}},
		{actor: token, action: "job.create", changes: map[string]string{"Schedule": "— → Every 5 minutes", "Name": "— → h", "State": "— → scheduled"}, restorable: true},
	}
	if len(got) != len(want) {
		t.Fatalf("history %+v, want %d entries", got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.actor != w.actor || g.action != w.action || g.restorable != w.restorable {
			t.Errorf("entry %d: %s %s restorable=%v, want %s %s restorable=%v", i, g.actor, g.action, g.restorable, w.actor, w.action, w.restorable)
		}
		for f, change := range w.changes {
			if g.changes[f] != change {
				t.Errorf("entry %d (%s): %s %q, want %q (all: %v)", i, g.action, f, g.changes[f], change, g.changes)
			}
		}
	}
	// A viewer reads the history but is offered no restore.
	v := e.signIn(t, "vera", "viewer")
	if _, doc, _ := v.get("/jobs/h"); count(doc, "history-entry") != 3 || count(doc, "restore-schedule") != 0 {
		t.Errorf("a viewer sees %d entries and %d restore buttons, want 3 and 0", count(doc, "history-entry"), count(doc, "restore-schedule"))
	}
}

func TestRestoreSchedule(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("r", `"trigger":"cron","hour":9,"minute":30,"day_of_week":"mon-fri"`)
	if status, m := e.do("PUT", "/api/scheduler/jobs/r/schedule", `{"trigger":"interval","minutes":10}`); status != 200 {
		t.Fatalf("reschedule: %d %v", status, m)
	}
	b := e.signIn(t, "alice", "admin")
	_, doc, _ := b.get("/jobs/r")
	hist := historyOf(t, doc)
	if len(hist) != 2 || !hist[1].restorable || hist[0].restorable {
		t.Fatalf("history %+v: want the creation's schedule restorable, not the current one", hist)
	}
	created := hist[1].id
	seen := e.version("r")
	if v, _ := doc.Find(`[data-testid=history-entry][data-entry-id="` + created + `"] input[name=version]`).Attr("value"); v != strconv.FormatInt(seen, 10) {
		t.Errorf("the restore form carries version %q, want %d", v, seen)
	}

	// Someone edits the job after the page was loaded: the restore of the
	// page's version is a conflict and leaves their change.
	if status, m := e.do("PUT", "/api/scheduler/jobs/r/schedule", `{"trigger":"interval","minutes":20}`); status != 200 {
		t.Fatalf("reschedule: %d %v", status, m)
	}
	status, _, hdr := b.post("/jobs/r/restore-schedule", url.Values{"entry": {created}, "version": {strconv.FormatInt(seen, 10)}}, true)
	msg, _ := url.PathUnescape(hdr.Get("X-Error-Message"))
	if status != http.StatusConflict || !strings.Contains(msg, "Someone else changed this job") {
		t.Fatalf("stale restore: %d %q, want 409", status, msg)
	}
	if j := e.job("r"); j["schedule"] != "Every 20 minutes" {
		t.Fatalf("a stale restore changed the schedule: %v", j["schedule"])
	}

	tests := []struct {
		name       string
		form       url.Values
		wantStatus int
	}{
		{"no entry", url.Values{"version": {"1"}}, http.StatusBadRequest},
		{"an entry that is no number", url.Values{"entry": {"x"}, "version": {"1"}}, http.StatusBadRequest},
		{"no version", url.Values{"entry": {created}}, http.StatusBadRequest},
		{"an entry of no job's", url.Values{"entry": {"999999"}, "version": {"1"}}, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, hdr := b.post("/jobs/r/restore-schedule", tt.form, true)
			if status != tt.wantStatus || hdr.Get("X-Error-Message") == "" {
				t.Errorf("got %d %q, want %d with a message", status, hdr.Get("X-Error-Message"), tt.wantStatus)
			}
		})
	}
	if status, _, _ := b.post("/jobs/nope/restore-schedule", url.Values{"entry": {created}, "version": {"1"}}, true); status != http.StatusNotFound {
		t.Errorf("restore on an unknown job: %d, want 404", status)
	}

	// Reloaded, the restore goes through: the schedule round-trips.
	seen = e.version("r")
	status, doc, _ = b.post("/jobs/r/restore-schedule", url.Values{"entry": {created}, "version": {strconv.FormatInt(seen, 10)}}, true)
	if status != 200 || !strings.Contains(text(doc, "toast"), "runs Weekdays at 09:30 again") {
		t.Fatalf("restore: %d, toast %q", status, text(doc, "toast"))
	}
	j := e.job("r")
	args, _ := j["trigger_args"].(map[string]any)
	if j["trigger"] != "cron" || j["schedule"] != "Weekdays at 09:30" || int64(j["version"].(float64)) != seen+1 || args["day_of_week"] != "mon-fri" {
		t.Errorf("after restore: %v %v %v v%v", j["trigger"], j["schedule"], args, j["version"])
	}
	hist = historyOf(t, doc)
	if len(hist) != 4 || hist[0].actor != "alice" || hist[0].action != "job.reschedule" || hist[0].changes["Schedule"] != "Every 20 minutes → Weekdays at 09:30" {
		t.Errorf("history after restore: %+v", hist)
	}
	if count(doc, "schedule-editor") != 1 {
		t.Error("the schedule editor was not sent along")
	}
	// Restoring what the job already runs is refused clearly.
	status, _, hdr = b.post("/jobs/r/restore-schedule", url.Values{"entry": {created}, "version": {strconv.FormatInt(seen+1, 10)}}, true)
	if status != http.StatusBadRequest || hdr.Get("X-Error-Message") == "" {
		t.Errorf("restoring the current schedule: %d %q, want 400", status, hdr.Get("X-Error-Message"))
	}
}
