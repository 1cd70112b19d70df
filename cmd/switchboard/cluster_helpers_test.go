package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	clusterToken = "cluster-token-0123456789"
	// clusterKey is SWITCHBOARD_SECRET_KEY for every instance: base64 of 32 bytes.
	clusterKey      = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	clusterPassword = "cluster admin password"
)

// node is one real switchboard process of a cluster.
type node struct {
	id   string
	url  string
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{}
}

// startNode starts the binary on dbURL as instance id and waits until it
// listens. It is killed when the test ends, if still running.
func startNode(t *testing.T, dbURL, id string) *node {
	t.Helper()
	n, err := launch(t, dbURL, id)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// launch is startNode without failing the test, for spawned goroutines.
func launch(t *testing.T, dbURL, id string) (*node, error) {
	cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--database-url", dbURL, "--instance-id", id, "--shutdown-grace", "5s")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "SWITCHBOARD_API_TOKEN=" + clusterToken,
		"SWITCHBOARD_SECRET_KEY=" + clusterKey, "SWITCHBOARD_ADMIN_PASSWORD=" + clusterPassword}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	n := &node{id: id, cmd: cmd, logs: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = n.logs
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = cmd.Wait(); close(n.done) }()
	t.Cleanup(n.kill)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			fmt.Fprintln(n.logs, sc.Text())
			if m := listeningLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case n.url = <-found:
		return n, nil
	case <-n.done:
		return nil, fmt.Errorf("instance %s exited before listening:\n%s", id, n.logs)
	case <-time.After(60 * time.Second):
		return nil, fmt.Errorf("instance %s did not start:\n%s", id, n.logs)
	}
}

// kill ends the process with SIGKILL, as a crash would.
func (n *node) kill() {
	if n.cmd.Process != nil {
		_ = n.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-n.done
}

// call sends an API request with the cluster's token and decodes the answer.
func (n *node) call(method, path, body string) (int, map[string]any, error) {
	req, err := http.NewRequest(method, n.url+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+clusterToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("%s %s on %s: %d, undecodable: %w", method, path, n.id, resp.StatusCode, err)
	}
	return resp.StatusCode, m, nil
}

// must is call for the test goroutine: a transport error fails the test.
func (n *node) must(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	status, m, err := n.call(method, path, body)
	if err != nil {
		t.Fatal(err)
	}
	return status, m
}

// startCluster starts count instances at once on a fresh database.
func startCluster(t *testing.T, dbURL string, count int) []*node {
	t.Helper()
	nodes := make([]*node, count)
	errs := make([]error, count)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			nodes[i], errs[i] = launch(t, dbURL, fmt.Sprintf("node-%c", 'a'+i))
		}()
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return nodes
}

// waitUntil polls cond until it holds or the deadline passes.
func waitUntil(t *testing.T, what string, within time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	last := ""
	for time.Now().Before(deadline) {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s; last seen: %s", what, within, last)
}

// dbQuery runs a query returning one integer on the cluster's database.
func dbInt(t *testing.T, dbURL, query string, args ...any) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int64
	if err := conn.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// sseEvent is one event of a stream.
type sseEvent struct{ id, name, data string }

// sseStream reads one SSE connection into a list of events.
type sseStream struct {
	mu     sync.Mutex
	events []sseEvent
	resp   *http.Response
	closed chan struct{}
}

var sseField = regexp.MustCompile(`^(\w+): ?(.*)$`)

// openStream connects to path on n with lastID (empty for none).
func openStream(t *testing.T, n *node, path, lastID string) *sseStream {
	t.Helper()
	req, _ := http.NewRequest("GET", n.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+clusterToken)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("stream on %s: %d", n.id, resp.StatusCode)
	}
	s := &sseStream{resp: resp, closed: make(chan struct{})}
	go func() {
		defer close(s.closed)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var cur sseEvent
		var data []string
		for sc.Scan() {
			line := sc.Text()
			if line == "" {
				if cur.name != "" || len(data) > 0 {
					cur.data = strings.Join(data, "\n")
					s.mu.Lock()
					s.events = append(s.events, cur)
					s.mu.Unlock()
				}
				cur, data = sseEvent{}, nil
				continue
			}
			m := sseField.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			switch m[1] {
			case "id":
				cur.id = m[2]
			case "event":
				cur.name = m[2]
			case "data":
				data = append(data, m[2])
			}
		}
	}()
	t.Cleanup(s.close)
	return s
}

func (s *sseStream) close() {
	s.resp.Body.Close()
	<-s.closed
}

// named returns the events called name, in arrival order.
func (s *sseStream) named(name string) []sseEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []sseEvent
	for _, e := range s.events {
		if e.name == name {
			out = append(out, e)
		}
	}
	return out
}

func (s *sseStream) all() []sseEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sseEvent(nil), s.events...)
}
