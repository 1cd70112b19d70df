// Command loadgen runs a bounded mixed read/write load against a fresh
// Switchboard on loopback and prints the result as Markdown.
//
//	go run ./cmd/loadgen -duration 30s -conns 64
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"switchboard/handlers"
	"switchboard/hub"
	"switchboard/models"
	"switchboard/scheduler"
)

const token = "loadgen-token-0123456789"

func main() {
	duration := flag.Duration("duration", 30*time.Second, "how long to send requests")
	conns := flag.Int("conns", 64, "concurrent connections")
	flag.Parse()
	if err := run(*duration, *conns); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

type result struct {
	op      string
	status  int
	latency time.Duration
}

func run(duration time.Duration, conns int) error {
	dir, err := os.MkdirTemp("", "loadgen")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	url, stop, err := startServer(filepath.Join(dir, "load.db"))
	if err != nil {
		return err
	}
	defer stop()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}, Timeout: 10 * time.Second}
	ops := []struct {
		name   string
		weight int
		req    func(r *rand.Rand) (string, string, string)
	}{
		{"GET list", 60, func(*rand.Rand) (string, string, string) { return "GET", "/api/scheduler/jobs", "" }},
		{"GET job", 15, func(r *rand.Rand) (string, string, string) {
			return "GET", fmt.Sprintf("/api/scheduler/jobs/job-%02d", r.IntN(43)), ""
		}},
		{"POST pause/resume", 10, func(r *rand.Rand) (string, string, string) {
			action := []string{"pause", "resume"}[r.IntN(2)]
			return "POST", fmt.Sprintf("/api/scheduler/jobs/job-%02d/%s", r.IntN(43), action), ""
		}},
		{"PUT schedule", 10, func(r *rand.Rand) (string, string, string) {
			return "PUT", fmt.Sprintf("/api/scheduler/jobs/job-%02d/schedule", r.IntN(43)), fmt.Sprintf(`{"trigger":"interval","minutes":%d}`, r.IntN(500)+1)
		}},
		{"POST trigger", 5, func(r *rand.Rand) (string, string, string) {
			return "POST", fmt.Sprintf("/api/scheduler/jobs/%s/trigger", []string{"morning_briefing", "daily_summary"}[r.IntN(2)]), ""
		}},
	}
	var mu sync.Mutex
	var all []result
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	var wg sync.WaitGroup
	start := time.Now()
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 42))
			var mine []result
			for ctx.Err() == nil {
				pick := r.IntN(100)
				for _, op := range ops {
					if pick -= op.weight; pick < 0 {
						method, path, body := op.req(r)
						status, lat := send(client, url, method, path, body)
						if ctx.Err() == nil || status != 0 {
							mine = append(mine, result{op.name, status, lat})
						}
						break
					}
				}
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	report(os.Stdout, all, elapsed, conns)
	return nil
}

func send(c *http.Client, url, method, path, body string) (int, time.Duration) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url+path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	t0 := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return 0, time.Since(t0)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, time.Since(t0)
}

func report(w io.Writer, all []result, elapsed time.Duration, conns int) {
	byOp := map[string][]result{}
	for _, r := range all {
		byOp[r.op] = append(byOp[r.op], r)
	}
	fmt.Fprintf(w, "Loopback load: %d connections for %s, %d requests, %.0f req/s\n\n", conns, elapsed.Round(time.Millisecond), len(all), float64(len(all))/elapsed.Seconds())
	fmt.Fprintln(w, "| operation | requests | req/s | p50 | p99 | max | 2xx | 409 | other non-2xx |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	names := make([]string, 0, len(byOp))
	for k := range byOp {
		names = append(names, k)
	}
	slices.Sort(names)
	names = append(names, "all")
	byOp["all"] = all
	for _, name := range names {
		rs := byOp[name]
		lat := make([]time.Duration, len(rs))
		ok, conflict, other := 0, 0, 0
		for i, r := range rs {
			lat[i] = r.latency
			switch {
			case r.status >= 200 && r.status < 300:
				ok++
			case r.status == 409:
				conflict++
			default:
				other++
			}
		}
		slices.Sort(lat)
		q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
		fmt.Fprintf(w, "| %s | %d | %.0f | %s | %s | %s | %d | %d | %d |\n", name, len(rs), float64(len(rs))/elapsed.Seconds(),
			q(0.50).Round(time.Microsecond), q(0.99).Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond), ok, conflict, other)
	}
}

// startServer wires a server exactly as cmd/switchboard does, with the
// catalogue and 43 webhook jobs (50 in all), on 127.0.0.1.
func startServer(dbPath string) (string, func(), error) {
	store, err := models.OpenSQLite(dbPath)
	if err != nil {
		return "", nil, err
	}
	log := slog.New(slog.DiscardHandler)
	sched, err := scheduler.New(store, models.DefaultTimezone, scheduler.WithLogger(log))
	if err != nil {
		return "", nil, err
	}
	ctx := context.Background()
	if err := sched.SeedCatalog(ctx); err != nil {
		return "", nil, err
	}
	if err := sched.Start(ctx); err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: handlers.New(handlers.Deps{Store: store, Scheduler: sched, Hub: hub.New(256, 1024, 1), Log: log}, handlers.Config{APIToken: token}).Routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	c := &http.Client{Timeout: 10 * time.Second}
	for i := range 43 {
		body := fmt.Sprintf(`{"id":"job-%02d","name":"Job %d","kind":"webhook","config":{"url":"http://127.0.0.1:1/"},"trigger":"interval","minutes":%d}`, i, i, 60+i)
		req, _ := http.NewRequest("POST", url+"/api/scheduler/jobs", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := c.Do(req)
		if err != nil {
			return "", nil, err
		}
		resp.Body.Close()
		if resp.StatusCode != 201 {
			return "", nil, fmt.Errorf("create job-%02d: %d", i, resp.StatusCode)
		}
	}
	stop := func() {
		_ = srv.Shutdown(context.Background())
		_ = sched.Close(context.Background())
		store.Close()
	}
	return url, stop, nil
}
