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
	n, warmup, changes int
	nodes              []*instance
	mu                 sync.Mutex
	arrived            [][]time.Duration // [change][client], -1 until it arrives
	count              []int
	done               []chan struct{}
	ended              int // streams the server ended
	closing            bool
	resps              []*http.Response
	wg                 sync.WaitGroup
}

// measureLatency connects clients to the instances, then makes changes
// (after a few to warm up) one at a time, round robin over the instances,
// each when the previous one has reached every client.
func measureLatency(nodes []*instance, clients, changes int) (latencyResult, error) {
	const warmup = 3
	f := &sseFleet{n: clients, warmup: warmup, changes: changes, nodes: nodes}
	total := warmup + changes
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
		return latencyResult{}, err
	}
	res := latencyResult{benchFiles: selfOpenFiles()}
	for _, n := range nodes {
		res.instanceFiles = append(res.instanceFiles, n.openFiles())
	}
	var put latencies
	for k := range total {
		origin := nodes[k%len(nodes)]
		t0 := time.Now()
		body := fmt.Sprintf(`{"value":"%d-%d"}`, k, t0.UnixNano())
		status, m, err := origin.call("PUT", "/api/settings/"+latencyKey, body)
		if err != nil || status != 200 {
			return res, fmt.Errorf("change %d on %s: %d %v %v", k, origin.id, status, m, err)
		}
		if k >= warmup {
			put = append(put, time.Since(t0))
		}
		select {
		case <-f.done[k]:
		case <-time.After(10 * time.Second):
		}
		time.Sleep(20 * time.Millisecond) // let the machine settle between changes
	}
	f.close() // every stream goroutine has returned: arrived is ours
	res.put = put.sorted()
	var remote, local latencies
	var whole latencies
	for k := warmup; k < total; k++ {
		origin := k % len(nodes)
		if f.count[k] == clients {
			whole = append(whole, slices.Max(f.arrived[k]))
		}
		for i, d := range f.arrived[k] {
			res.expected++
			switch {
			case d < 0:
				res.missed++
			case i%len(nodes) == origin:
				local = append(local, d)
			default:
				remote = append(remote, d)
			}
		}
	}
	res.remote, res.local, res.whole, res.ended = remote.sorted(), local.sorted(), whole.sorted(), f.ended
	return res, nil
}

// streamClient has no timeout: the streams stay open for the whole run.
var streamClient = &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: -1}}

// connect opens every stream, 32 at a time, and returns once each has
// read its snapshot.
func (f *sseFleet) connect() error {
	ready := make(chan error, f.n)
	sem := make(chan struct{}, 32)
	for i := range f.n {
		node := f.nodes[i%len(f.nodes)]
		sem <- struct{}{}
		req, err := http.NewRequest("GET", node.url+"/api/stream", nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := streamClient.Do(req)
		<-sem
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
