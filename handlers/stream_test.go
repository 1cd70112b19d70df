package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/handlers"
)

func streamClient() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true, MaxConnsPerHost: 0}}
}

// applyEvents folds a stream into a view of the jobs: the snapshot, then
// every job_updated and job_deleted.
func applyEvents(t *testing.T, evs []sseEvent) map[string]string {
	t.Helper()
	view := map[string]string{}
	for _, ev := range evs {
		switch ev.name {
		case "snapshot":
			var snap struct{ Jobs []json.RawMessage }
			if err := json.Unmarshal([]byte(ev.data), &snap); err != nil {
				t.Fatal(err)
			}
			view = map[string]string{}
			for _, raw := range snap.Jobs {
				var j struct{ ID string }
				json.Unmarshal(raw, &j)
				view[j.ID] = canonical(t, raw)
			}
		case "job_updated":
			var j struct{ ID string }
			json.Unmarshal([]byte(ev.data), &j)
			view[j.ID] = canonical(t, []byte(ev.data))
		case "job_deleted":
			var d struct {
				JobID string `json:"job_id"`
			}
			json.Unmarshal([]byte(ev.data), &d)
			delete(view, d.JobID)
		}
	}
	return view
}

func canonical(t *testing.T, raw []byte) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("event data is not JSON: %s", raw)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (e *env) apiView(t *testing.T) map[string]string {
	_, raw := e.doRaw("GET", "/api/scheduler/jobs", "", map[string]string{"Authorization": "Bearer " + testToken})
	var m struct{ Jobs []json.RawMessage }
	json.Unmarshal(raw, &m)
	view := map[string]string{}
	for _, r := range m.Jobs {
		var j struct{ ID string }
		json.Unmarshal(r, &j)
		view[j.ID] = canonical(t, r)
	}
	return view
}

func TestHTTPAcceptanceStreamEveryChangeOnceInOrder(t *testing.T) {
	e := newEnv(t, nil)
	for i := range 10 {
		e.createWebhook(fmt.Sprintf("job-%d", i), `"trigger":"interval","minutes":30`)
	}
	client := streamClient()
	clients := make([]*sseClient, 100)
	for i := range clients {
		clients[i] = e.connect(t, client, "")
		defer clients[i].close()
	}
	for _, c := range clients {
		evs := c.waitEvents(t, "snapshot", func(evs []sseEvent) bool { return len(evs) > 0 })
		if evs[0].name != "snapshot" {
			t.Fatalf("first event %q, want snapshot", evs[0].name)
		}
	}
	// Events of the creations above may still be in flight, so each client
	// counts from the id its own snapshot carries; every client subscribed
	// before start, so all of them must see every event after it.
	start := e.hub.Stats().LastID
	auth := map[string]string{"Authorization": "Bearer " + testToken}
	barrier := make(chan struct{})
	var wg sync.WaitGroup
	var bad atomic.Int64
	for g := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-barrier
			for i := range 20 {
				job := fmt.Sprintf("job-%d", (g+i)%10)
				var status int
				switch i % 5 {
				case 0:
					status, _ = e.doRaw("PUT", "/api/scheduler/jobs/"+job+"/schedule", fmt.Sprintf(`{"trigger":"interval","minutes":%d}`, 100*g+i+1), auth)
				case 1:
					status, _ = e.doRaw("POST", "/api/scheduler/jobs/"+job+"/pause", fmt.Sprintf(`{"reason":"r%d-%d"}`, g, i), auth)
				case 2:
					status, _ = e.doRaw("POST", "/api/scheduler/jobs/"+job+"/resume", "", auth)
				case 3:
					status, _ = e.doRaw("PUT", "/api/scheduler/jobs/"+job, fmt.Sprintf(`{"name":"n%d-%d"}`, g, i), auth)
				case 4:
					status, _ = e.doRaw("PUT", "/api/settings/ui.counter", fmt.Sprintf(`{"value":"%d-%d"}`, g, i), auth)
				}
				if status != 200 {
					bad.Add(1)
				}
			}
		}()
	}
	close(barrier)
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d changes failed", bad.Load())
	}
	// Events leave through the relay a moment after the answers: wait
	// until it has published everything committed.
	newest, err := e.store.LastEventID(context.Background())
	if err != nil || !e.sched.WaitApplied(context.Background(), newest, 10*time.Second) {
		t.Fatalf("the relay did not catch up with event %d: %v", newest, err)
	}
	last := e.hub.Stats().LastID
	if last-start < 150 {
		t.Fatalf("only %d events for 200 changes", last-start)
	}
	// Job events leave through the scheduler's dispatcher, a moment after
	// the answers: wait until each client's view matches the API.
	want := fmt.Sprint(e.apiView(t))
	var seenID uint64
	var seenView string
	defer func() {
		if t.Failed() {
			t.Logf("last event id %d (want at least %d); view equal: %v\nclient: %s\nAPI:    %s\nAPI now: %s",
				seenID, last, seenView == want, seenView, want, fmt.Sprint(e.apiView(t)))
		}
	}()
	var first []string
	for n, c := range clients {
		// The view can match before the last event arrives (an event that
		// changes nothing visible), so wait for both.
		evs := c.waitEvents(t, "every event and the final view", func(evs []sseEvent) bool {
			seenID, seenView = lastEventID(evs), fmt.Sprint(applyEvents(t, evs))
			return seenID >= last && seenView == want
		})
		next, _ := strconv.ParseUint(evs[0].id, 10, 64)
		var ids []string
		for _, ev := range evs[1:] {
			if ev.name == "heartbeat" {
				continue
			}
			next++
			if id, _ := strconv.ParseUint(ev.id, 10, 64); id != next {
				t.Fatalf("client %d: got event id %s, want %d: every event once, in order", n, ev.id, next)
			}
			if next > start {
				ids = append(ids, ev.id)
			}
		}
		if got, _ := strconv.ParseUint(ids[len(ids)-1], 10, 64); got < last {
			t.Fatalf("client %d: last event %d, want at least %d", n, got, last)
		}
		if first == nil {
			first = ids
		} else if fmt.Sprint(ids[:min(len(ids), len(first))]) != fmt.Sprint(first[:min(len(ids), len(first))]) {
			t.Fatalf("client %d saw another sequence of events", n)
		}
	}
}

func TestHTTPAcceptanceSlowClientIsDropped(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("j", `"trigger":"interval","minutes":30`)
	fast := e.connect(t, streamClient(), "")
	defer fast.close()
	fast.waitEvents(t, "snapshot", func(evs []sseEvent) bool { return len(evs) > 0 })

	// A client that sends its request and then never reads.
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /api/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", testToken)
	waitFor(t, "two subscribers", func() bool { return e.hub.Stats().Subscribers == 2 })

	payload := []byte(`"` + strings.Repeat("x", 60<<10) + `"`)
	// Loopback socket buffers hold megabytes: publish until the silent
	// client's handler is stuck and its hub buffer overflows.
	for i := range 3000 {
		if _, err := e.hub.Publish("bulk", payload, nil); err != nil {
			t.Fatal(err)
		}
		fast.waitEvents(t, "bulk event", func(evs []sseEvent) bool { return len(evs) >= i+2 })
		if e.hub.Stats().SlowDisconnects == 1 {
			break
		}
	}
	if st := e.hub.Stats(); st.SlowDisconnects != 1 || st.Subscribers != 1 {
		t.Fatalf("hub: %+v, want the silent client dropped and the fast one kept", st)
	}
	// The dropped client comes back to a snapshot equal to the current state.
	e.do("POST", "/api/scheduler/jobs/j/pause", "")
	again := e.connect(t, streamClient(), "")
	defer again.close()
	evs := again.waitEvents(t, "snapshot", func(evs []sseEvent) bool { return len(evs) > 0 })
	if evs[0].name != "snapshot" || fmt.Sprint(applyEvents(t, evs[:1])) != fmt.Sprint(e.apiView(t)) {
		t.Fatal("reconnect snapshot differs from the current state")
	}
}

func TestHTTPAcceptanceNoLeaks(t *testing.T) {
	e := newEnv(t, nil)
	client := streamClient()
	warm := e.connect(t, client, "")
	warm.waitEvents(t, "snapshot", func(evs []sseEvent) bool { return len(evs) > 0 })
	warm.close()
	waitFor(t, "no subscribers", func() bool { return e.hub.Stats().Subscribers == 0 })
	base := runtime.NumGoroutine()
	sem := make(chan struct{}, 50)
	var wg sync.WaitGroup
	for range 1000 {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c := e.connect(t, client, "")
			c.waitEvents(t, "snapshot", func(evs []sseEvent) bool { return len(evs) > 0 })
			c.close()
		}()
	}
	wg.Wait()
	waitFor(t, "subscribers and goroutines back to the start", func() bool {
		return e.hub.Stats().Subscribers == 0 && runtime.NumGoroutine() <= base+2
	})
}

func TestHTTPAcceptanceFramingAndHugeEvents(t *testing.T) {
	e := newEnv(t, nil)
	c := e.connect(t, streamClient(), "")
	defer c.close()
	c.waitEvents(t, "snapshot", func(evs []sseEvent) bool { return len(evs) > 0 })
	// A value that tries to end the frame and forge an event of its own.
	evil := "line one\n\nevent: evil\r\ndata: injected\rid: 1"
	body, _ := json.Marshal(map[string]string{"value": evil})
	if status, m := e.do("PUT", "/api/settings/ui.note", string(body)); status != 200 {
		t.Fatal(status, m)
	}
	// A change whose event encodes past 64 KiB (every < is escaped): it is
	// never sent whole, and never dropped silently either.
	prompt := strings.Repeat("<", 19000)
	if status, m := e.do("POST", "/api/scheduler/jobs", `{"id":"big","name":"Big","kind":"prompt","config":{"prompt":"`+prompt+`"},"trigger":"interval","hours":1}`); status != 201 {
		t.Fatal(status, m)
	}
	if status, _ := e.do("PUT", "/api/settings/ui.after", `{"value":"still open"}`); status != 200 {
		t.Fatal(status)
	}
	evs := c.waitEvents(t, "three events", func(evs []sseEvent) bool { return len(evs) >= 4 })
	var set map[string]string
	if evs[1].name != "setting_changed" || json.Unmarshal([]byte(evs[1].data), &set) != nil || set["value"] != evil {
		t.Fatalf("setting event: %+v", evs[1])
	}
	if evs[2].name != "resync" || evs[2].data != "{}" || evs[2].id == "" {
		t.Fatalf("event too large: got %+v, want a resync with its id", evs[2])
	}
	if evs[3].name != "setting_changed" || !strings.Contains(evs[3].data, "still open") {
		t.Fatalf("after the large event: %+v, want the stream still open", evs[3])
	}
	for _, ev := range evs {
		if ev.name == "evil" || ev.id == "1" && ev.name != "setting_changed" {
			t.Fatalf("framing broken: got event %+v", ev)
		}
	}
}

func TestStreamResumesFromLastEventID(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("j", `"trigger":"interval","minutes":30`)
	c := e.connect(t, streamClient(), "")
	evs := c.waitEvents(t, "snapshot", func(evs []sseEvent) bool { return len(evs) > 0 })
	c.close()
	e.do("POST", "/api/scheduler/jobs/j/pause", "")
	e.do("POST", "/api/scheduler/jobs/j/resume", "")
	again := e.connect(t, streamClient(), evs[0].id)
	defer again.close()
	got := again.waitEvents(t, "two missed events", func(evs []sseEvent) bool { return len(evs) >= 2 })
	if got[0].name != "job_updated" || got[1].name != "job_updated" {
		t.Fatalf("resume: got %q %q, want the two missed job_updated events and no snapshot", got[0].name, got[1].name)
	}
	fresh := e.connect(t, streamClient(), "999999999999")
	defer fresh.close()
	if got := fresh.waitEvents(t, "snapshot", func(evs []sseEvent) bool { return len(evs) > 0 }); got[0].name != "snapshot" {
		t.Fatalf("unknown Last-Event-ID: got %q, want a snapshot", got[0].name)
	}
	if status, _ := e.doRaw("GET", "/api/stream", "", nil); status != 401 {
		t.Fatalf("stream without a token: got %d, want 401", status)
	}
}

func TestStreamHeartbeatsAndMaxAge(t *testing.T) {
	e := newEnvConfig(t, handlers.Config{APIToken: testToken, Heartbeat: 20 * time.Millisecond, StreamMaxAge: 300 * time.Millisecond}, nil)
	c := e.connect(t, streamClient(), "")
	defer c.close()
	evs := c.waitEvents(t, "heartbeats", func(evs []sseEvent) bool { return len(evs) >= 3 })
	if evs[1].name != "heartbeat" || evs[1].data != "{}" || evs[1].id != "" {
		t.Fatalf("got %+v, want a heartbeat without an id", evs[1])
	}
	select {
	case <-c.done: // the server ended the stream at its maximum age
	case <-time.After(10 * time.Second):
		t.Fatal("the stream outlived its maximum age")
	}
}

// lastEventID is the id of the newest event with one; heartbeats carry none.
func lastEventID(evs []sseEvent) uint64 {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].id != "" {
			id, _ := strconv.ParseUint(evs[i].id, 10, 64)
			return id
		}
	}
	return 0
}
