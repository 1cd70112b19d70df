package handlers_test

import (
	"net/url"
	"testing"
	"time"

	"switchboard/handlers"
)

// TestHandlersKeepTheirClock: every handler reads the time from the clock
// it was given, never the wall clock, so what depends on "now" (a preview,
// a date "in the future", "pause for an hour") can be tested at a fixed
// time (issue 14, item 5). The clock is set years ahead of the wall clock,
// so an answer taken from the wall clock is plainly wrong.
func TestHandlersKeepTheirClock(t *testing.T) {
	now := time.Date(2031, 6, 2, 10, 0, 0, 0, time.UTC)
	e := newEnvWith(t, envOptions{cfg: handlers.Config{APIToken: testToken}, now: func() time.Time { return now }})
	e.createWebhook("w", `"trigger":"interval","minutes":5`)
	b := e.signIn(t, "alice", "admin")

	t.Run("preview", func(t *testing.T) {
		_, doc, _ := b.get("/jobs/new/preview?" + url.Values{"mode": {"interval"}, "every": {"2"}, "unit": {"hours"}}.Encode())
		first, err := time.Parse(time.RFC3339, doc.Find(`[data-testid=preview-run] time`).First().AttrOr("datetime", ""))
		if err != nil || !first.Equal(now.Add(2*time.Hour)) {
			t.Errorf("first previewed run %v (%v), want %v", first, err, now.Add(2*time.Hour))
		}
	})
	t.Run("a date before the clock is past", func(t *testing.T) {
		// In the wall clock's future, in the handlers' past.
		status, m := e.do("POST", "/api/scheduler/jobs", `{"id":"once","name":"Once","kind":"webhook","config":{"url":"http://127.0.0.1:1/"},"trigger":"date","run_date":"2030-01-01T09:00:00Z"}`)
		if status != 400 || m["error"] != `Invalid "run_date": 2030-01-01T09:00:00Z is not in the future.` {
			t.Errorf("create: %d %v, want 400 not in the future", status, m)
		}
		status, m = e.do("PUT", "/api/scheduler/jobs/w/schedule", `{"trigger":"date","run_date":"2030-01-01T09:00:00Z"}`)
		if status != 400 {
			t.Errorf("reschedule: %d %v, want 400 not in the future", status, m)
		}
	})
	t.Run("pause for an hour", func(t *testing.T) {
		if status, _, _ := b.post("/jobs/w/pause", url.Values{"duration": {"1h"}, "reason": {"deploy"}}, true, "HX-Target", "job-w"); status != 200 {
			t.Fatalf("pause: %d", status)
		}
		until, _ := e.job("w")["paused_until"].(string)
		if got, err := time.Parse(time.RFC3339, until); err != nil || !got.Equal(now.Add(time.Hour)) {
			t.Errorf("paused until %q, want %v", until, now.Add(time.Hour))
		}
	})
}
