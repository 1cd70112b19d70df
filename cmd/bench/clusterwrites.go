package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// switchResult is a provider-switch run: activations answered 200, the
// rest, a few of the failures, and each instance's view afterwards.
type switchResult struct {
	ok, failed int64
	elapsed    time.Duration
	lat        latencies // sorted
	samples    []string
}

func (r switchResult) rate() float64 { return float64(r.ok) / r.elapsed.Seconds() }

// clusterProviders are the providers the switches rotate through.
var clusterProviders = [...]string{"anthropic", "openai", "google", "xai"}

// addProviders configures one row per provider and returns their ids.
func addProviders(nodes []*instance) ([]string, error) {
	var ids []string
	for i, name := range clusterProviders {
		body := fmt.Sprintf(`{"provider":%q,"api_key":"bench-key-%s","set_active":true}`, name, name)
		status, m, err := nodes[i%len(nodes)].call("POST", "/api/settings/ai-provider", body)
		if err != nil || status != 200 {
			return nil, fmt.Errorf("add %s: %d %v %v", name, status, m, err)
		}
		ids = append(ids, fmt.Sprint(m["id"]))
	}
	return ids, nil
}

// measureSwitches runs writers concurrently for d, writer w on instance
// w mod n, each activating the next provider of ids round robin.
func measureSwitches(nodes []*instance, ids []string, writers int, d time.Duration) (switchResult, error) {
	var next atomic.Int64
	var mu sync.Mutex
	res := switchResult{}
	deadline := time.Now().Add(d)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			node := nodes[w%len(nodes)]
			var lat latencies
			var ok, failed int64
			var samples []string
			<-start
			for time.Now().Before(deadline) {
				id := ids[int(next.Add(1))%len(ids)]
				t0 := time.Now()
				status, m, err := node.call("POST", "/api/settings/ai-provider/"+id+"/activate", "")
				lat = append(lat, time.Since(t0))
				if err == nil && status == 200 {
					ok++
					continue
				}
				failed++
				if len(samples) < 3 {
					samples = append(samples, fmt.Sprintf("%s: %d %v %v", node.id, status, m, err))
				}
			}
			mu.Lock()
			res.ok, res.failed = res.ok+ok, res.failed+failed
			res.lat = append(res.lat, lat...)
			if len(res.samples) < 5 {
				res.samples = append(res.samples, samples...)
			}
			mu.Unlock()
		}()
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	res.elapsed = time.Since(t0)
	res.lat = res.lat.sorted()
	return res, nil
}

// add merges another run of the same writers into r.
func (r *switchResult) add(o switchResult) {
	r.ok, r.failed, r.elapsed = r.ok+o.ok, r.failed+o.failed, r.elapsed+o.elapsed
	r.lat = append(r.lat, o.lat...).sorted()
	r.samples = append(r.samples, o.samples...)
}

// checkActive reads the providers on every instance: each must list
// exactly one active, the same.
func checkActive(nodes []*instance) (seen []string, agree bool, err error) {
	agree = true
	first := ""
	for _, n := range nodes {
		count, name, err := activeOn(n)
		if err != nil {
			return seen, false, err
		}
		seen = append(seen, fmt.Sprintf("%d (%s)", count, name))
		if first == "" {
			first = name
		}
		if count != 1 || name != first {
			agree = false
		}
	}
	return seen, agree, nil
}

// activeOn counts the active providers instance n lists.
func activeOn(n *instance) (int, string, error) {
	status, m, err := n.call("GET", "/api/settings/ai-providers?page_size=100", "")
	if err != nil || status != 200 {
		return 0, "", fmt.Errorf("providers on %s: %d %v", n.id, status, err)
	}
	count, name := 0, ""
	list, _ := m["data"].([]any)
	for _, raw := range list {
		p, _ := raw.(map[string]any)
		if p["is_active"] == true {
			count, name = count+1, fmt.Sprint(p["name"])
		}
	}
	return count, name, nil
}

// rawResult is the baseline: single-row transactions straight on the
// PostgreSQL server.
type rawResult struct {
	ok, failed int64
	elapsed    time.Duration
}

func (r rawResult) rate() float64 { return float64(r.ok) / r.elapsed.Seconds() }

// rawBench is the baseline: writers goroutines, each on its own pgx
// connection, doing BEGIN; UPDATE one row; COMMIT, the same row for all,
// as every switch changes the one active provider.
type rawBench struct {
	conns   []*pgx.Conn
	version string
}

func openRaw(dbURL string, writers int) (*rawBench, error) {
	ctx := context.Background()
	b := &rawBench{}
	for range writers {
		c, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			b.close()
			return nil, err
		}
		b.conns = append(b.conns, c)
	}
	if err := b.conns[0].QueryRow(ctx, "SHOW server_version").Scan(&b.version); err != nil {
		b.close()
		return nil, err
	}
	if _, err := b.conns[0].Exec(ctx, `CREATE TABLE IF NOT EXISTS bench_raw (k int PRIMARY KEY, v bigint NOT NULL);
		INSERT INTO bench_raw VALUES (1, 0) ON CONFLICT DO NOTHING`); err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

func (b *rawBench) close() {
	for _, c := range b.conns {
		c.Close(context.Background())
	}
}

// run uses the first writers connections for d.
func (b *rawBench) run(writers int, d time.Duration) rawResult {
	ctx := context.Background()
	var ok, failed atomic.Int64
	deadline := time.Now().Add(d)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, c := range b.conns[:writers] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for time.Now().Before(deadline) {
				err := pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
					_, err := tx.Exec(ctx, "UPDATE bench_raw SET v = v + 1 WHERE k = 1")
					return err
				})
				if err != nil {
					failed.Add(1)
				} else {
					ok.Add(1)
				}
			}
		}()
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	return rawResult{ok: ok.Load(), failed: failed.Load(), elapsed: time.Since(t0)}
}

func (r *rawResult) add(o rawResult) {
	r.ok, r.failed, r.elapsed = r.ok+o.ok, r.failed+o.failed, r.elapsed+o.elapsed
}

func joinOr(s []string, none string) string {
	if len(s) == 0 {
		return none
	}
	return strings.Join(s, "; ")
}
