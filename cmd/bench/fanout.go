package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"switchboard/hub"
)

// fanoutResult is one fan-out measurement: the time from publishing one
// event until each client had it, the publish call itself, and the memory
// this process holds per idle client.
type fanoutResult struct {
	p50, p99, max time.Duration
	publish       time.Duration
	perClient     float64 // bytes
}

// fanoutSection measures section 3 at each client count: Switchboard's
// /api/stream beside a bare loop writing the same frame to the same number
// of connections. The clients run in a child process so that neither side
// nears its open-file limit.
func fanoutSection(w io.Writer, counts []int) error {
	fmt.Fprintf(w, "## 3. Live events: fan-out over SSE\n\n")
	fmt.Fprintf(w, "N real SSE clients on loopback (in a child process), one event published, and the time until each "+
		"client has read it. Memory is this process's Go heap and stacks per idle client, after the snapshot. The "+
		"baseline is a bare net/http SSE handler per client and a loop writing the same frame to each and flushing.\n\n")
	t := table{head: []string{"clients", "measure", "Switchboard", "bare SSE handler", "ratio", "target"}}
	for _, n := range counts {
		progress(fmt.Sprintf("fan-out: %d clients, switchboard", n))
		ours, err := measureFanout(n, true)
		if err != nil {
			return fmt.Errorf("%d clients, switchboard: %w", n, err)
		}
		progress(fmt.Sprintf("fan-out: %d clients, bare loop", n))
		base, err := measureFanout(n, false)
		if err != nil {
			return fmt.Errorf("%d clients, bare loop: %w", n, err)
		}
		big := n >= 10000
		target := func(s string, ok bool) string {
			if !big {
				return ""
			}
			return s + ": " + met(ok)
		}
		c := fmt.Sprint(n)
		t.add(c, "every client has it, p50", ms(ours.p50), ms(base.p50), ratio(float64(ours.p50), float64(base.p50)), "")
		t.add(c, "p99", ms(ours.p99), ms(base.p99), ratio(float64(ours.p99), float64(base.p99)), target("< 100 ms", ours.p99 < 100*time.Millisecond))
		t.add(c, "max", ms(ours.max), ms(base.max), ratio(float64(ours.max), float64(base.max)), "")
		t.add(c, "publish call", ms(ours.publish), ms(base.publish), ratio(float64(ours.publish), float64(base.publish)), "")
		t.add(c, "memory per idle client", kib(ours.perClient), kib(base.perClient), ratio(ours.perClient, base.perClient),
			target("< 16 KiB", ours.perClient < 16<<10))
	}
	t.write(w)
	return nil
}

func kib(b float64) string { return fmt.Sprintf("%.1f KiB", b/1024) }

func measureFanout(n int, switchboard bool) (fanoutResult, error) {
	var url string
	var publishOne func() (time.Duration, error)
	var stop func()
	if switchboard {
		a, err := startApp(50)
		if err != nil {
			return fanoutResult{}, err
		}
		url, stop = a.url+"/api/stream", a.stop
		publishOne = func() (time.Duration, error) {
			data := stamp()
			t0 := time.Now()
			_, err := a.hub.Publish("tick", data, data, data)
			return time.Since(t0), err
		}
	} else {
		url, publishOne, stop = bareFanout()
	}
	defer stop()
	before := heap()
	cmd := exec.Command(os.Args[0], "sse-clients", url, strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fanoutResult{}, err
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return fanoutResult{}, err
	}
	if err := cmd.Start(); err != nil {
		return fanoutResult{}, err
	}
	defer cmd.Wait()
	defer in.Close()
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != "ready" {
		return fanoutResult{}, fmt.Errorf("clients did not get ready: %q", lines.Text())
	}
	res := fanoutResult{perClient: (float64(heap()) - float64(before)) / float64(n)}
	if res.publish, err = publishOne(); err != nil {
		return res, err
	}
	if !lines.Scan() {
		return res, fmt.Errorf("clients gave no result")
	}
	var got struct{ P50, P99, Max time.Duration }
	if err := json.Unmarshal(lines.Bytes(), &got); err != nil {
		return res, err
	}
	res.p50, res.p99, res.max = got.P50, got.P99, got.Max
	return res, nil
}

// heap is the memory the process holds for Go objects and stacks in the
// steady state of idle streams: each collection halves stacks that use
// less than a quarter of their size, so a few let them settle.
func heap() uint64 {
	for range 4 {
		runtime.GC()
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

func stamp() []byte { return []byte(fmt.Sprintf(`{"t":%d}`, time.Now().UnixNano())) }

// bareFanout is the least an SSE server on net/http can be: a handler per
// client that sends the first event and waits, and a loop writing the same
// frame to every response and flushing it. Its memory is a handler
// goroutine and a response per client; its latency is the floor any
// fan-out can reach on this machine.
func bareFanout() (string, func() (time.Duration, error), func()) {
	type client struct {
		w http.ResponseWriter
		f http.Flusher
	}
	var mu sync.Mutex
	clients := map[*client]bool{}
	done := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, _ := w.(http.Flusher)
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write(hub.Frame(1, "snapshot", []byte("{}")))
		f.Flush()
		c := &client{w, f}
		mu.Lock()
		clients[c] = true
		mu.Unlock()
		select { // the loop below writes for this handler while it waits
		case <-r.Context().Done():
		case <-done:
		}
		// Leave under the lock: the loop's last write to w happens before
		// net/http finishes the response.
		mu.Lock()
		delete(clients, c)
		mu.Unlock()
	})
	url, stopHTTP, err := serve(h)
	if err != nil {
		panic(err) // a loopback listener that cannot open: nothing to measure
	}
	publishOne := func() (time.Duration, error) {
		frame := hub.Frame(2, "tick", stamp())
		t0 := time.Now()
		mu.Lock()
		defer mu.Unlock()
		for c := range clients {
			if _, err := c.w.Write(frame); err != nil {
				return 0, err
			}
			c.f.Flush()
		}
		return time.Since(t0), nil
	}
	return url + "/", publishOne, func() {
		close(done)
		stopHTTP()
	}
}

// sseClients is the child process: it opens n streams, says "ready" once
// each has its first event, then prints the latency distribution of the
// next event across all streams and holds them until stdin closes.
func sseClients(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: sse-clients URL N")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil {
		return err
	}
	hostPath := strings.TrimPrefix(args[0], "http://")
	host, path, _ := strings.Cut(hostPath, "/")
	ready := make(chan error, n)
	got := make(chan time.Duration, n)
	conns := make([]net.Conn, 0, n)
	for i := range n {
		c, err := net.Dial("tcp", host)
		if err != nil {
			return fmt.Errorf("dial %d: %w", i, err)
		}
		conns = append(conns, c)
		fmt.Fprintf(c, "GET /%s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n", path, host, token)
		go func() {
			r := bufio.NewReader(c)
			first := true
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					if first {
						ready <- err
					}
					return
				}
				if !strings.HasPrefix(line, "data: ") {
					continue
				}
				if first {
					first = false
					ready <- nil
					continue
				}
				var v struct{ T int64 }
				if json.Unmarshal([]byte(line[6:]), &v) == nil && v.T > 0 {
					got <- time.Duration(time.Now().UnixNano() - v.T)
					return
				}
			}
		}()
	}
	for range n {
		if err := <-ready; err != nil {
			return err
		}
	}
	fmt.Println("ready")
	lat := make([]time.Duration, 0, n)
	for range n {
		lat = append(lat, <-got)
	}
	slices.Sort(lat)
	b, _ := json.Marshal(map[string]time.Duration{"P50": lat[n/2], "P99": lat[n*99/100], "Max": lat[n-1]})
	fmt.Println(string(b))
	_, _ = io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
	return nil
}
