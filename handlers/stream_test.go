// Live events over HTTP: acceptance scenarios 16-19 against /api/stream,
// read by a strict SSE parser. Event ids are the hub's own account; the
// oracle for "once, in order" is what was committed: each job's versions
// and each setting value written.
//
//	test                                         scenario  guards
//	TestHTTPAcceptanceStreamEveryChangeOnceInOrder 16      100 clients, 200 concurrent changes (half of them batched behind a held dispatcher): each client gets each job's versions one by one, each setting value once, exactly that many events, all in one shared order, and ends equal to the API
//	TestStreamResumesFromLastEventID             16        a Last-Event-ID resume gets the missed changes once each, then the next, with no snapshot
//	TestHTTPAcceptanceSlowClientIsDropped        17        a client that stops reading is dropped while the other keeps getting every event; reconnecting gives a snapshot equal to the API
//	TestHTTPAcceptanceNoLeaks                    18        after 1,000 clients connect and leave, subscribers and goroutines are back where they started, exactly
//	TestHTTPAcceptanceFramingAndHugeEvents       19        line breaks in data cannot forge events; an event over 64 KiB is refused and the stream stays open

package handlers_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/handlers"
	"switchboard/scheduler"
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

// streamEntry names an event by what it carries, so events can be checked
// against what was committed without trusting the ids the hub assigns.
func streamEntry(ev sseEvent) (kind, key string, version float64) {
	var d struct {
		ID      string
		Version float64
		Key     string
		Value   string
	}
	_ = json.Unmarshal([]byte(ev.data), &d)
	switch ev.name {
	case "job_updated":
		return ev.name, d.ID, d.Version
	case "setting_changed":
		return ev.name, d.Key + "=" + d.Value, 0
	}
	return ev.name, "", 0
}

func TestHTTPAcceptanceStreamEveryChangeOnceInOrder(t *testing.T) {
	e := newEnv(t, nil)
	const jobs = 10
	first := e.hub.Stats().LastID
	for i := range jobs {
		e.createWebhook(fmt.Sprintf("job-%d", i), `"trigger":"interval","minutes":30`)
	}
	// The creations' events leave through the scheduler's dispatcher a
	// moment after the answers: let them through before clients connect, so
	// every client starts from a snapshot with nothing in flight.
	waitFor(t, "the creations' events", func() bool { return e.hub.Stats().LastID == first+jobs })
	// The oracle: each job's version before and after (each committed
	// change of a job adds one) and each setting value written.
	startVersion := map[string]float64{}
	for i := range jobs {
		id := fmt.Sprintf("job-%d", i)
		startVersion[id] = e.job(id)["version"].(float64)
	}

	// Hold the dispatcher on the first change after the barrier until half
	// the changes are answered: those reach listeners as one batch, the
	// rest one by one.
	hold := make(chan struct{})
	var release sync.Once
	defer release.Do(func() { close(hold) })
	var armed atomic.Bool
	e.sched.Subscribe(func(scheduler.Event) {
		if armed.Load() {
			select {
			case <-hold:
			case <-time.After(20 * time.Second):
			}
		}
	})

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
	barrier := make(chan struct{})
	var wg sync.WaitGroup
	var answered atomic.Int64
	var mu sync.Mutex
	settings := map[string]int{} // "key=value" written → times seen by a client
	errs := make(chan error, 200)
	for g := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-barrier
			for i := range 20 {
				job := fmt.Sprintf("job-%d", (g+i)%10)
				var status int
				var raw []byte
				var err error
				switch i % 5 {
				case 0:
					status, raw, err = e.sendAuth("PUT", "/api/scheduler/jobs/"+job+"/schedule", fmt.Sprintf(`{"trigger":"interval","minutes":%d}`, 100*g+i+10))
				case 1:
					status, raw, err = e.sendAuth("POST", "/api/scheduler/jobs/"+job+"/pause", fmt.Sprintf(`{"reason":"r%d-%d"}`, g, i))
				case 2:
					status, raw, err = e.sendAuth("POST", "/api/scheduler/jobs/"+job+"/resume", "")
				case 3:
					status, raw, err = e.sendAuth("PUT", "/api/scheduler/jobs/"+job, fmt.Sprintf(`{"name":"n%d-%d"}`, g, i))
				case 4:
					status, raw, err = e.sendAuth("PUT", "/api/settings/ui.counter", fmt.Sprintf(`{"value":"%d-%d"}`, g, i))
					mu.Lock()
					settings[fmt.Sprintf("ui.counter=%d-%d", g, i)] = 0
					mu.Unlock()
				}
				if err != nil || status != 200 {
					errs <- fmt.Errorf("change %d of writer %d: %d %s %v", i, g, status, raw, err)
				}
				if answered.Add(1) == 100 {
					release.Do(func() { close(hold) })
				}
			}
		}()
	}
	armed.Store(true)
	close(barrier)
	wg.Wait()
	release.Do(func() { close(hold) })
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// A last change through the same dispatcher marks the end: a client
	// that has it has everything committed before it.
	_, m := e.do("PUT", "/api/scheduler/jobs/job-0", `{"name":"the end"}`)
	endVersion := m["version"].(float64)
	want := fmt.Sprint(e.apiView(t))
	wantEvents := len(settings)
	finalVersion := map[string]float64{}
	for id := range startVersion {
		finalVersion[id] = e.job(id)["version"].(float64)
		wantEvents += int(finalVersion[id] - startVersion[id])
	}
	if finalVersion["job-0"] != endVersion {
		t.Fatalf("job-0 at version %v after the last change answered %v", finalVersion["job-0"], endVersion)
	}

	var sequence []string // the first client's, which every other must share
	for n, c := range clients {
		evs := c.waitEvents(t, "the last change", func(evs []sseEvent) bool {
			return slices.ContainsFunc(evs, func(ev sseEvent) bool {
				kind, id, v := streamEntry(ev)
				return kind == "job_updated" && id == "job-0" && v == endVersion
			})
		})
		next := maps.Clone(startVersion)
		seen := maps.Clone(settings)
		var seq []string
		prevID, _ := strconv.ParseUint(evs[0].id, 10, 64)
		for _, ev := range evs[1:] {
			if ev.name == "heartbeat" {
				continue
			}
			// Ids run on without a gap (the hub's own account) …
			if id, _ := strconv.ParseUint(ev.id, 10, 64); id != prevID+1 {
				t.Fatalf("client %d: event id %s after %d", n, ev.id, prevID)
			}
			prevID++
			// … and what the events carry matches what was committed:
			// each job's versions one by one, each setting value once.
			kind, key, v := streamEntry(ev)
			switch kind {
			case "job_updated":
				next[key]++
				if v != next[key] {
					t.Fatalf("client %d: %s at version %v, want %v: every change once, in commit order", n, key, v, next[key])
				}
			case "setting_changed":
				if k, ok := seen[key]; !ok || k != 0 {
					t.Fatalf("client %d: setting event %s seen %d times before, or never written", n, key, k)
				}
				seen[key]++
			default:
				t.Fatalf("client %d: unexpected event %s %s", n, ev.name, ev.data)
			}
			seq = append(seq, fmt.Sprint(kind, key, v))
		}
		for id, v := range finalVersion {
			if next[id] != v {
				t.Fatalf("client %d: %s reached version %v, want %v", n, id, next[id], v)
			}
		}
		for key, k := range seen {
			if k != 1 {
				t.Fatalf("client %d: setting %s seen %d times, want once", n, key, k)
			}
		}
		if len(seq) != wantEvents {
			t.Fatalf("client %d: %d events, want exactly %d", n, len(seq), wantEvents)
		}
		if sequence == nil {
			sequence = seq
		} else if !slices.Equal(seq, sequence) {
			t.Fatalf("client %d saw the events in another order than client 0", n)
		}
		if got := fmt.Sprint(applyEvents(t, evs)); got != want {
			t.Fatalf("client %d: final view differs from the API\nclient: %s\nAPI:    %s", n, got, want)
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
	// The server's stream goroutines (the connection's, the pump's, the
	// reader that notices a client leave); the store's and scheduler's
	// background loops come and go with their own timers and are not
	// the clients' to leave behind.
	base := serverGoroutines() // before any client
	warm := e.connect(t, client, "")
	warm.waitEvents(t, "snapshot", func(evs []sseEvent) bool { return len(evs) > 0 })
	warm.close()
	waitFor(t, "the first client to leave nothing behind", func() bool {
		return e.hub.Stats().Subscribers == 0 && serverGoroutines() <= base
	})
	sem := make(chan struct{}, 50)
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	var served atomic.Int64
	for range 1000 {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := e.dial(client, "/api/stream", "")
			if err != nil {
				errs <- err
				return
			}
			defer c.close()
			if _, err := c.await("snapshot", func(evs []sseEvent) bool { return len(evs) > 0 }); err != nil {
				errs <- err
				return
			}
			served.Add(1)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if served.Load() != 1000 {
		t.Fatalf("%d clients got a snapshot, want 1000", served.Load())
	}
	waitFor(t, "subscribers and goroutines back to the start", func() bool {
		return e.hub.Stats().Subscribers == 0 && serverGoroutines() <= base
	})
}

// serverGoroutines counts the goroutines running the HTTP server's
// connections and the live streams.
func serverGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "net/http.(*conn).serve") || strings.Contains(g, "switchboard/handlers.") {
			count++
		}
	}
	return count
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
	first := e.hub.Stats().LastID
	e.createWebhook("j", `"trigger":"interval","minutes":30`)
	waitFor(t, "the creation's event", func() bool { return e.hub.Stats().LastID == first+1 })
	c := e.connect(t, streamClient(), "")
	evs := c.waitEvents(t, "snapshot", func(evs []sseEvent) bool { return len(evs) > 0 })
	c.close()
	e.do("POST", "/api/scheduler/jobs/j/pause", "")
	e.do("POST", "/api/scheduler/jobs/j/resume", "")
	again := e.connect(t, streamClient(), evs[0].id)
	defer again.close()
	// A change after the reconnect marks the end of what was missed.
	_, m := e.do("POST", "/api/scheduler/jobs/j/pause", `{"reason":"after"}`)
	end := m["job"].(map[string]any)["version"].(float64)
	got := again.waitEvents(t, "the missed events and the next", func(evs []sseEvent) bool {
		return slices.ContainsFunc(evs, func(ev sseEvent) bool { _, _, v := streamEntry(ev); return v == end })
	})
	var versions []float64
	for _, ev := range got {
		if ev.name != "heartbeat" {
			kind, id, v := streamEntry(ev)
			if kind != "job_updated" || id != "j" {
				t.Fatalf("resume: got %s %s, want only j's job_updated events and no snapshot", ev.name, ev.data)
			}
			versions = append(versions, v)
		}
	}
	if want := []float64{end - 2, end - 1, end}; !slices.Equal(versions, want) {
		t.Fatalf("resume: got versions %v, want %v: the two missed changes once each, then the next", versions, want)
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
