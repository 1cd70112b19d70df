package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// soakOp is one kind of request of the mixed load.
type soakOp struct {
	name   string
	weight int
	req    func(r *rand.Rand) (method, path, body string)
}

// soakOps is the mix: mostly reads, and every kind of write an operator or
// a script makes, on jobs that the load shares so that writes collide.
func soakOps(providerIDs []int64) []soakOp {
	job := func(r *rand.Rand) string { return fmt.Sprintf("soak-%02d", r.IntN(43)) }
	return []soakOp{
		{"list jobs", 35, func(*rand.Rand) (string, string, string) { return "GET", "/api/scheduler/jobs", "" }},
		{"get job", 10, func(r *rand.Rand) (string, string, string) { return "GET", "/api/scheduler/jobs/" + job(r), "" }},
		{"list providers", 5, func(*rand.Rand) (string, string, string) { return "GET", "/api/settings/ai-providers", "" }},
		{"history", 5, func(*rand.Rand) (string, string, string) { return "GET", "/api/scheduler/history?limit=20", "" }},
		{"pause", 10, func(r *rand.Rand) (string, string, string) {
			return "POST", "/api/scheduler/jobs/" + job(r) + "/pause", fmt.Sprintf(`{"reason":"soak %d"}`, r.IntN(1000))
		}},
		{"resume", 10, func(r *rand.Rand) (string, string, string) {
			return "POST", "/api/scheduler/jobs/" + job(r) + "/resume", ""
		}},
		{"reschedule", 10, func(r *rand.Rand) (string, string, string) {
			return "PUT", "/api/scheduler/jobs/" + job(r) + "/schedule", fmt.Sprintf(`{"trigger":"interval","minutes":%d}`, 30+r.IntN(500))
		}},
		{"run now", 5, func(r *rand.Rand) (string, string, string) {
			return "POST", "/api/scheduler/jobs/" + job(r) + "/trigger", ""
		}},
		{"set a setting", 5, func(r *rand.Rand) (string, string, string) {
			return "PUT", "/api/settings/ui.soak", fmt.Sprintf(`{"value":"%d"}`, r.IntN(1e6))
		}},
		{"switch provider", 5, func(r *rand.Rand) (string, string, string) {
			return "POST", fmt.Sprintf("/api/settings/ai-provider/%d/activate", providerIDs[r.IntN(len(providerIDs))]), ""
		}},
	}
}

func pick(ops []soakOp, r *rand.Rand) soakOp {
	total := 0
	for _, op := range ops {
		total += op.weight
	}
	n := r.IntN(total)
	for _, op := range ops {
		if n -= op.weight; n < 0 {
			return op
		}
	}
	return ops[len(ops)-1]
}

// soakResult is what a soak saw.
type soakResult struct {
	mu       sync.Mutex
	byStatus map[string]map[int]int64 // op → status → count

	samples     []sample
	mismatch    int    // clients whose final view differs from the API
	lastDiff    string // one such difference
	broken      int    // clients that saw an event twice, out of order, or malformed
	lastProblem string
	ended       int // streams the server ended before the soak did
	events      int64
	// judgeFlatness: growth means something only over minutes; a short
	// soak (the harness's own test) checks everything else.
	judgeFlatness bool
}

const minFlatness = time.Minute

func (r *soakResult) count(op string, code int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byStatus[op] == nil {
		r.byStatus[op] = map[int]int64{}
	}
	r.byStatus[op][code]++
}

// totals are the requests so far and those that failed on the server's
// side: a 5xx, or no answer at all.
func (r *soakResult) totals() (requests, serverErrors int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, codes := range r.byStatus {
		for code, n := range codes {
			requests += n
			if code >= 500 || code == 0 {
				serverErrors += n
			}
		}
	}
	return requests, serverErrors
}

// growth compares the first and last thirds of the samples after the first
// fifth (warm-up): the peak of each third, since a garbage-collected heap
// saws between collections and only its peaks trend.
func (r *soakResult) growth(of func(sample) float64) (first, last float64, ok bool) {
	s := r.samples[len(r.samples)/5:]
	if len(s) < 3 {
		return 0, 0, false
	}
	third := len(s) / 3
	peak := func(part []sample) float64 {
		m := 0.0
		for _, x := range part {
			m = max(m, of(x))
		}
		return m
	}
	return peak(s[:third]), peak(s[len(s)-third:]), true
}

// flatness limits: a fifth more at the peak, plus a floor that absorbs
// requests in flight at the moment of a sample.
var flatness = [...]struct {
	name  string
	of    func(sample) float64
	slack float64
	unit  float64
}{
	{"goroutines", func(s sample) float64 { return s.goroutines }, 40, 1},
	{"Go heap in use", func(s sample) float64 { return s.heap }, 4 << 20, 1 << 20},
	{"resident memory", func(s sample) float64 { return s.rss }, 8 << 20, 1 << 20},
}

func (r *soakResult) failures() []string {
	var out []string
	if _, bad := r.totals(); bad > 0 {
		out = append(out, fmt.Sprintf("%d requests got a 5xx or no answer", bad))
	}
	for _, f := range flatness {
		first, last, ok := r.growth(f.of)
		switch {
		case !r.judgeFlatness:
		case !ok:
			out = append(out, "too few samples to judge "+f.name)
		case last > first*1.2+f.slack:
			out = append(out, fmt.Sprintf("%s grew from %.0f to %.0f", f.name, first/f.unit, last/f.unit))
		}
	}
	if r.mismatch > 0 {
		out = append(out, fmt.Sprintf("%d clients' views differ from the API (%s)", r.mismatch, r.lastDiff))
	}
	if r.broken > 0 {
		out = append(out, fmt.Sprintf("%d clients saw a broken event sequence (%s)", r.broken, r.lastProblem))
	}
	if r.ended > 0 {
		out = append(out, fmt.Sprintf("%d streams ended early", r.ended))
	}
	return out
}

func (r *soakResult) write(w io.Writer, o soakOptions) {
	fmt.Fprintf(w, "# Switchboard soak\n\n%s of mixed API load at %.0f requests/s over %d connections, with %d live "+
		"/api/stream clients, against the built binary on 127.0.0.1. Server figures come from its /metrics.\n\n",
		o.duration, o.rate, o.conns, o.clients)
	t := table{head: []string{"at", "goroutines", "Go heap in use", "RSS", "stream clients", "slow drops", "requests", "5xx or no answer"}}
	for _, s := range r.samples {
		t.add(s.at.Round(time.Second).String(), fmt.Sprintf("%.0f", s.goroutines), fmt.Sprintf("%.1f MB", s.heap/1e6),
			fmt.Sprintf("%.1f MB", s.rss/1e6), fmt.Sprintf("%.0f", s.streams), fmt.Sprintf("%.0f", s.slow), fmt.Sprint(s.requests), fmt.Sprint(s.serverErrors))
	}
	t.write(w)
	ops := table{head: []string{"request", "count", "statuses"}}
	names := make([]string, 0, len(r.byStatus))
	for name := range r.byStatus {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		var total int64
		codes := make([]int, 0)
		for c, n := range r.byStatus[name] {
			total += n
			codes = append(codes, c)
		}
		slices.Sort(codes)
		desc := ""
		for _, c := range codes {
			desc += fmt.Sprintf("%d×%d ", c, r.byStatus[name][c])
		}
		ops.add(name, fmt.Sprint(total), desc)
	}
	ops.write(w)
	checks := table{head: []string{"check", "result"}}
	_, bad := r.totals()
	checks.add("no 5xx, every request answered", fmt.Sprintf("%d failed: %s", bad, met(bad == 0)))
	for _, f := range flatness {
		first, last, ok := r.growth(f.of)
		verdict := met(ok && last <= first*1.2+f.slack)
		if !r.judgeFlatness {
			verdict = "not judged: shorter than " + minFlatness.String()
		}
		checks.add(f.name+" flat (peak of first vs last third)", fmt.Sprintf("%.0f → %.0f: %s", first/f.unit, last/f.unit, verdict))
	}
	checks.add("every client's final view equals the API", fmt.Sprintf("%d of %d differ: %s", r.mismatch, o.clients, met(r.mismatch == 0)))
	checks.add("every event once, in order", fmt.Sprintf("%d events read, %d clients broken: %s", r.events, r.broken, met(r.broken == 0)))
	checks.add("no stream ended early", fmt.Sprintf("%d ended: %s", r.ended, met(r.ended == 0)))
	checks.write(w)
}
