package handlers_test

import (
	"testing"
)

// A lone instance lists itself as the leader, on either database.
func TestClusterListsThisInstanceAsLeader(t *testing.T) {
	e := newEnv(t, nil)
	status, m := e.do("GET", "/api/cluster", "")
	if status != 200 || m["success"] != true || m["self"] != e.sched.Instance() {
		t.Fatalf("got %d %v, want this instance as self", status, m)
	}
	list, _ := m["instances"].([]any)
	if len(list) != 1 {
		t.Fatalf("instances: %v, want exactly this one", list)
	}
	in := list[0].(map[string]any)
	for _, k := range []string{"id", "leader", "started_at", "last_seen", "last_event_id", "version"} {
		if _, ok := in[k]; !ok {
			t.Errorf("instance has no %q: %v", k, in)
		}
	}
	if in["id"] != e.sched.Instance() || in["leader"] != true {
		t.Fatalf("instance %v, want %s as leader", in, e.sched.Instance())
	}
}
