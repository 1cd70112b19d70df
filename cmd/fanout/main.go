// Command fanout measures live-event fan-out on loopback: N real SSE clients
// (in a separate process, so each side stays under its open-file limit) on
// Switchboard's /api/stream, one event published, and the time until every
// client has it — beside a bare loop writing the same bytes to the same
// number of connections, measured in the same run.
//
//	go run ./cmd/fanout -clients 1000,10000
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"switchboard/handlers"
	"switchboard/hub"
	"switchboard/models"
	"switchboard/scheduler"
)

const token = "fanout-token-0123456789"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "client" {
		if err := client(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "fanout client:", err)
			os.Exit(1)
		}
		return
	}
	counts := flag.String("clients", "1000,10000", "client counts to measure")
	flag.Parse()
	if err := run(*counts); err != nil {
		fmt.Fprintln(os.Stderr, "fanout:", err)
		os.Exit(1)
	}
}

func run(counts string) error {
	fmt.Println("| clients | target | p50 | p99 | max | publish call | memory per idle client |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, s := range strings.Split(counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return err
		}
		for _, target := range []string{"switchboard", "bare loop"} {
			if err := measure(n, target); err != nil {
				return fmt.Errorf("%d clients, %s: %w", n, target, err)
			}
		}
	}
	return nil
}

// server is what the clients connect to; publish sends one event stamped
// with the time it was handed over.
type server struct {
	url     string
	publish func() (time.Duration, error)
	stop    func()
}

func measure(n int, target string) error {
	var srv server
	var err error
	if target == "switchboard" {
		srv, err = switchboardServer()
	} else {
		srv, err = bareServer()
	}
	if err != nil {
		return err
	}
	defer srv.stop()
	before := heap()
	cmd := exec.Command(os.Args[0], "client", srv.url, strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer cmd.Wait()
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != "ready" {
		return fmt.Errorf("client did not get ready: %q", lines.Text())
	}
	perClient := (float64(heap()) - float64(before)) / float64(n)
	if path := os.Getenv("FANOUT_HEAPPROFILE"); path != "" && target == "switchboard" {
		f, _ := os.Create(path)
		pprof.WriteHeapProfile(f)
		f.Close()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		fmt.Fprintf(os.Stderr, "heap in use %d KiB, stacks %d KiB, goroutines %d\n", m.HeapInuse>>10, m.StackInuse>>10, runtime.NumGoroutine())
	}
	callTime, err := srv.publish()
	if err != nil {
		return err
	}
	if !lines.Scan() {
		return fmt.Errorf("client gave no result")
	}
	var res struct{ P50, P99, Max time.Duration }
	if err := json.Unmarshal(lines.Bytes(), &res); err != nil {
		return err
	}
	in.Close()
	fmt.Printf("| %d | %s | %s | %s | %s | %s | %.1f KiB |\n", n, target, res.P50.Round(time.Microsecond),
		res.P99.Round(time.Microsecond), res.Max.Round(time.Microsecond), callTime.Round(time.Microsecond), perClient/1024)
	return nil
}

// heap is the memory the process holds for Go objects and stacks, in the
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

func switchboardServer() (server, error) {
	dir, err := os.MkdirTemp("", "fanout")
	if err != nil {
		return server{}, err
	}
	store, err := models.OpenSQLite(filepath.Join(dir, "f.db"))
	if err != nil {
		return server{}, err
	}
	log := slog.New(slog.DiscardHandler)
	sched, err := scheduler.New(store, models.DefaultTimezone)
	if err != nil {
		return server{}, err
	}
	ctx := context.Background()
	if err := sched.SeedCatalog(ctx); err != nil {
		return server{}, err
	}
	if err := sched.Start(ctx); err != nil {
		return server{}, err
	}
	h := hub.New(256, 1024, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return server{}, err
	}
	hs := &http.Server{Handler: handlers.New(handlers.Deps{Store: store, Scheduler: sched, Hub: h, Log: log}, handlers.Config{APIToken: token}).Routes()}
	go hs.Serve(ln)
	return server{
		url: "http://" + ln.Addr().String() + "/api/stream",
		publish: func() (time.Duration, error) {
			data := stamp()
			t0 := time.Now()
			_, err := h.Publish("tick", data, nil)
			return time.Since(t0), err
		},
		stop: func() {
			h.Close()
			hs.Close()
			sched.Close(ctx)
			store.Close()
			os.RemoveAll(dir)
		},
	}, nil
}

// bareServer holds the raw connections and writes one frame to each in a
// loop: the floor any fan-out can reach on this machine.
func bareServer() (server, error) {
	var mu sync.Mutex
	var conns []net.Conn
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n")
		buf.Write(hub.Frame(1, "snapshot", []byte("{}")))
		buf.Flush()
		mu.Lock()
		conns = append(conns, conn)
		mu.Unlock()
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return server{}, err
	}
	hs := &http.Server{Handler: mux}
	go hs.Serve(ln)
	return server{
		url: "http://" + ln.Addr().String() + "/",
		publish: func() (time.Duration, error) {
			frame := hub.Frame(2, "tick", stamp())
			t0 := time.Now()
			mu.Lock()
			defer mu.Unlock()
			for _, c := range conns {
				if _, err := c.Write(frame); err != nil {
					return 0, err
				}
			}
			return time.Since(t0), nil
		},
		stop: func() {
			hs.Close()
			mu.Lock()
			for _, c := range conns {
				c.Close()
			}
			mu.Unlock()
		},
	}, nil
}

// client opens n streams, says "ready" once each has its first event, then
// prints the latency distribution of the next event across all streams.
func client(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: client URL N")
	}
	url, n := args[0], 0
	n, err := strconv.Atoi(args[1])
	if err != nil {
		return err
	}
	host := strings.TrimPrefix(url, "http://")
	path := "/" + strings.SplitN(host, "/", 2)[1]
	host = strings.SplitN(host, "/", 2)[0]
	ready := make(chan error, n)
	got := make(chan time.Duration, n)
	var conns []net.Conn
	for i := range n {
		c, err := net.Dial("tcp", host)
		if err != nil {
			return fmt.Errorf("dial %d: %w", i, err)
		}
		conns = append(conns, c)
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n", path, host, token)
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
	_, _ = io.Copy(io.Discard, os.Stdin) // hold the connections until the server is done measuring
	for _, c := range conns {
		c.Close()
	}
	return nil
}
