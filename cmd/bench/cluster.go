package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// clusterOptions sizes section 6.
type clusterOptions struct {
	clients, changes int           // SSE clients; changes measured
	writers          int           // concurrent provider switches
	writeTime        time.Duration // length of the switch and raw runs
	kills            int           // leader kills
}

// clusterSection measures section 6: several real instances on one
// PostgreSQL database, each figure beside a baseline of the same run
// where there is one: live events across instances beside one instance,
// provider switches beside raw PostgreSQL transactions, and failover of
// the leader against its target.
func clusterSection(w io.Writer, o clusterOptions) (err error) {
	admin := pgAdminURL()
	load := loadAverage()
	dir, err := os.MkdirTemp("", "switchboard-cluster-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	progress("cluster: building switchboard")
	bin, err := buildSwitchboard(dir)
	if err != nil {
		return err
	}
	drops := map[string]func() error{}
	defer func() {
		for name, drop := range drops {
			if derr := drop(); derr != nil && err == nil {
				err = fmt.Errorf("drop the %s database: %w", name, derr)
			}
		}
	}()
	newDB := func(label string) (string, error) {
		u, drop, err := createDatabase(admin, label)
		if err == nil {
			drops[label] = drop
		}
		return u, err
	}
	// Stopped before their databases are dropped.
	var started []*instance // every instance, for their logs
	defer func() {
		for _, n := range started {
			n.stop()
		}
	}()

	// 6.1: one instance and three, each on a database of its own, taking
	// turns.
	t0 := time.Now()
	singleURL, err := newDB("single")
	if err != nil {
		return err
	}
	clusterURL, err := newDB("cluster")
	if err != nil {
		return err
	}
	single, err := startInstance(bin, singleURL, "single-a")
	if err != nil {
		return err
	}
	started = append(started, single)
	nodes, err := startInstances(bin, clusterURL, "cluster", 3)
	if err != nil {
		return err
	}
	started = append(started, nodes...)
	progress(fmt.Sprintf("cluster: %d clients on one instance and %d over three, %d changes each", o.clients, o.clients, o.changes))
	lat, err := measureLatency([][]*instance{{single}, nodes}, o.clients, o.changes)
	if err != nil {
		return fmt.Errorf("live events: %w", err)
	}
	one, three := lat[0], lat[1]
	single.stop()
	latencyTime := time.Since(t0)

	// 6.2: raw transactions and switches on the same server, taking turns
	// in fifths of the time; one writer, then many.
	t0 = time.Now()
	ids, err := addProviders(nodes)
	if err != nil {
		return err
	}
	rb, err := openRaw(clusterURL, o.writers)
	if err != nil {
		return fmt.Errorf("raw PostgreSQL: %w", err)
	}
	defer rb.close()
	type writeRun struct {
		raw rawResult
		sw  switchResult
	}
	var runs []writeRun
	for _, writers := range []int{1, o.writers} {
		progress(fmt.Sprintf("cluster: provider switches and raw PostgreSQL, %d writers", writers))
		var r writeRun
		for range 5 {
			r.raw.add(rb.run(writers, o.writeTime/5))
			sw, err := measureSwitches(nodes, ids, writers, o.writeTime/5)
			if err != nil {
				return fmt.Errorf("provider switches: %w", err)
			}
			r.sw.add(sw)
		}
		runs = append(runs, r)
	}
	rb.close()
	activeSeen, agree, err := checkActive(nodes)
	if err != nil {
		return err
	}
	sw := runs[1].sw
	writeTime := time.Since(t0)

	// 6.3: failover.
	t0 = time.Now()
	fo, _, err := measureFailover(bin, clusterURL, nodes, o.kills, func(n *instance) { started = append(started, n) })
	if err != nil {
		return fmt.Errorf("failover: %w", err)
	}
	failoverTime := time.Since(t0)

	fmt.Fprintf(w, "## 6. Several instances on PostgreSQL\n\n")
	fmt.Fprintf(w, "Real `switchboard serve` processes (the built binary, catalogue off) on fresh databases of PostgreSQL %s "+
		"at 127.0.0.1, created for this run and dropped after it. This process is the client side: it holds the SSE "+
		"streams and sends the requests; the instances and PostgreSQL share the machine's %d CPUs with it (load average "+
		"%s at the start of the section).\n\n", rb.version, runtime.NumCPU(), load)

	fmt.Fprintf(w, "### 6.1 Live events across instances\n\n")
	fmt.Fprintf(w, "%d clients on `/api/stream`, spread round robin over three instances. Each change is a `PUT "+
		"/api/settings/%s` whose value carries its send time, made on the instances in turn, one at a time, each once "+
		"the previous one reached every client: %d measured after %d to warm up. A figure runs from sending the PUT to "+
		"the client reading the event, so the write's own request and commit are inside it. The baseline is one "+
		"instance on a database of its own with %d more clients, the changes made on it; both run at once and take "+
		"turns every 5 changes, so both see the same machine. Measured in %s.\n\n",
		o.clients, latencyKey, o.changes, latencyWarmup, o.clients, latencyTime.Round(time.Second))
	t := table{head: []string{"measure", "3 instances: client on another instance", "3 instances: client on the instance written", "1 instance", "ratio (another / 1 instance)", "target"}}
	t.add("send to client, p50", ms(three.remote.q(0.5)), ms(three.local.q(0.5)), ms(one.local.q(0.5)), ratio(float64(three.remote.q(0.5)), float64(one.local.q(0.5))), "")
	t.add("p99", ms(three.remote.q(0.99)), ms(three.local.q(0.99)), ms(one.local.q(0.99)), ratio(float64(three.remote.q(0.99)), float64(one.local.q(0.99))),
		"< 100 ms: "+met(len(three.remote) > 0 && three.remote.q(0.99) < 100*time.Millisecond))
	t.add("max", ms(three.remote.q(1)), ms(three.local.q(1)), ms(one.local.q(1)), ratio(float64(three.remote.q(1)), float64(one.local.q(1))), "")
	t.add("every client of any instance had the change: median / max over changes", fmt.Sprintf("%s / %s", ms(three.whole.q(0.5)), ms(three.whole.q(1))), "",
		fmt.Sprintf("%s / %s", ms(one.whole.q(0.5)), ms(one.whole.q(1))), ratio(float64(three.whole.q(0.5)), float64(one.whole.q(0.5))), "")
	t.add("samples (client × change)", fmt.Sprint(len(three.remote)), fmt.Sprint(len(three.local)), fmt.Sprint(len(one.local)), "", "")
	t.add("PUT answered, p50 / p99", fmt.Sprintf("%s / %s", ms(three.put.q(0.5)), ms(three.put.q(0.99))), "",
		fmt.Sprintf("%s / %s", ms(one.put.q(0.5)), ms(one.put.q(0.99))), ratio(float64(three.put.q(0.5)), float64(one.put.q(0.5))), "")
	t.add("changes a client never got", fmt.Sprintf("%d of %d", three.missed, three.expected), "", fmt.Sprintf("%d of %d", one.missed, one.expected), "",
		"0: "+met(three.missed == 0 && one.missed == 0))
	t.add("streams the server ended", fmt.Sprint(three.ended), "", fmt.Sprint(one.ended), "", "0: "+met(three.ended == 0 && one.ended == 0))
	t.add("open files: each instance; this process (both sets of clients)", fmt.Sprintf("%s; %d", joinInts(three.instanceFiles), three.benchFiles), "",
		fmt.Sprintf("%s; %d", joinInts(one.instanceFiles), one.benchFiles), "",
		"< 20,000 each: "+met(slices.Max(append(three.instanceFiles, three.benchFiles, one.benchFiles, slices.Max(one.instanceFiles))) < 20000))
	t.write(w)

	fmt.Fprintf(w, "### 6.2 Provider switches across instances\n\n")
	fmt.Fprintf(w, "1 and %d writers for %s each, writer w on instance w mod 3, each sending `POST /api/settings/ai-provider/{id}/activate` "+
		"for the next of %d providers by id, round robin, and waiting for the answer. The baseline is as many goroutines, each "+
		"on its own pgx connection to the same server, doing `BEGIN; UPDATE` one row `; COMMIT` (the same row for all, as "+
		"every switch changes the one active provider); the two take turns in fifths of the time. Measured in %s.\n\n",
		o.writers, o.writeTime, len(clusterProviders), writeTime.Round(time.Second))
	t = table{head: []string{"measure", "writers", "Switchboard, 3 instances", "raw PostgreSQL", "ratio", "target"}}
	for i, r := range runs {
		writers, target := "1", ""
		if i > 0 {
			writers, target = fmt.Sprint(o.writers), "≥ 0.25× raw: "+met(r.sw.rate() >= 0.25*r.raw.rate())
		}
		t.add("ops/s", writers, fmt.Sprintf("%.0f", r.sw.rate()), fmt.Sprintf("%.0f", r.raw.rate()), ratio(r.sw.rate(), r.raw.rate()), target)
		t.add("errors", writers, fmt.Sprintf("%d of %d", r.sw.failed, r.sw.ok+r.sw.failed), fmt.Sprintf("%d of %d", r.raw.failed, r.raw.ok+r.raw.failed), "",
			"0: "+met(r.sw.failed == 0))
		t.add("switch answered, p50 / p99", writers, fmt.Sprintf("%s / %s", ms(r.sw.lat.q(0.5)), ms(r.sw.lat.q(0.99))), "", "", "")
	}
	t.add("active providers each instance lists afterwards", fmt.Sprint(o.writers), strings.Join(activeSeen, ", "), "", "", "exactly one, the same: "+met(agree))
	t.write(w)
	if fails := append(runs[0].sw.samples, sw.samples...); len(fails) > 0 {
		fmt.Fprintf(w, "First errors: %s\n\n", joinOr(fails, "none"))
	}

	fmt.Fprintf(w, "### 6.3 Failover of the leader\n\n")
	fmt.Fprintf(w, "A webhook job every 2 s (`interval`, seconds=2) calling a local httptest server that holds each call 200 ms. "+
		"%d times: find the leader with `GET /api/cluster`, kill it with SIGKILL (odd rounds while a call is under way, even "+
		"rounds between two runs), time the kill to the next run's `started_at` in `job_runs` and to the webhook's next call, "+
		"then start a replacement so that three instances stay. No baseline: the figure is set by the leader lease (5 s, "+
		"renewed every second). Measured in %s.\n\n", o.kills, failoverTime.Round(time.Second))
	var toRun, toCall, toSlot latencies
	missing := 0
	for _, r := range fo.rounds {
		if r.toRun < 0 {
			missing++
			continue
		}
		toRun, toSlot = append(toRun, r.toRun), append(toSlot, r.toSlot)
		if r.toCall >= 0 {
			toCall = append(toCall, r.toCall)
		}
	}
	toRun, toCall, toSlot = toRun.sorted(), toCall.sorted(), toSlot.sorted()
	spread := func(l latencies) string {
		if len(l) == 0 {
			return "none"
		}
		return fmt.Sprintf("%s / %s / %s", sec(l.q(0)), sec(l.q(0.5)), sec(l.q(1)))
	}
	t = table{head: []string{"measure", "value", "target"}}
	t.add("kill to the next run's start (skipped slots aside): min / median / max", spread(toRun),
		"< 10 s: "+met(missing == 0 && len(toRun) > 0 && toRun.q(1) < 10*time.Second))
	t.add("kill to the webhook's next call: min / median / max", spread(toCall), "")
	t.add("kill to the next slot recorded, skipped or run: min / median / max", spread(toSlot), "")
	t.add("kills with no run within 30 s", fmt.Sprintf("%d of %d", missing, len(fo.rounds)), "0: "+met(missing == 0))
	t.add("slots run twice", fmt.Sprint(fo.twice), "0: "+met(fo.twice == 0))
	t.add("runs: successful, lost with their instance, other errors, skipped, other", fmt.Sprintf("%d: %d, %d, %d, %d, %d", fo.runs, fo.success, fo.lost, fo.failed, fo.skipped, fo.others), "")
	t.add("why slots were skipped", joinOr(fo.skipReasons, "none skipped"), "")
	callsOK := int64(fo.calls) >= fo.success && int64(fo.calls) <= fo.success+fo.lost && fo.failed == 0
	t.add("webhook calls vs successful runs", fmt.Sprintf("%d calls, %d successful runs", fo.calls, fo.success),
		"one call per successful run, and at most one more per lost run: "+met(callsOK))
	t.write(w)
	t = table{head: []string{"round", "leader killed", "moment", "to next run", "to webhook call", "slots skipped first", "run by"}}
	for i, r := range fo.rounds {
		moment := "between runs"
		if r.midRun {
			moment = "call under way"
		}
		t.add(fmt.Sprint(i+1), r.killed, moment, sec(r.toRun), sec(r.toCall), fmt.Sprint(r.skips), r.by)
	}
	t.write(w)
	fmt.Fprintf(w, "The instances logged at warn or above: %s.\n\n", logSummary(started))
	return nil
}

func sec(d time.Duration) string {
	if d < 0 {
		return "none"
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}

// loadAverage is /proc/loadavg's first three figures: the machine is shared,
// and a busy one moves every figure of this section.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
