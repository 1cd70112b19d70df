package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// clusterKey is SWITCHBOARD_SECRET_KEY for every instance: base64 of 32
// bytes, the same everywhere as a cluster needs.
const clusterKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

// pgAdminURL is the PostgreSQL server the cluster section creates its
// databases on: the tests' SWITCHBOARD_TEST_DATABASE_URL, else the local
// server as user postgres.
func pgAdminURL() string {
	if u := os.Getenv("SWITCHBOARD_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// createDatabase makes a fresh database on admin's server and returns its
// URL and a function that drops it (with its connections).
func createDatabase(admin, label string) (string, func() error, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", nil, fmt.Errorf("PostgreSQL does not answer at %s (start it with: bash .ci/postgres): %w", redactedURL(admin), err)
	}
	defer conn.Close(context.Background())
	name := "sbbench_" + label + "_" + strings.ToLower(rand.Text()[:8])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			return err
		}
		defer c.Close(context.Background())
		_, err = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		return err
	}
	return u.String(), drop, nil
}

func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// buildSwitchboard builds cmd/switchboard into dir.
func buildSwitchboard(dir string) (string, error) {
	bin := filepath.Join(dir, "switchboard")
	cmd := exec.Command("go", "build", "-o", bin, "switchboard/cmd/switchboard")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build switchboard: %w", err)
	}
	return bin, nil
}

// instance is one real switchboard process of a cluster.
type instance struct {
	id   string
	url  string
	cmd  *exec.Cmd
	done chan struct{}
	log  *logTally
	// api sends the cluster section's API calls: loopback only, never
	// waiting long on an instance that was just killed.
	api *http.Client
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

// startInstance runs bin as instance id on dbURL, on a free loopback port,
// and waits until /readyz answers 200. The catalogue is off: its prompt
// jobs would call the providers' real APIs once a provider is active.
func startInstance(bin, dbURL, id string) (*instance, error) {
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--database-url", dbURL, "--instance-id", id,
		"--catalog", "false", "--shutdown-grace", "5s", "--log-level", "warn")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "SWITCHBOARD_API_TOKEN=" + token,
		"SWITCHBOARD_SECRET_KEY=" + clusterKey, "SWITCHBOARD_ADMIN_PASSWORD=bench password 123"}
	// The instances die with the bench, whatever ends it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	in := &instance{id: id, cmd: cmd, done: make(chan struct{}), log: &logTally{}, api: &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true},
		Timeout:   10 * time.Second,
	}}
	cmd.Stderr = in.log
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = cmd.Wait(); close(in.done) }()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case in.url = <-found:
	case <-in.done:
		return nil, fmt.Errorf("instance %s exited before listening: %s", id, in.log.tail())
	case <-time.After(60 * time.Second):
		in.kill()
		return nil, fmt.Errorf("instance %s printed no address within 60 s: %s", id, in.log.tail())
	}
	client := &http.Client{Timeout: time.Second}
	for time.Since(t0) < 60*time.Second {
		if resp, err := client.Get(in.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return in, nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	in.kill()
	return nil, fmt.Errorf("instance %s was not ready within 60 s: %s", id, in.log.tail())
}

// startInstances starts count instances at once, as a deployment would.
func startInstances(bin, dbURL, prefix string, count int) ([]*instance, error) {
	nodes := make([]*instance, count)
	errs := make([]error, count)
	var wg sync.WaitGroup
	for i := range count {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nodes[i], errs[i] = startInstance(bin, dbURL, fmt.Sprintf("%s-%c", prefix, 'a'+i))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			for _, n := range nodes {
				if n != nil {
					n.kill()
				}
			}
			return nil, fmt.Errorf("instance %d: %w", i, err)
		}
	}
	return nodes, nil
}

// kill ends the process with SIGKILL, as a crash would, and waits for it.
func (in *instance) kill() {
	_ = in.cmd.Process.Signal(syscall.SIGKILL)
	<-in.done
}

// stop asks the process to shut down and waits, killing it after 20 s.
func (in *instance) stop() {
	_ = in.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-in.done:
	case <-time.After(20 * time.Second):
		in.kill()
	}
}

func (in *instance) openFiles() int {
	ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", in.cmd.Process.Pid))
	return len(ents)
}

func selfOpenFiles() int {
	ents, _ := os.ReadDir("/proc/self/fd")
	return len(ents)
}

// call sends one API request to the instance and decodes the JSON answer.
func (in *instance) call(method, path, body string) (int, map[string]any, error) {
	req, err := http.NewRequest(method, in.url+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := in.api.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("%s %s on %s: %d %q", method, path, in.id, resp.StatusCode, b)
	}
	return resp.StatusCode, m, nil
}

// logTally keeps what an instance logs at warn and above: how many lines
// of each message, and the last few lines for an error report.
type logTally struct {
	mu      sync.Mutex
	partial []byte
	counts  map[string]int
	last    []string
}

var logMsg = regexp.MustCompile(`level=(\w+) msg=("(?:[^"\\]|\\.)*"|\S+)`)

func (l *logTally) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		line := string(l.partial[:i])
		l.partial = l.partial[i+1:]
		if l.counts == nil {
			l.counts = map[string]int{}
		}
		key := line
		if m := logMsg.FindStringSubmatch(line); m != nil {
			key = m[1] + " " + m[2]
		}
		l.counts[key]++
		l.last = append(l.last, line)
		if len(l.last) > 5 {
			l.last = l.last[1:]
		}
	}
	return len(p), nil
}

func (l *logTally) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.last, "\n")
}

// logSummary adds up what the instances logged at warn and above, most
// frequent first.
func logSummary(nodes []*instance) string {
	total := map[string]int{}
	for _, n := range nodes {
		n.log.mu.Lock()
		for k, c := range n.log.counts {
			total[k] += c
		}
		n.log.mu.Unlock()
	}
	if len(total) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(total))
	for k := range total {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return total[keys[i]] > total[keys[j]] || total[keys[i]] == total[keys[j]] && keys[i] < keys[j]
	})
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d× `%s`", total[k], strings.ReplaceAll(k, "|", "/")))
	}
	return strings.Join(parts, "; ")
}
