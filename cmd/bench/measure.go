package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// table is one Markdown table of the report.
type table struct {
	head []string
	rows [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(w io.Writer) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(t.head, " | "))
	fmt.Fprintf(w, "|%s\n", strings.Repeat("---|", len(t.head)))
	for _, r := range t.rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
	}
	fmt.Fprintln(w)
}

// ratio is ours over the baseline's, the figure the report is read by: the
// machines are shared, so absolute numbers move from run to run and ratios
// much less.
func ratio(ours, base float64) string {
	if base == 0 {
		return "n/a"
	}
	r := ours / base
	switch {
	case r >= 100:
		return fmt.Sprintf("%.0f×", r)
	case r >= 10:
		return fmt.Sprintf("%.1f×", r)
	}
	return fmt.Sprintf("%.2f×", r)
}

func ms(d time.Duration) string {
	switch {
	case d >= 100*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.0f µs", float64(d)/1e3)
}

// met marks a figure against its target from the issue.
func met(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

// latencies is a sorted sample of durations.
type latencies []time.Duration

func (l latencies) sorted() latencies {
	s := slices.Clone(l)
	slices.Sort(s)
	return s
}

// q is the p-quantile of a sorted sample (nearest rank).
func (l latencies) q(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	return l[min(len(l)-1, int(p*float64(len(l))))]
}

// loadResult is what a closed-loop load run measured.
type loadResult struct {
	requests int
	elapsed  time.Duration
	lat      latencies // sorted
	byStatus map[int]int
}

func (r loadResult) rate() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// non2xx counts answers outside 2xx, transport errors (status 0) included,
// except the statuses named as expected.
func (r loadResult) non2xx(expected ...int) int {
	n := 0
	for code, c := range r.byStatus {
		if (code < 200 || code > 299) && !slices.Contains(expected, code) {
			n += c
		}
	}
	return n
}

// request builds the i-th request of worker w.
type request func(w, i int) (method, path, body string)

// closedLoop keeps conns requests in flight for d against base: each worker
// sends its next request when the previous answer has been read, so the
// rate measures the server, not a fixed arrival schedule.
func closedLoop(base, token string, conns int, d time.Duration, next request) loadResult {
	client := &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true},
		Timeout:   10 * time.Second,
	}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	res := loadResult{byStatus: map[int]int{}}
	var wg sync.WaitGroup
	start := time.Now()
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat latencies
			codes := map[int]int{}
			for i := 0; ctx.Err() == nil; i++ {
				method, path, body := next(w, i)
				code, took := send(client, base, token, method, path, body)
				if ctx.Err() != nil && code == 0 {
					break // cut off by the end of the run, not an error
				}
				lat = append(lat, took)
				codes[code]++
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			for c, n := range codes {
				res.byStatus[c] += n
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.requests = len(res.lat)
	res.lat = res.lat.sorted()
	return res
}

func send(c *http.Client, base, token, method, path, body string) (int, time.Duration) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, r)
	if err != nil {
		return 0, 0
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	t0 := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return 0, time.Since(t0)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, time.Since(t0)
}
