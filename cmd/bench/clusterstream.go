package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// latencyKey is the setting whose changes carry their send time.
const latencyKey = "bench.latency"

// latencyResult is what one configuration of instances measured: the time
// from sending a setting change until each client had it, split by
// whether the client was on the instance that made the change.
type latencyResult struct {
	remote, local latencies // sorted
	put           latencies // sorted: the PUT's own round trip
	whole         latencies // sorted: per change, until every client had it
	expected      int       // (client, change) pairs measured
	missed        int       // of which never arrived
	ended         int       // streams that ended during the run
	instanceFiles []int     // open files of each instance, clients connected
	benchFiles    int       // open files of this process, clients connected
}

// sseFleet is n /api/stream clients in this process, spread over the
// instances round robin. Each records when every bench.latency change
// reached it.
type sseFleet struct {
	n       int
	nodes   []*instance
	mu      sync.Mutex
	arrived [][]time.Duration // [change][client], -1 until it arrives
	count   []int
	done    []chan struct{}
	ended   int // streams the server ended
	closing bool
	client  *http.Client // no timeout: the streams stay open for the whole run
	resps   []*http.Response
	wg      sync.WaitGroup
}

// latencyWarmup is how many changes each configuration makes before the
// measured ones.
const latencyWarmup = 3

// measureLatency connects clients to each configuration of instances at
// once (every configuration on a database of its own), then makes changes
// one at a time, round robin over a configuration's instances, each when
// the previous one has reached every client. The configurations take
// turns in blocks of a few changes, so that both see the same machine:
// it is shared, and its load moves during a run.
func measureLatency(configs [][]*instance, clients, changes int) ([]latencyResult, error) {
	total := latencyWarmup + changes
	fleets := make([]*sseFleet, len(configs))
	for c, nodes := range configs {
		f := &sseFleet{n: clients, nodes: nodes,
			client: &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: -1}}}
		fleets[c] = f
		f.arrived = make([][]time.Duration, total)
		f.count = make([]int, total)
		f.done = make([]chan struct{}, total)
		for k := range total {
			f.arrived[k] = make([]time.Duration, clients)
			for i := range f.arrived[k] {
				f.arrived[k][i] = -1
			}
			f.done[k] = make(chan struct{})
		}
		defer f.close()
		if err := f.connect(); err != nil {
			return nil, err
		}
	}
	res := make([]latencyResult, len(configs))
	benchFiles := selfOpenFiles()
	for c, nodes := range configs {
		res[c].benchFiles = benchFiles
		for _, n := range nodes {
			res[c].instanceFiles = append(res[c].instanceFiles, n.openFiles())
		}
	}
	const block = 5
	for first := 0; first < total; first += block {
		for c, f := range fleets {
			for k := first; k < min(first+block, total); k++ {
				took, err := f.change(k)
				if err != nil {
					return nil, err
				}
				if k >= latencyWarmup {
					res[c].put = append(res[c].put, took)
				}
			}
		}
	}
	for c, f := range fleets {
		f.close() // every stream goroutine has returned: arrived is ours
		f.tally(&res[c])
	}
	return res, nil
}

// change makes change k on its instance, waits until every client has it
// (10 s at most) and returns the PUT's round trip.
func (f *sseFleet) change(k int) (time.Duration, error) {
	origin := f.nodes[k%len(f.nodes)]
	t0 := time.Now()
	body := fmt.Sprintf(`{"value":"%d-%d"}`, k, t0.UnixNano())
	status, m, err := origin.call("PUT", "/api/settings/"+latencyKey, body)
	took := time.Since(t0)
	if err != nil || status != 200 {
		return took, fmt.Errorf("change %d on %s: %d %v %v", k, origin.id, status, m, err)
	}
	select {
	case <-f.done[k]:
	case <-time.After(10 * time.Second):
	}
	time.Sleep(20 * time.Millisecond) // let the machine settle between changes
	return took, nil
}

// tally sorts the arrivals of the measured changes into res.
func (f *sseFleet) tally(res *latencyResult) {
	var remote, local, whole latencies
	for k := latencyWarmup; k < len(f.arrived); k++ {
		origin := k % len(f.nodes)
		if f.count[k] == f.n {
			whole = append(whole, slices.Max(f.arrived[k]))
		}
		for i, d := range f.arrived[k] {
			res.expected++
			switch {
			case d < 0:
				res.missed++
			case i%len(f.nodes) == origin:
				local = append(local, d)
			default:
				remote = append(remote, d)
			}
		}
	}
	res.put = res.put.sorted()
	res.remote, res.local, res.whole, res.ended = remote.sorted(), local.sorted(), whole.sorted(), f.ended
}

// connect opens every stream, one after the other, and returns once each
// has read its snapshot.
func (f *sseFleet) connect() error {
	ready := make(chan error, f.n)
	for i := range f.n {
		node := f.nodes[i%len(f.nodes)]
		req, err := http.NewRequest("GET", node.url+"/api/stream", nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := f.client.Do(req)
		if err != nil {
			return fmt.Errorf("stream %d on %s: %w", i, node.id, err)
		}
		if resp.StatusCode != 200 {
			resp.Body.Close()
			return fmt.Errorf("stream %d on %s: %s", i, node.id, resp.Status)
		}
		f.mu.Lock()
		f.resps = append(f.resps, resp)
		f.mu.Unlock()
		f.wg.Add(1)
		go f.read(i, resp, ready)
	}
	deadline := time.After(60 * time.Second)
	for range f.n {
		select {
		case err := <-ready:
			if err != nil {
				return err
			}
		case <-deadline:
			return fmt.Errorf("not every stream had its snapshot within 60 s")
		}
	}
	return nil
}

// read follows one stream: the first event is the snapshot; every
// setting_changed of latencyKey is stamped on arrival.
func (f *sseFleet) read(i int, resp *http.Response, ready chan<- error) {
	defer f.wg.Done()
	r := bufio.NewReaderSize(resp.Body, 16<<10)
	first, event := true, ""
	for {
		line, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A long line (a snapshot): read past it.
			for err == bufio.ErrBufferFull {
				_, err = r.ReadSlice('\n')
			}
			line = []byte("data: {}\n")
		}
		if err != nil {
			if first {
				ready <- fmt.Errorf("stream %d ended before its snapshot: %w", i, err)
			}
			f.mu.Lock()
			if !f.closing {
				f.ended++
			}
			f.mu.Unlock()
			return
		}
		now := time.Now()
		s := string(line)
		switch {
		case strings.HasPrefix(s, "event: "):
			event = strings.TrimSpace(s[len("event: "):])
		case strings.HasPrefix(s, "data: "):
			if first {
				first = false
				ready <- nil
				continue
			}
			if event == "setting_changed" {
				f.record(i, s[len("data: "):], now)
			}
		case s == "\n" || s == "\r\n":
			event = ""
		}
	}
}

func (f *sseFleet) record(i int, data string, now time.Time) {
	var v struct{ Key, Value string }
	if json.Unmarshal([]byte(data), &v) != nil || v.Key != latencyKey {
		return
	}
	seq, sent, ok := strings.Cut(v.Value, "-")
	k, err1 := strconv.Atoi(seq)
	ns, err2 := strconv.ParseInt(sent, 10, 64)
	if !ok || err1 != nil || err2 != nil || k < 0 || k >= len(f.arrived) {
		return
	}
	d := now.Sub(time.Unix(0, ns))
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.arrived[k][i] >= 0 {
		return // once per client
	}
	f.arrived[k][i] = d
	f.count[k]++
	if f.count[k] == f.n {
		close(f.done[k])
	}
}

// close ends every stream and waits for its reader.
func (f *sseFleet) close() {
	f.mu.Lock()
	resps := f.resps
	f.resps, f.closing = nil, true
	f.mu.Unlock()
	for _, r := range resps {
		r.Body.Close()
	}
	f.wg.Wait()
}
