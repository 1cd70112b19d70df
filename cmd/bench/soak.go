package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// soakOptions size a soak run.
type soakOptions struct {
	duration, sample time.Duration
	clients, conns   int
	rate             float64
}

// soakMain runs the real binary under mixed API load with many live
// clients, samples its memory and goroutines, and checks at the end that
// nothing grew, no request failed with a 5xx, and every client's view is
// what the API says. It prints a Markdown report and fails when a check
// does.
func soakMain(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	o := soakOptions{}
	fs.DurationVar(&o.duration, "duration", 10*time.Minute, "length of the load")
	fs.DurationVar(&o.sample, "sample", 10*time.Second, "interval between samples of the server's metrics")
	fs.IntVar(&o.clients, "clients", 1000, "live /api/stream clients")
	fs.IntVar(&o.conns, "conns", 16, "connections sending API requests")
	fs.Float64Var(&o.rate, "rate", 200, "API requests per second across all connections")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "switchboard-soak")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	progress("soak: building the server")
	bin, _, err := buildBinaries(dir)
	if err != nil {
		return err
	}
	p, err := startProcess(bin, []string{"-addr", "127.0.0.1:0", "-metrics-addr", "127.0.0.1:0", "-db", dir + "/soak.db"},
		[]string{"SWITCHBOARD_API_TOKEN=" + token, "SWITCHBOARD_ADMIN_PASSWORD=soak password 123", "SWITCHBOARD_LOG_LEVEL=warn"})
	if err != nil {
		return err
	}
	defer p.stop()
	r, err := soak(p, o)
	if err != nil {
		return err
	}
	r.write(stdout, o)
	if failed := r.failures(); len(failed) > 0 {
		return fmt.Errorf("soak failed: %s", strings.Join(failed, "; "))
	}
	return nil
}

// sample is one reading of the server's own metrics.
type sample struct {
	at                     time.Duration
	goroutines, heap, rss  float64
	streams, slow          float64
	requests, serverErrors int64
}

func soak(p *process, o soakOptions) (*soakResult, error) {
	ctx := context.Background()
	progress("soak: creating jobs and providers")
	for i := range 43 {
		body := fmt.Sprintf(`{"id":"soak-%02d","name":"Soak %d","kind":"webhook","config":{"url":"http://127.0.0.1:1/"},"trigger":"cron","hour":%d,"minute":%d}`, i, i, i%24, (i*7)%60)
		if code, b, _, err := fetch(p.url, "POST", "/api/scheduler/jobs", body); err != nil || code != 201 {
			return nil, fmt.Errorf("create job %d: %d %s %v", i, code, b, err)
		}
	}
	var providerIDs []int64
	for _, name := range []string{"anthropic", "openai", "xai"} {
		code, b, _, err := fetch(p.url, "POST", "/api/settings/ai-provider", fmt.Sprintf(`{"provider":%q,"api_key":"sk-soak-%s-0000"}`, name, name))
		var res struct{ ID int64 }
		if err != nil || code != 200 || json.Unmarshal(b, &res) != nil {
			return nil, fmt.Errorf("add provider %s: %d %s %v", name, code, b, err)
		}
		providerIDs = append(providerIDs, res.ID)
	}

	progress(fmt.Sprintf("soak: connecting %d live clients", o.clients))
	host := strings.TrimPrefix(p.url, "http://")
	viewers := make([]*viewer, 0, o.clients)
	defer func() {
		for _, v := range viewers {
			v.close()
		}
	}()
	for range o.clients {
		v, err := dialViewer(host)
		if err != nil {
			return nil, err
		}
		viewers = append(viewers, v)
	}
	if err := waitUntil(30*time.Second, func() bool {
		for _, v := range viewers {
			if v.eventCount() == 0 {
				return false
			}
		}
		return true
	}); err != nil {
		return nil, fmt.Errorf("clients' snapshots: %w", err)
	}

	metricsURL := ""
	for _, l := range p.lines {
		if _, rest, ok := strings.Cut(l, "Metrics on "); ok {
			metricsURL = strings.TrimSpace(rest)
		}
	}
	if metricsURL == "" {
		return nil, errors.New("the server printed no metrics address")
	}
	res := &soakResult{byStatus: map[string]map[int]int64{}, judgeFlatness: o.duration >= minFlatness}
	loadCtx, stopLoad := context.WithTimeout(ctx, o.duration)
	defer stopLoad()
	limiter := rate.NewLimiter(rate.Limit(o.rate), 1)
	ops := soakOps(providerIDs)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.conns}, Timeout: 30 * time.Second}
	var wg sync.WaitGroup
	progress(fmt.Sprintf("soak: %s of mixed load at %.0f requests/s", o.duration, o.rate))
	start := time.Now()
	for w := range o.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(w), 7))
			for limiter.Wait(loadCtx) == nil {
				op := pick(ops, rnd)
				method, path, body := op.req(rnd)
				code, _ := send(client, p.url, token, method, path, body)
				res.count(op.name, code)
			}
		}()
	}
	tick := time.NewTicker(o.sample)
	defer tick.Stop()
	for done := false; !done; {
		select {
		case <-tick.C:
		case <-loadCtx.Done():
			done = true
		}
		s, err := scrape(metricsURL)
		if err != nil {
			return nil, err
		}
		s.at = time.Since(start)
		s.requests, s.serverErrors = res.totals()
		res.samples = append(res.samples, s)
	}
	wg.Wait()

	progress("soak: comparing every client's view with the API")
	res.mismatch, res.lastDiff = compareViews(p.url, viewers, 60*time.Second)
	for _, v := range viewers {
		v.mu.Lock()
		if v.problem != "" {
			res.broken++
			res.lastProblem = v.problem
		}
		if v.ended != nil {
			res.ended++
		}
		res.events += int64(v.events)
		v.mu.Unlock()
	}
	return res, nil
}

func (v *viewer) eventCount() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.events
}

// compareViews waits until every client's view equals the API's, re-reading
// the API each time (scheduled runs may still change it), and returns how
// many clients differ when the deadline passes.
func compareViews(base string, viewers []*viewer, within time.Duration) (differ int, diff string) {
	_ = waitUntil(within, func() bool {
		jobs, providers, err := apiView(base)
		if err != nil {
			differ, diff = len(viewers), err.Error()
			return false
		}
		differ, diff = 0, ""
		for _, v := range viewers {
			vj, vp := v.view()
			if d := viewDiff(jobs, providers, vj, vp); d != "" {
				differ, diff = differ+1, d
			}
		}
		return differ == 0
	})
	return differ, diff
}

func viewDiff(jobs map[string]string, providers string, vj map[string]string, vp string) string {
	if vp != providers {
		return "providers differ"
	}
	if len(vj) != len(jobs) {
		return fmt.Sprintf("%d jobs, the API has %d", len(vj), len(jobs))
	}
	for id, j := range jobs {
		if vj[id] != j {
			return fmt.Sprintf("job %s: client has %s, API has %s", id, vj[id], j)
		}
	}
	return ""
}

func apiView(base string) (map[string]string, string, error) {
	code, b, _, err := fetch(base, "GET", "/api/scheduler/jobs", "")
	if err != nil || code != 200 {
		return nil, "", fmt.Errorf("list jobs: %d %v", code, err)
	}
	var list struct{ Jobs []json.RawMessage }
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, "", err
	}
	jobs := map[string]string{}
	for _, j := range list.Jobs {
		jobs[jobID(j)] = canonical(string(j))
	}
	code, b, _, err = fetch(base, "GET", "/api/settings/ai-providers?page_size=100", "")
	if err != nil || code != 200 {
		return nil, "", fmt.Errorf("list providers: %d %v", code, err)
	}
	var ps struct{ Data json.RawMessage }
	if err := json.Unmarshal(b, &ps); err != nil {
		return nil, "", err
	}
	return jobs, canonical(string(ps.Data)), nil
}

// scrape reads the figures a soak follows from the Prometheus text format.
func scrape(url string) (sample, error) {
	resp, err := http.Get(url)
	if err != nil {
		return sample{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return sample{}, err
	}
	var s sample
	for _, line := range strings.Split(string(b), "\n") {
		name, value, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			continue
		}
		switch name {
		case "go_goroutines":
			s.goroutines = f
		case "go_memstats_heap_inuse_bytes":
			s.heap = f
		case "switchboard_sse_slow_disconnects_total":
			s.slow = f
		case "process_resident_memory_bytes":
			s.rss = f
		case "switchboard_sse_clients":
			s.streams = f
		}
	}
	if s.goroutines == 0 || s.heap == 0 {
		return s, fmt.Errorf("metrics at %s lack go_goroutines or go_memstats_heap_inuse_bytes", url)
	}
	return s, nil
}

func waitUntil(within time.Duration, cond func() bool) error {
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("not within %s", within)
		}
		time.Sleep(50 * time.Millisecond) // poll a condition with a deadline
	}
	return nil
}
