package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/models/modeltest"
)

// hookServer is a webhook target that counts calls and can hold each one.
type hookServer struct {
	srv      *httptest.Server
	calls    atomic.Int64
	inFlight atomic.Int64
}

func newHookServer(t *testing.T, hold time.Duration) *hookServer {
	h := &hookServer{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.calls.Add(1)
		h.inFlight.Add(1)
		defer h.inFlight.Add(-1)
		select {
		case <-time.After(hold):
		case <-r.Context().Done():
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func leaderOf(t *testing.T, nodes []*node) (leader *node, followers []*node) {
	t.Helper()
	var name string
	waitUntil(t, "a leader", 15*time.Second, func() (bool, string) {
		_, l, n, err := members(nodes[0])
		name = l
		return err == nil && n == 1, fmt.Sprint(l, n, err)
	})
	for _, n := range nodes {
		if n.id == name {
			leader = n
		} else {
			followers = append(followers, n)
		}
	}
	if leader == nil {
		t.Fatalf("leader %q is not one of the instances started", name)
	}
	return leader, followers
}

func clusterRunNowAnywhere(t *testing.T, dbURL string, nodes []*node) {
	hook := newHookServer(t, 400*time.Millisecond)
	body := `{"id":"slow","name":"Slow","kind":"webhook","config":{"url":"` + hook.srv.URL + `"},"trigger":"cron","hour":3,"minute":0}`
	if status, m := nodes[0].must(t, "POST", "/api/scheduler/jobs", body); status != 201 {
		t.Fatal(status, m)
	}
	_, followers := leaderOf(t, nodes)
	f := followers[0]
	status, m := f.must(t, "POST", "/api/scheduler/jobs/slow/trigger", "")
	if status != 202 || m["run_id"] == nil {
		t.Fatalf("run now on follower %s: %d %v", f.id, status, m)
	}
	runID := fmt.Sprint(m["run_id"])
	waitUntil(t, "the run ends", 10*time.Second, func() (bool, string) {
		n := dbInt(t, dbURL, "SELECT count(*) FROM job_runs WHERE id = $1 AND status = 'success' AND instance = $2", m["run_id"], f.id)
		return n == 1, runID
	})
	if got := hook.calls.Load(); got != 1 {
		t.Fatalf("webhook called %d times for one run now, want 1", got)
	}

	// One run now on each instance at once: one runs, the others hear 409.
	start := make(chan struct{})
	var wg sync.WaitGroup
	codes := make([]int, len(nodes))
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			codes[i], _, _ = n.call("POST", "/api/scheduler/jobs/slow/trigger", "")
		}()
	}
	close(start)
	wg.Wait()
	accepted := 0
	for _, c := range codes {
		switch c {
		case 202:
			accepted++
		case 409:
		default:
			t.Fatalf("concurrent run now: codes %v, want only 202 and 409", codes)
		}
	}
	if accepted != 1 {
		t.Fatalf("concurrent run now on three instances: codes %v, want exactly one 202 (the job runs 400 ms)", codes)
	}
	waitUntil(t, "no run under way", 10*time.Second, func() (bool, string) {
		n := dbInt(t, dbURL, "SELECT count(*) FROM job_runs WHERE job_id = 'slow' AND status = 'running'")
		return n == 0, fmt.Sprint(n)
	})
	if runs := dbInt(t, dbURL, "SELECT count(*) FROM job_runs WHERE job_id = 'slow' AND source = 'manual'"); runs != 2 || hook.calls.Load() != 2 {
		t.Fatalf("manual runs %d, webhook calls %d; want 2 and 2 (one per 202)", runs, hook.calls.Load())
	}
}

// activeProviders reads the provider list on n and returns how many are
// active and which.
func activeProviders(n *node) (int, string, error) {
	status, m, err := n.call("GET", "/api/settings/ai-providers?page_size=100", "")
	if err != nil || status != 200 {
		return 0, "", fmt.Errorf("providers on %s: %d %v", n.id, status, err)
	}
	count, name := 0, ""
	for _, raw := range m["data"].([]any) {
		p := raw.(map[string]any)
		if p["is_active"] == true {
			count, name = count+1, fmt.Sprint(p["name"])
		}
	}
	return count, name, nil
}

func clusterProvidersAcross(t *testing.T, nodes []*node) {
	names := []string{"anthropic", "openai", "google", "xai", "openai_compatible"}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	var reads, bad atomic.Int64
	var badSeen atomic.Value
	for _, n := range nodes {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				count, _, err := activeProviders(n)
				reads.Add(1)
				if err != nil || count > 1 {
					bad.Add(1)
					badSeen.Store(fmt.Sprintf("%s: %d active, %v", n.id, count, err))
				}
			}
		}()
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	var failed atomic.Int64
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			name := names[i%len(names)]
			body := fmt.Sprintf(`{"provider":%q,"api_key":"key-%d-abcdefgh","set_active":true}`, name, i)
			if name == "openai_compatible" {
				body = fmt.Sprintf(`{"provider":%q,"api_key":"key-%d-abcdefgh","base_url":"http://127.0.0.1:1/v1","model":"local-model","set_active":true}`, name, i)
			}
			if status, m, err := nodes[i%3].call("POST", "/api/settings/ai-provider", body); err != nil || status != 200 {
				failed.Add(1)
				t.Errorf("add %s on %s: %d %v %v", name, nodes[i%3].id, status, m, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	// Then activations by id, concurrently, on every instance.
	_, m := nodes[0].must(t, "GET", "/api/settings/ai-providers?page_size=100", "")
	var ids []string
	for _, raw := range m["data"].([]any) {
		if id := raw.(map[string]any)["id"]; id != nil {
			ids = append(ids, fmt.Sprint(id))
		}
	}
	if len(ids) != len(names) {
		t.Fatalf("configured providers: %v, want one row for each of %d", ids, len(names))
	}
	start = make(chan struct{})
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if status, _, err := nodes[i%3].call("POST", "/api/settings/ai-provider/"+ids[i%len(ids)]+"/activate", ""); err != nil || status != 200 {
				failed.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(stop)
	readers.Wait()
	if failed.Load() > 0 || bad.Load() > 0 || reads.Load() == 0 {
		t.Fatalf("failed writes %d, bad reads %d of %d (%v)", failed.Load(), bad.Load(), reads.Load(), badSeen.Load())
	}
	var seen []string
	for _, n := range nodes {
		count, name, err := activeProviders(n)
		if err != nil || count != 1 {
			t.Fatalf("%s sees %d active (%v), want exactly one", n.id, count, err)
		}
		seen = append(seen, name)
	}
	if seen[0] != seen[1] || seen[1] != seen[2] {
		t.Fatalf("instances disagree on the active provider: %v", seen)
	}
}

func clusterOneSession(t *testing.T, nodes []*node) {
	a, b := nodes[0], nodes[1]
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.PostForm(a.url+"/login", url.Values{"username": {"admin"}, "password": {clusterPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in on A: %d", resp.StatusCode)
	}
	au, _ := url.Parse(a.url)
	cookies := jar.Cookies(au)
	if len(cookies) == 0 {
		t.Fatal("no session cookie after sign-in")
	}
	page := func(n *node, cs []*http.Cookie) int {
		req, _ := http.NewRequest("GET", n.url+"/jobs", nil)
		for _, c := range cs {
			req.AddCookie(c)
		}
		resp, err := (&http.Client{CheckRedirect: browser.CheckRedirect}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := page(b, cookies); got != 200 {
		t.Fatalf("the session from A on B: %d, want 200", got)
	}
	// The console shows the cluster: a header badge and the instances.
	req0, _ := http.NewRequest("GET", b.url+"/settings", nil)
	for _, c := range cookies {
		req0.AddCookie(c)
	}
	resp0, err := browser.Do(req0)
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(resp0.Body)
	resp0.Body.Close()
	if !strings.Contains(string(html), `data-testid="cluster-badge">3 instances`) || strings.Count(string(html), `data-testid="instance-row"`) != 3 ||
		strings.Count(string(html), "runs the schedule") != 1 {
		t.Fatalf("settings on B does not show three instances, one leader and the header badge:\n%s", html)
	}
	req, _ := http.NewRequest("POST", b.url+"/logout", strings.NewReader(""))
	for _, c := range cookies {
		req.AddCookie(c)
	}
	if resp, err := browser.Do(req); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	// The old cookie, replayed on A, no longer opens anything.
	if got := page(a, cookies); got == 200 {
		t.Fatalf("after signing out on B, the old session still works on A (%d)", got)
	}
}

// TestClusterFailover is scenario 28: a webhook job every 2 s on
// three instances while the leader is killed with SIGKILL mid-run.
func TestClusterFailover(t *testing.T) {
	dbURL := modeltest.PostgresURL(t)
	nodes := startCluster(t, dbURL, 3)
	hook := newHookServer(t, 300*time.Millisecond)
	body := `{"id":"tick","name":"Tick","kind":"webhook","config":{"url":"` + hook.srv.URL + `"},"trigger":"interval","seconds":2}`
	if status, m := nodes[0].must(t, "POST", "/api/scheduler/jobs", body); status != 201 {
		t.Fatal(status, m)
	}
	alive := nodes
	var kills []time.Time
	for round := range *failoverRounds {
		leader, followers := leaderOf(t, alive)
		// Kill mid-run: wait for a call in flight.
		waitUntil(t, "a run in flight", 10*time.Second, func() (bool, string) { return hook.inFlight.Load() > 0, "" })
		leader.kill()
		killed := time.Now()
		kills = append(kills, killed)
		t.Logf("round %d: killed leader %s", round, leader.id)
		waitUntil(t, "a run within 10 s of the kill", 10*time.Second, func() (bool, string) {
			n := dbInt(t, dbURL, "SELECT count(*) FROM job_runs WHERE job_id = 'tick' AND started_at > $1", killed.UTC())
			return n > 0, fmt.Sprint(n)
		})
		gap := dbInt(t, dbURL, "SELECT (EXTRACT(EPOCH FROM min(started_at) - $1::timestamptz) * 1000)::bigint FROM job_runs WHERE job_id = 'tick' AND started_at > $1", killed.UTC())
		t.Logf("round %d: the next run started %d ms after the kill", round, gap)
		waitUntil(t, "three runs finish after the kill", 20*time.Second, func() (bool, string) {
			n := dbInt(t, dbURL, "SELECT count(*) FROM job_runs WHERE job_id = 'tick' AND status = 'success' AND started_at > $1", killed.UTC())
			return n >= 3, fmt.Sprint(n)
		})
		// Bring a replacement so the next round still has three.
		alive = append(followers, startNode(t, dbURL, fmt.Sprintf("node-r%d", round)))
	}
	alive[0].must(t, "POST", "/api/scheduler/jobs/tick/pause", "")
	waitUntil(t, "no run under way", 15*time.Second, func() (bool, string) {
		n := dbInt(t, dbURL, "SELECT count(*) FROM job_runs WHERE job_id = 'tick' AND status = 'running'")
		return n == 0, fmt.Sprint(n)
	})
	twice := dbInt(t, dbURL, `SELECT count(*) FROM (SELECT 1 FROM job_runs WHERE job_id = 'tick' AND scheduled_for IS NOT NULL
		GROUP BY scheduled_for HAVING count(*) > 1) d`)
	finished := dbInt(t, dbURL, "SELECT count(*) FROM job_runs WHERE job_id = 'tick' AND status = 'success'")
	lost := dbInt(t, dbURL, "SELECT count(*) FROM job_runs WHERE job_id = 'tick' AND status = 'error' AND error LIKE 'instance lost%'")
	calls := hook.calls.Load()
	t.Logf("%d kills: %d successful runs, %d lost with their instance, %d webhook calls, %d slots run twice", len(kills), finished, lost, calls, twice)
	if twice != 0 {
		t.Errorf("%d slots ran twice", twice)
	}
	if finished == 0 || calls < finished || calls > finished+lost || lost > int64(len(kills)) {
		t.Errorf("webhook calls %d, finished runs %d, lost %d over %d kills: every call is a finished run, but for one in flight per kill", calls, finished, lost, len(kills))
	}
}
