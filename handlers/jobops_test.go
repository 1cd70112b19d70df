// Operator tools on the Jobs pages (issue 13): bulk pause and resume,
// the question a resume asks about skipped runs, and "running longer than
// usual".
//
//	TestBulkPauseAndResume           each selected job its own versioned write, audit row and event; a deleted or changed job reported and left alone; a viewer refused
//	TestBulkRefusesBadInput          a malformed selection, action or duration is a 400 with a message, never a 500
//	TestResumeAsksAboutMissedRuns    the dialog counts the skipped runs; "Run once now" starts exactly one run, "Just resume" none, and a second click none
//	TestRunningLongerThanUsual       a running job carries its usual length from 5 finished runs, not from 4; instant runs still count

package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"switchboard/models"
	"switchboard/scheduler"
)

// version is a job's version as the API shows it.
func (e *env) version(id string) int64 {
	e.t.Helper()
	v, ok := e.job(id)["version"].(float64)
	if !ok {
		e.t.Fatalf("job %s has no version", id)
	}
	return int64(v)
}

func (e *env) jobAudit(t *testing.T, id string) []models.AuditEntry {
	t.Helper()
	entries, err := e.store.ListJobAudit(t.Context(), id, 50)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

func sel(id string, version int64) string { return fmt.Sprintf("%s:%d", id, version) }

func TestBulkPauseAndResume(t *testing.T) {
	e := newEnv(t, nil)
	for _, id := range []string{"a", "b", "c", "d"} {
		e.createWebhook(id, `"trigger":"interval","minutes":5`)
	}
	stream := e.connect(t, streamClient(), "")
	defer stream.close()
	stream.waitEvents(t, "snapshot", func(evs []sseEvent) bool { return len(evs) > 0 })
	admin := e.signIn(t, "alice", "admin")
	viewer := e.signIn(t, "vera", "viewer")

	// A viewer's bulk action is refused and changes nothing.
	status, _, _ := viewer.post("/jobs/bulk", url.Values{"job": {sel("a", e.version("a"))}, "action": {"pause"}}, true)
	if status != http.StatusForbidden {
		t.Fatalf("viewer bulk pause: %d, want 403", status)
	}
	if e.job("a")["enabled"] != true {
		t.Fatal("a viewer's bulk pause paused the job")
	}
	// The jobs page offers a viewer no selection either.
	if _, doc, _ := viewer.get("/jobs"); count(doc, "job-select") != 0 || count(doc, "bulk-bar") != 0 {
		t.Error("a viewer sees the bulk selection")
	}
	if _, doc, _ := admin.get("/jobs"); count(doc, "job-select") != 4 || count(doc, "bulk-bar") != 1 {
		t.Errorf("an admin sees %d row checkboxes and %d bulk bars, want 4 and 1", count(doc, "job-select"), count(doc, "bulk-bar"))
	}

	versions := map[string]int64{}
	for _, id := range []string{"a", "b", "c"} {
		versions[id] = e.version(id)
	}
	// c changes after it was selected: the bulk pause must not overwrite it.
	if status, m := e.do("POST", "/api/scheduler/jobs/c/pause", ""); status != 200 {
		t.Fatalf("pause c: %d %v", status, m)
	}
	cBefore := e.job("c")
	form := url.Values{"job": {sel("a", versions["a"]), sel("b", versions["b"]), sel("c", versions["c"]), sel("gone", 1)},
		"action": {"pause"}, "reason": {"  nightly maintenance "}, "duration": {"1h"}}
	status, doc, _ := admin.post("/jobs/bulk", form, true)
	if status != http.StatusOK {
		t.Fatalf("bulk pause: %d", status)
	}
	problems := map[string]string{}
	doc.Find(`[data-testid=bulk-problem]`).Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("data-job-id")
		problems[id] = s.Text()
	})
	if len(problems) != 2 || !strings.Contains(problems["c"], "changed by someone else") || !strings.Contains(problems["gone"], "no such job") {
		t.Errorf("problems listed: %v, want c changed and gone missing", problems)
	}
	if got := doc.Find(`[data-testid=job-row][data-state=paused]`).Length(); got != 2 {
		t.Errorf("%d paused rows sent back, want 2 (a and b)", got)
	}
	if !strings.Contains(doc.Find(`[data-testid=toast]`).Text(), "Paused 2 jobs") {
		t.Errorf("toasts: %q", doc.Find(`[data-testid=toast]`).Text())
	}
	for _, id := range []string{"a", "b"} {
		j := e.job(id)
		if j["enabled"] != false || j["paused_reason"] != "nightly maintenance" || j["paused_until"] == nil || int64(j["version"].(float64)) != versions[id]+1 {
			t.Errorf("%s after the bulk pause: %v", id, j)
		}
		if entries := e.jobAudit(t, id); len(entries) < 1 || entries[0].Action != "job.pause" || entries[0].Actor != "alice" {
			t.Errorf("%s: newest audit entry %+v, want alice's job.pause", id, entries[0])
		}
	}
	if j := e.job("c"); !reflect.DeepEqual(j, cBefore) {
		t.Errorf("c was overwritten: %v, was %v", j, cBefore)
	}
	if entries := e.jobAudit(t, "c"); entries[0].Actor == "alice" {
		t.Error("the refused change of c was audited")
	}

	// Resume a and b at the versions the page now shows.
	form = url.Values{"job": {sel("a", versions["a"]+1), sel("b", versions["b"]+1)}, "action": {"resume"}}
	if status, doc, _ = admin.post("/jobs/bulk", form, true); status != http.StatusOK || count(doc, "bulk-problem") != 0 {
		t.Fatalf("bulk resume: %d, %d problems", status, count(doc, "bulk-problem"))
	}
	for _, id := range []string{"a", "b"} {
		j := e.job(id)
		if j["enabled"] != true || int64(j["version"].(float64)) != versions[id]+2 {
			t.Errorf("%s after the bulk resume: %v", id, j)
		}
		if entries := e.jobAudit(t, id); entries[0].Action != "job.resume" {
			t.Errorf("%s: newest audit entry %s, want job.resume", id, entries[0].Action)
		}
	}
	// Each write was its own event, with its own version.
	want := map[string]bool{}
	for _, id := range []string{"a", "b"} {
		want[fmt.Sprintf("%s@%d", id, versions[id]+1)] = true
		want[fmt.Sprintf("%s@%d", id, versions[id]+2)] = true
	}
	stream.waitEvents(t, "an event per job and change", func(evs []sseEvent) bool {
		got := 0
		for _, ev := range evs {
			if kind, id, v := streamEntry(ev); kind == "job_updated" && want[fmt.Sprintf("%s@%d", id, int64(v))] {
				got++
			}
		}
		return got == len(want)
	})
}

func TestBulkRefusesBadInput(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("a", `"trigger":"interval","minutes":5`)
	b := e.signIn(t, "alice", "admin")
	v := sel("a", e.version("a"))
	many := make([]string, 0, 200)
	for i := range 200 {
		many = append(many, sel(fmt.Sprintf("j%d", i), 1))
	}
	tests := []struct {
		name    string
		form    url.Values
		message string
	}{
		{"nothing selected", url.Values{"action": {"pause"}}, "Select at least one job."},
		{"no version", url.Values{"job": {"a"}, "action": {"pause"}}, "The selection could not be read; reload the page."},
		{"a version that is no number", url.Values{"job": {"a:x"}, "action": {"pause"}}, "The selection could not be read; reload the page."},
		{"an impossible id", url.Values{"job": {"../etc:1"}, "action": {"pause"}}, "The selection could not be read; reload the page."},
		{"too many", url.Values{"job": many, "action": {"pause"}}, "Select at most"},
		{"no action", url.Values{"job": {v}}, "Choose to pause or to resume the selected jobs."},
		{"an unknown action", url.Values{"job": {v}, "action": {"delete"}}, "Choose to pause or to resume the selected jobs."},
		{"an unknown duration", url.Values{"job": {v}, "action": {"pause"}, "duration": {"5y"}}, "Choose how long to pause from the list."},
		{"a reason too long", url.Values{"job": {v}, "action": {"pause"}, "reason": {strings.Repeat("x", 501)}}, "at most 500 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, hdr := b.post("/jobs/bulk", tt.form, true)
			msg, _ := url.PathUnescape(hdr.Get("X-Error-Message"))
			if status != http.StatusBadRequest || !strings.Contains(msg, tt.message) {
				t.Errorf("got %d %q, want 400 with %q", status, msg, tt.message)
			}
		})
	}
	if e.job("a")["enabled"] != true {
		t.Error("a refused bulk action paused the job")
	}
}

// pausedSince makes a paused job's pause begin at t, as if paused then.
func (e *env) pausedSince(t *testing.T, id string, at time.Time) {
	t.Helper()
	_, err := e.store.UpdateJob(t.Context(), id, func(j *models.Job) error {
		j.PausedAt = &at
		return nil
	}, func(models.Job, models.Job) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
}

func (e *env) runCount(t *testing.T, id string) int {
	t.Helper()
	_, m := e.do("GET", "/api/scheduler/history?job_id="+id, "")
	n, _ := m["total"].(float64)
	return int(n)
}

func TestResumeAsksAboutMissedRuns(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("w", `"trigger":"interval","minutes":5`)
	b := e.signIn(t, "alice", "admin")
	pause := func() {
		t.Helper()
		if status, _, _ := b.post("/jobs/w/pause", url.Values{"reason": {"deploy"}}, true, "HX-Target", "job-w"); status != 200 {
			t.Fatalf("pause: %d", status)
		}
	}
	pause()
	// Paused just now: the first skipped run is five minutes away, and
	// none was missed yet.
	_, doc, _ := b.get("/jobs")
	after, ok := doc.Find(`#job-w form[data-missed-after]`).Attr("data-missed-after")
	if at, err := time.Parse(time.RFC3339, after); !ok || err != nil || time.Until(at) < 4*time.Minute {
		t.Errorf("the resume form's data-missed-after %q, want about five minutes from now", after)
	}
	if _, doc, _ := b.get("/jobs/w/resume?target=job-w", "HX-Request", "true"); count(doc, "missed-count") != 0 || count(doc, "resume-run-once") != 0 {
		t.Error("a pause that skipped nothing offers to run the skipped runs")
	}

	tests := []struct {
		name     string
		form     url.Values
		wantRuns int
		states   string // the states the row may show: the run may have ended
		toast    string
	}{
		{"just resume", nil, 0, "scheduled", "Resumed w."},
		{"run once now", url.Values{"run_missed": {"1"}}, 1, "running scheduled", "started one run for the runs it missed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if e.job("w")["enabled"] != false {
				pause()
			}
			before := e.runCount(t, "w")
			e.pausedSince(t, "w", time.Now().Add(-62*time.Minute)) // 12 runs of every 5 minutes
			status, doc, _ := b.get("/jobs/w/resume?target=job-w", "HX-Request", "true")
			if n, _ := doc.Find(`[data-testid=missed-count]`).Attr("data-count"); status != 200 || n != "12" {
				t.Fatalf("the dialog: %d, missed %q, want 12", status, n)
			}
			if !strings.Contains(text(doc, "missed-count"), "12 scheduled runs") || count(doc, "resume-run-once") != 1 || count(doc, "resume-just") != 1 {
				t.Errorf("the dialog says %q", text(doc, "resume-missed"))
			}
			status, doc, _ = b.post("/jobs/w/resume", tt.form, true, "HX-Target", "job-w")
			if status != 200 || !slices.Contains(strings.Fields(tt.states), text(doc, "job-state")) || !strings.Contains(text(doc, "toast"), tt.toast) {
				t.Fatalf("resume: %d, state %q, toast %q", status, text(doc, "job-state"), text(doc, "toast"))
			}
			// A trigger records its run before it answers: none now is none.
			if got := e.runCount(t, "w") - before; got != tt.wantRuns {
				t.Errorf("%d runs started, want %d", got, tt.wantRuns)
			}
			// A second "Run once now" (a double click, another tab) finds
			// the job resumed and owes nothing.
			waitFor(t, "the run to end", func() bool { return e.job("w")["running"] != true })
			if status, _, _ := b.post("/jobs/w/resume", url.Values{"run_missed": {"1"}}, true, "HX-Target", "job-w"); status != 200 {
				t.Fatalf("second resume: %d", status)
			}
			if got := e.runCount(t, "w") - before; got != tt.wantRuns {
				t.Errorf("after a second click %d runs started, want %d", got, tt.wantRuns)
			}
			if row, err := e.store.GetJob(t.Context(), "w"); err != nil || !row.Enabled || row.PausedAt != nil {
				t.Errorf("after resume: %+v %v, want scheduled with no pause time", row, err)
			}
		})
	}
	// An unknown job's dialog is a 404, not a 500.
	if status, _, _ := b.get("/jobs/nope/resume", "HX-Request", "true"); status != http.StatusNotFound {
		t.Errorf("dialog of an unknown job: %d, want 404", status)
	}
}

func TestRunningLongerThanUsual(t *testing.T) {
	var hold atomic.Bool
	release := make(chan struct{})
	run := func(ctx context.Context) (string, error) {
		if hold.Load() {
			select {
			case <-release:
			case <-ctx.Done():
			}
		}
		return "ok", nil // instant otherwise: these runs last 0 ms
	}
	builtin := func(id string) scheduler.Builtin {
		return scheduler.Builtin{ID: id, Name: id, Schedule: interval(t, time.Hour), Timeout: time.Minute, Run: run}
	}
	e := newEnv(t, []scheduler.Builtin{builtin("five"), builtin("four")})
	t.Cleanup(func() { close(release) })
	b := e.signIn(t, "alice", "admin")
	trigger := func(id string) {
		t.Helper()
		if status, m := e.do("POST", "/api/scheduler/jobs/"+id+"/trigger", ""); status != 202 {
			t.Fatalf("trigger %s: %d %v", id, status, m)
		}
	}
	for id, n := range map[string]int{"five": 5, "four": 4} {
		for i := range n {
			trigger(id)
			waitFor(t, fmt.Sprintf("run %d of %s to end", i+1, id), func() bool {
				return e.job(id)["running"] != true && e.job(id)["last_run_status"] == "success"
			})
		}
	}
	hold.Store(true)
	trigger("five")
	trigger("four")
	tests := []struct {
		id       string
		wantMark bool
	}{
		{"five", true},
		{"four", false},
	}
	waitFor(t, "both runs to be under way", func() bool { return e.job("five")["running"] == true && e.job("four")["running"] == true })
	seen := 0
	for _, path := range []string{"/jobs", "/jobs/five", "/jobs/four"} {
		_, doc, _ := b.get(path)
		for _, tt := range tests {
			elapsed := doc.Find(`[data-job-target][id$="-` + tt.id + `"] [data-since]`)
			if elapsed.Length() == 0 {
				continue // the other job's page
			}
			seen++
			ms, has := elapsed.Attr("data-usual-ms")
			if n, err := strconv.Atoi(ms); has != tt.wantMark || (has && (err != nil || n < 1)) {
				t.Errorf("%s on %s: data-usual-ms %q %v, want it %v", tt.id, path, ms, has, tt.wantMark)
			}
			if marks := doc.Find(`[data-job-target][id$="-` + tt.id + `"] [data-testid=running-long]`).Length(); (marks > 0) != tt.wantMark {
				t.Errorf("%s on %s: %d longer-than-usual marks", tt.id, path, marks)
			}
		}
	}
	if seen != 4 {
		t.Errorf("the running time shown %d times, want 4 (two rows, two job pages)", seen)
	}
}
