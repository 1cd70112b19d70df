package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// hookServer is the webhook target: it counts calls, notes when each
// arrived, and holds each for hold so a kill can land mid-run.
type hookServer struct {
	srv      *httptest.Server
	mu       sync.Mutex
	calls    []time.Time
	inFlight int
}

func newHookServer(hold time.Duration) *hookServer {
	h := &hookServer{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.calls = append(h.calls, time.Now())
		h.inFlight++
		h.mu.Unlock()
		select {
		case <-time.After(hold):
		case <-r.Context().Done():
		}
		h.mu.Lock()
		h.inFlight--
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	return h
}

// state is the number of calls so far and how many are under way.
func (h *hookServer) state() (calls, inFlight int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.calls), h.inFlight
}

// firstAfter is the first call after t.
func (h *hookServer) firstAfter(t time.Time) (time.Time, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.calls {
		if c.After(t) {
			return c, true
		}
	}
	return time.Time{}, false
}

// failoverRound is one kill of the leader.
type failoverRound struct {
	killed string
	midRun bool
	toRun  time.Duration // kill to the next run's started_at, skipped slots aside; -1 if none came
	toCall time.Duration // kill to the webhook's next call; -1 if none came
	toSlot time.Duration // kill to the next row in job_runs, a skipped slot included
	skips  int64         // slots skipped between the kill and that run
	by     string        // the instance that ran the next run
}

type failoverResult struct {
	rounds                               []failoverRound
	twice                                int64
	runs, success, lost, failed, skipped int64
	others                               int64
	skipReasons                          []string
	calls                                int
}

// failoverJob is the job the section schedules every 2 s.
const failoverJob = "bench_tick"

// measureFailover schedules a webhook job every 2 s, then kills the leader
// with SIGKILL kills times (every other time while a call is under way),
// measures the time to the next run, and starts a replacement each time.
// It hands every instance it starts to started, and returns those alive at
// the end.
func measureFailover(bin, dbURL string, nodes []*instance, kills int, started func(*instance)) (failoverResult, []*instance, error) {
	hook := newHookServer(200 * time.Millisecond)
	defer hook.srv.Close()
	alive := append([]*instance(nil), nodes...)
	res := failoverResult{}
	body := `{"id":"` + failoverJob + `","name":"Bench tick","kind":"webhook","config":{"url":"` + hook.srv.URL + `"},"trigger":"interval","seconds":2}`
	if status, m, err := alive[0].call("POST", "/api/scheduler/jobs", body); err != nil || status != 201 {
		return res, alive, fmt.Errorf("create the job: %d %v %v", status, m, err)
	}
	ctx := context.Background()
	db, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return res, alive, err
	}
	defer db.Close(ctx)
	for round := range kills {
		progress(fmt.Sprintf("cluster: failover round %d of %d", round+1, kills))
		leader, err := waitLeader(alive)
		if err != nil {
			return res, alive, fmt.Errorf("round %d: %w", round+1, err)
		}
		r := failoverRound{killed: leader.id, midRun: round%2 == 0}
		if err := waitMoment(hook, r.midRun); err != nil {
			return res, alive, fmt.Errorf("round %d: %w", round+1, err)
		}
		killed := time.Now()
		leader.kill()
		var survivors []*instance
		for _, n := range alive {
			if n != leader {
				survivors = append(survivors, n)
			}
		}
		r.toRun, r.toCall, r.toSlot = -1, -1, -1
		for deadline := killed.Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			var started time.Time
			err := db.QueryRow(ctx, "SELECT started_at, instance FROM job_runs WHERE job_id = $1 AND started_at > $2 AND status <> 'skipped' ORDER BY started_at LIMIT 1",
				failoverJob, killed).Scan(&started, &r.by)
			if errors.Is(err, pgx.ErrNoRows) {
				continue
			}
			if err != nil {
				return res, alive, err
			}
			r.toRun = started.Sub(killed)
			var first time.Time
			err = db.QueryRow(ctx, "SELECT min(started_at), count(*) FILTER (WHERE status = 'skipped') FROM job_runs WHERE job_id = $1 AND started_at > $2 AND started_at <= $3",
				failoverJob, killed, started).Scan(&first, &r.skips)
			if err != nil {
				return res, alive, err
			}
			r.toSlot = first.Sub(killed)
			break
		}
		// The webhook's call follows the run's start by the time to claim
		// and start the request.
		for deadline := time.Now().Add(5 * time.Second); r.toRun >= 0 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if c, ok := hook.firstAfter(killed); ok {
				r.toCall = c.Sub(killed)
				break
			}
		}
		res.rounds = append(res.rounds, r)
		repl, err := startInstance(bin, dbURL, fmt.Sprintf("cluster-r%02d", round+1))
		if err != nil {
			return res, survivors, err
		}
		started(repl)
		alive = append(survivors, repl)
	}
	// Stop the job and let what runs finish before counting.
	if status, m, err := alive[0].call("POST", "/api/scheduler/jobs/"+failoverJob+"/pause", ""); err != nil || status != 200 {
		return res, alive, fmt.Errorf("pause the job: %d %v %v", status, m, err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var running int64
		if err := db.QueryRow(ctx, "SELECT count(*) FROM job_runs WHERE job_id = $1 AND status = 'running'", failoverJob).Scan(&running); err != nil {
			return res, alive, err
		}
		if _, inFlight := hook.state(); running == 0 && inFlight == 0 {
			break
		}
		if time.Now().After(deadline) {
			return res, alive, fmt.Errorf("%d runs still under way 20 s after pausing the job", running)
		}
	}
	err = db.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM job_runs WHERE scheduled_for IS NOT NULL
		GROUP BY job_id, scheduled_for HAVING count(*) > 1) d`).Scan(&res.twice)
	if err != nil {
		return res, alive, err
	}
	err = db.QueryRow(ctx, `SELECT count(*),
		count(*) FILTER (WHERE status = 'success'),
		count(*) FILTER (WHERE status = 'error' AND error LIKE 'instance lost%'),
		count(*) FILTER (WHERE status = 'error' AND error NOT LIKE 'instance lost%'),
		count(*) FILTER (WHERE status = 'skipped'),
		count(*) FILTER (WHERE status NOT IN ('success', 'error', 'skipped'))
		FROM job_runs WHERE job_id = $1`, failoverJob).Scan(&res.runs, &res.success, &res.lost, &res.failed, &res.skipped, &res.others)
	if err != nil {
		return res, alive, err
	}
	rows, err := db.Query(ctx, "SELECT result_summary || ' (' || count(*) || ')' FROM job_runs WHERE job_id = $1 AND status = 'skipped' GROUP BY result_summary ORDER BY count(*) DESC", failoverJob)
	if err != nil {
		return res, alive, err
	}
	if res.skipReasons, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return res, alive, err
	}
	res.calls, _ = hook.state()
	return res, alive, nil
}

// waitLeader asks the instances for the cluster until exactly one leader
// is listed, it is one of them, and every one of them is listed.
func waitLeader(alive []*instance) (*instance, error) {
	last := ""
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		status, m, err := alive[len(alive)-1].call("GET", "/api/cluster", "")
		if err != nil || status != 200 {
			last = fmt.Sprint(status, err)
			continue
		}
		listed := map[string]bool{}
		leaders := []string{}
		list, _ := m["instances"].([]any)
		for _, raw := range list {
			in, _ := raw.(map[string]any)
			id, _ := in["id"].(string)
			listed[id] = true
			if in["leader"] == true {
				leaders = append(leaders, id)
			}
		}
		last = fmt.Sprintf("leaders %v, listed %v", leaders, listed)
		if len(leaders) != 1 {
			continue
		}
		var leader *instance
		all := true
		for _, n := range alive {
			all = all && listed[n.id]
			if n.id == leaders[0] {
				leader = n
			}
		}
		if leader != nil && all {
			return leader, nil
		}
	}
	return nil, fmt.Errorf("no single leader among the live instances within 30 s (last: %s)", last)
}

// waitMoment waits for the moment to kill: while a call is under way, or
// some time between two runs.
func waitMoment(hook *hookServer, midRun bool) error {
	calls0, _ := hook.state()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		calls, inFlight := hook.state()
		if calls == calls0 {
			continue // a fresh run of this leader's first
		}
		if midRun && inFlight > 0 {
			return nil
		}
		if !midRun && inFlight == 0 {
			time.Sleep(time.Duration(rand.Int64N(int64(1500 * time.Millisecond)))) // somewhere in the 1.8 s gap
			return nil
		}
	}
	return fmt.Errorf("the job did not run within 15 s")
}
