package main

// Scenarios 23–31 of acceptance.md: several real switchboard processes on
// one fresh PostgreSQL database, driven over HTTP.
//
// | test                         | guards                                                      |
// |------------------------------|-------------------------------------------------------------|
// | startTogether (23)           | migrations and first-start seeding run once under the lock  |
// | oneLeader (24)               | every instance lists the same members and one leader        |
// | neighbourWrite (25)          | a write on A is read on B at once; B's gocron follows       |
// | globalStream (26)            | one order of events, same ids, each once, on every instance |
// | resumeAnywhere (27)          | Last-Event-ID from B resumes on C with exactly what followed |
// | runNowAnywhere (29)          | a run now on any instance runs once; one running run        |
// | providersAcross (30)         | exactly one active provider, never two, seen everywhere     |
// | oneSession (31)              | sessions valid on every instance; sign-out ends them all     |
// | TestClusterFailover (28)     | a slot runs at most once through kill -9 of the leader |

import (
	"flag"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/models/modeltest"
)

var failoverRounds = flag.Int("failover-rounds", 2, "kill -9 rounds of the leader in TestClusterFailover")

func TestCluster(t *testing.T) {
	dbURL := modeltest.PostgresURL(t)
	nodes := startCluster(t, dbURL, 3)
	t.Run("startTogether", func(t *testing.T) { clusterStartTogether(t, dbURL, nodes) })
	t.Run("oneLeader", func(t *testing.T) { clusterOneLeader(t, nodes) })
	t.Run("neighbourWrite", func(t *testing.T) { clusterNeighbourWrite(t, nodes) })
	t.Run("globalStream", func(t *testing.T) { clusterGlobalStream(t, nodes) })
	t.Run("resumeAnywhere", func(t *testing.T) { clusterResumeAnywhere(t, nodes) })
	t.Run("runNowAnywhere", func(t *testing.T) { clusterRunNowAnywhere(t, dbURL, nodes) })
	t.Run("providersAcross", func(t *testing.T) { clusterProvidersAcross(t, nodes) })
	t.Run("oneSession", func(t *testing.T) { clusterOneSession(t, nodes) })
}

func clusterStartTogether(t *testing.T, dbURL string, nodes []*node) {
	for _, n := range nodes {
		waitUntil(t, n.id+" ready", 20*time.Second, func() (bool, string) {
			resp, err := http.Get(n.url + "/readyz")
			if err != nil {
				return false, err.Error()
			}
			resp.Body.Close()
			return resp.StatusCode == 200, resp.Status
		})
	}
	counts := []struct {
		what  string
		query string
		want  int64
	}{
		{"catalogue and built-in jobs", "SELECT count(*) FROM jobs", 8},
		{"first admin", "SELECT count(*) FROM users", 1},
		{"catalogue marker", "SELECT count(*) FROM settings WHERE key = 'internal.catalog_seeded'", 1},
		{"job creations logged", "SELECT count(*) FROM event_log WHERE type = 'job_updated'", 8},
	}
	for _, c := range counts {
		if got := dbInt(t, dbURL, c.query); got != c.want {
			t.Errorf("%s: %d, want exactly %d", c.what, got, c.want)
		}
	}
}

// members returns the ids an instance lists and its leader.
func members(n *node) (ids []string, leader string, leaders int, err error) {
	status, m, err := n.call("GET", "/api/cluster", "")
	if err != nil || status != 200 {
		return nil, "", 0, fmt.Errorf("cluster on %s: %d %v %v", n.id, status, m, err)
	}
	list, _ := m["instances"].([]any)
	for _, raw := range list {
		in, _ := raw.(map[string]any)
		id, _ := in["id"].(string)
		ids = append(ids, id)
		if in["leader"] == true {
			leader, leaders = id, leaders+1
		}
	}
	return ids, leader, leaders, nil
}

func clusterOneLeader(t *testing.T, nodes []*node) {
	want := "node-a,node-b,node-c"
	waitUntil(t, "every instance lists the same three and one leader", 15*time.Second, func() (bool, string) {
		var seen []string
		leaderOf := map[string]bool{}
		for _, n := range nodes {
			ids, leader, leaders, err := members(n)
			if err != nil {
				return false, err.Error()
			}
			seen = append(seen, fmt.Sprintf("%s: %v leader=%s (%d)", n.id, ids, leader, leaders))
			if strings.Join(ids, ",") != want || leaders != 1 {
				return false, strings.Join(seen, "; ")
			}
			leaderOf[leader] = true
		}
		return len(leaderOf) == 1, strings.Join(seen, "; ")
	})
}

func jobState(n *node, id string) (enabled bool, nextRun any, err error) {
	status, m, err := n.call("GET", "/api/scheduler/jobs/"+id, "")
	if err != nil || status != 200 {
		return false, nil, fmt.Errorf("get %s on %s: %d %v", id, n.id, status, err)
	}
	return m["enabled"] == true, m["next_run"], nil
}

func clusterNeighbourWrite(t *testing.T, nodes []*node) {
	a, b := nodes[0], nodes[1]
	for _, step := range []struct {
		action  string
		enabled bool
	}{{"pause", false}, {"resume", true}} {
		if status, m := a.must(t, "POST", "/api/scheduler/jobs/weekly_review/"+step.action, ""); status != 200 {
			t.Fatalf("%s on A: %d %v", step.action, status, m)
		}
		enabled, _, err := jobState(b, "weekly_review")
		if err != nil || enabled != step.enabled {
			t.Fatalf("after %s on A, B reads enabled=%v (%v), want %v in the next request", step.action, enabled, err, step.enabled)
		}
		waitUntil(t, "B's next run follows "+step.action, time.Second, func() (bool, string) {
			_, next, err := jobState(b, "weekly_review")
			return err == nil && (next != nil) == step.enabled, fmt.Sprint(next, err)
		})
	}
}

// settingEvents returns a stream's setting_changed events whose key starts
// with prefix, as id and value.
func settingEvents(s *sseStream, prefix string) (ids []string, values []string) {
	for _, e := range s.named("setting_changed") {
		if strings.Contains(e.data, `"key":"`+prefix) {
			ids = append(ids, e.id)
			i := strings.Index(e.data, `"value":"`)
			values = append(values, strings.TrimSuffix(e.data[i+len(`"value":"`):], `"}`))
		}
	}
	return ids, values
}

func clusterGlobalStream(t *testing.T, nodes []*node) {
	// One change on A reaches B and C under the same id.
	b, c := openStream(t, nodes[1], "/api/stream", ""), openStream(t, nodes[2], "/api/stream", "")
	waitUntil(t, "snapshots", 5*time.Second, func() (bool, string) {
		return len(b.named("snapshot")) == 1 && len(c.named("snapshot")) == 1, ""
	})
	if status, _ := nodes[0].must(t, "PUT", "/api/settings/one.change", `{"value":"from A"}`); status != 200 {
		t.Fatal(status)
	}
	waitUntil(t, "the change on B and C", 5*time.Second, func() (bool, string) {
		ib, _ := settingEvents(b, "one.")
		ic, _ := settingEvents(c, "one.")
		return len(ib) == 1 && len(ic) == 1, fmt.Sprint(ib, ic)
	})
	ib, _ := settingEvents(b, "one.")
	ic, _ := settingEvents(c, "one.")
	if ib[0] != ic[0] || ib[0] == "" {
		t.Fatalf("the same change has ids %q on B and %q on C", ib[0], ic[0])
	}

	// 200 concurrent changes over the three reach 100 clients over the
	// three once each, in one order.
	clients := make([]*sseStream, 100)
	for i := range clients {
		clients[i] = openStream(t, nodes[i%3], "/api/stream", "")
	}
	waitUntil(t, "100 snapshots", 20*time.Second, func() (bool, string) {
		n := 0
		for _, s := range clients {
			n += len(s.named("snapshot"))
		}
		return n == len(clients), fmt.Sprint(n)
	})
	const changes = 200
	start := make(chan struct{})
	var wg sync.WaitGroup
	var failed atomic.Int64
	for i := range changes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			body := fmt.Sprintf(`{"value":"v%03d"}`, i)
			if status, _, err := nodes[i%3].call("PUT", fmt.Sprintf("/api/settings/many.k%d", i%10), body); err != nil || status != 200 {
				failed.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if n := failed.Load(); n > 0 {
		t.Fatalf("%d of %d changes failed", n, changes)
	}
	waitUntil(t, "every client has every change", 30*time.Second, func() (bool, string) {
		for i, s := range clients {
			if ids, _ := settingEvents(s, "many."); len(ids) < changes {
				return false, fmt.Sprintf("client %d has %d", i, len(ids))
			}
		}
		return true, ""
	})
	refIDs, refValues := settingEvents(clients[0], "many.")
	sorted := append([]string(nil), refValues...)
	sort.Strings(sorted)
	for i, v := range sorted {
		if v != fmt.Sprintf("v%03d", i) {
			t.Fatalf("client 0 got values %v, want each of the %d once", sorted, changes)
		}
	}
	for i, s := range clients {
		ids, values := settingEvents(s, "many.")
		if fmt.Sprint(ids) != fmt.Sprint(refIDs) || fmt.Sprint(values) != fmt.Sprint(refValues) {
			t.Fatalf("client %d (on %s) saw another order or other ids than client 0", i, nodes[i%3].id)
		}
		if !increasing(ids) {
			t.Fatalf("client %d: ids not increasing: %v", i, ids)
		}
	}
}

func increasing(ids []string) bool {
	var prev uint64
	for _, s := range ids {
		var id uint64
		if _, err := fmt.Sscan(s, &id); err != nil || id <= prev {
			return false
		}
		prev = id
	}
	return true
}

func clusterResumeAnywhere(t *testing.T, nodes []*node) {
	b := openStream(t, nodes[1], "/api/stream", "")
	if status, _ := nodes[0].must(t, "PUT", "/api/settings/resume.k", `{"value":"seen"}`); status != 200 {
		t.Fatal(status)
	}
	waitUntil(t, "the first change on B", 5*time.Second, func() (bool, string) {
		ids, _ := settingEvents(b, "resume.")
		return len(ids) == 1, fmt.Sprint(ids)
	})
	ids, _ := settingEvents(b, "resume.")
	last := ids[0]
	b.close()
	for i := range 5 {
		if status, _ := nodes[i%3].must(t, "PUT", "/api/settings/resume.k", fmt.Sprintf(`{"value":"missed-%d"}`, i)); status != 200 {
			t.Fatal(status)
		}
	}
	c := openStream(t, nodes[2], "/api/stream", last)
	waitUntil(t, "the missed changes on C", 5*time.Second, func() (bool, string) {
		ids, _ := settingEvents(c, "resume.")
		return len(ids) >= 5, fmt.Sprint(ids)
	})
	evs := c.all()
	if len(evs) == 0 || evs[0].name == "snapshot" || len(c.named("snapshot")) != 0 {
		t.Fatalf("resume on C with Last-Event-ID %s began with %+v, want the missed events and no snapshot", last, evs[:1])
	}
	_, values := settingEvents(c, "resume.")
	if fmt.Sprint(values) != "[missed-0 missed-1 missed-2 missed-3 missed-4]" {
		t.Fatalf("resumed on C: %v, want exactly the five missed changes in order", values)
	}
}
