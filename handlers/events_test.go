package handlers_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestEventsStreamSendsHTMLFragments(t *testing.T) {
	e := newEnv(t, nil)
	first := e.hub.Stats().LastID
	e.do("POST", "/api/scheduler/jobs", `{"id":"j","name":"<script>alert(1)</script>","kind":"webhook","config":{"url":"http://127.0.0.1:1/"},"trigger":"cron","hour":9,"minute":0}`)
	// Let the creation's event through first: the stream below starts from
	// a snapshot with nothing in flight.
	waitFor(t, "the creation's event", func() bool { return e.hub.Stats().LastID == first+1 })
	c := e.connectTo(t, streamClient(), "/events", "")
	defer c.close()
	evs := c.waitEvents(t, "snapshot", func(evs []sseEvent) bool { return len(evs) > 0 })
	snap := evs[0].data
	for _, want := range []string{`<tbody id="jobs-body"`, `hx-swap-oob="true"`, `id="job-j"`, `Daily at 09:00`, `&lt;script&gt;`, `<ul id="provider-list"`} {
		if !strings.Contains(snap, want) {
			t.Fatalf("snapshot lacks %q:\n%s", want, snap)
		}
	}
	if strings.Contains(snap, "<script>") {
		t.Fatal("a job name was not escaped")
	}
	e.do("POST", "/api/scheduler/jobs/j/pause", `{"reason":"maintenance"}`)
	e.do("POST", "/api/settings/ai-provider", `{"provider":"anthropic","api_key":"ant-key-123456"}`)
	e.do("DELETE", "/api/scheduler/jobs/j", "")
	// job_deleted leaves the scheduler after job_updated: once it is here,
	// so is every event before it.
	evs = c.waitEvents(t, "three changes", func(evs []sseEvent) bool {
		return slices.ContainsFunc(evs, func(ev sseEvent) bool { return ev.name == "job_deleted" })
	})
	byName := map[string]string{}
	count := map[string]int{}
	for _, ev := range evs[1:] {
		byName[ev.name] += ev.data
		count[ev.name]++
	}
	delete(count, "heartbeat")
	if want := map[string]int{"job_updated": 1, "provider_changed": 1, "job_deleted": 1}; !maps.Equal(count, want) {
		t.Fatalf("events: got %v, want one of each change", count)
	}
	if u := byName["job_updated"]; !strings.Contains(u, `<tr id="job-j"`) || !strings.Contains(u, "maintenance") || !strings.Contains(u, "state-paused") {
		t.Fatalf("job_updated fragment: %s", u)
	}
	if p := byName["provider_changed"]; strings.Count(p, "provider-active") != 1 || !strings.Contains(p, "****3456") || strings.Contains(p, "ant-key-123456") {
		t.Fatalf("provider_changed fragment: %s", p)
	}
	if d := byName["job_deleted"]; !strings.Contains(d, `hx-swap-oob="delete"`) {
		t.Fatalf("job_deleted fragment: %s", d)
	}
}
