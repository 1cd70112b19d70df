// The whole program on 127.0.0.1:0, as `run` starts it: acceptance
// scenarios 7 and 8 over HTTP.
//
//	test                                scenario  guards
//	TestHTTPAcceptanceRestartKeepsChanges 7       a rescheduled and paused catalogue job keeps both across a restart; a deleted one stays deleted
//	TestHTTPAcceptanceTimezones         8         with each zone stored, every job reports it and a next_run at its offset; a 09:00 cron job's next run is 09:00 local

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/models"
)

// server is one run of the whole program on 127.0.0.1:0.
type server struct {
	url, token string
	metricsURL string
	stop       func()
	logs       *syncBuffer
}

// syncBuffer collects the server's log lines for tests that read them.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var (
	listeningLine = regexp.MustCompile(`listening on (http://\S+)`)
	tokenLine     = regexp.MustCompile(`\(shown only once\): (\S+)`)
	metricsLine   = regexp.MustCompile(`Metrics on (http://\S+)`)
)

func startServer(t *testing.T, dbPath string, env map[string]string, extra ...string) server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	getenv := func(k string) string { return env[k] }
	logs := &syncBuffer{}
	go func() {
		args := append([]string{"--addr", "127.0.0.1:0", "--db", dbPath}, extra...)
		done <- run(ctx, args, getenv, pw, io.MultiWriter(t.Output(), logs))
		pw.Close()
	}()
	s := server{logs: logs}
	lines := bufio.NewScanner(pr)
	found := make(chan struct{})
	go func() {
		for lines.Scan() {
			if m := tokenLine.FindStringSubmatch(lines.Text()); m != nil {
				s.token = m[1]
			}
			if m := metricsLine.FindStringSubmatch(lines.Text()); m != nil {
				s.metricsURL = m[1]
			}
			if m := listeningLine.FindStringSubmatch(lines.Text()); m != nil {
				s.url = m[1]
				close(found)
				break
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case <-found:
	case err := <-done:
		t.Fatalf("server exited before listening: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("server did not start")
	}
	stopped := false
	s.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("server did not stop")
		}
	}
	t.Cleanup(s.stop)
	return s
}

func (s server) call(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	status, m, err := s.send(method, path, body)
	if err != nil {
		t.Fatal(err)
	}
	return status, m
}

// send is call for spawned goroutines: it returns the error instead of
// failing the test.
func (s server) send(method, path, body string) (int, map[string]any, error) {
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	return resp.StatusCode, m, nil
}

func TestHTTPAcceptanceRestartKeepsChanges(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sb.db")
	s1 := startServer(t, db, nil)
	if s1.token == "" {
		t.Fatal("first start printed no API token")
	}
	_, m := s1.call(t, "GET", "/api/scheduler/jobs", "")
	if m["total"] != 8.0 {
		t.Fatalf("catalogue: got %v jobs, want the 7 of the catalogue and prune_history", m["total"])
	}
	if st, m := s1.call(t, "PUT", "/api/scheduler/jobs/morning_briefing/schedule", `{"trigger":"cron","hour":7,"minute":5,"day_of_week":"mon-fri"}`); st != 200 {
		t.Fatalf("reschedule: %d %v", st, m)
	}
	if st, m := s1.call(t, "POST", "/api/scheduler/jobs/morning_briefing/pause", `{"reason":"restart test"}`); st != 200 {
		t.Fatalf("pause: %d %v", st, m)
	}
	if st, m := s1.call(t, "DELETE", "/api/scheduler/jobs/weekly_review", ""); st != 200 {
		t.Fatalf("delete: %d %v", st, m)
	}
	s1.stop()

	s2 := startServer(t, db, nil)
	if s2.token != "" {
		t.Fatal("second start made another token")
	}
	s2.token = s1.token
	_, j := s2.call(t, "GET", "/api/scheduler/jobs/morning_briefing", "")
	if j["schedule"] != "Weekdays at 07:05" || j["enabled"] != false || j["next_run"] != nil || j["paused_reason"] != "restart test" {
		t.Fatalf("after restart: got %v", j)
	}
	_, m = s2.call(t, "GET", "/api/scheduler/jobs", "")
	if m["total"] != 7.0 {
		t.Fatalf("after restart: got %v jobs, want 7 (a deleted catalogue job must not come back)", m["total"])
	}
}

func TestHTTPAcceptanceTimezones(t *testing.T) {
	for _, zone := range []string{"Europe/Paris", "Asia/Kolkata", "Asia/Tokyo", "America/Sao_Paulo"} {
		t.Run(zone, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "sb.db")
			st, err := models.OpenSQLite(db)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.SetSetting(context.Background(), models.SettingTimezone, zone, nil); err != nil {
				t.Fatal(err)
			}
			st.Close()
			s := startServer(t, db, map[string]string{"SWITCHBOARD_API_TOKEN": "tz-token-123456"})
			s.token = "tz-token-123456"
			loc, _ := time.LoadLocation(zone)
			_, m := s.call(t, "GET", "/api/scheduler/jobs", "")
			if m["timezone"] != zone {
				t.Fatalf("timezone: got %v, want %s", m["timezone"], zone)
			}
			for _, raw := range m["jobs"].([]any) {
				j := raw.(map[string]any)
				next, err := time.Parse(time.RFC3339, j["next_run"].(string))
				if err != nil || j["timezone"] != zone {
					t.Fatalf("%s: next_run %v timezone %v", j["id"], j["next_run"], j["timezone"])
				}
				_, wantOff := next.In(loc).Zone()
				if _, off := next.Zone(); off != wantOff {
					t.Fatalf("%s: next_run %v has offset %d, want %d", j["id"], j["next_run"], off, wantOff)
				}
				if j["id"] == "download_tracker" && (next.Hour() != 9 || next.Minute() != 0) {
					t.Fatalf("download_tracker next_run %v, want 09:00 local", next)
				}
			}
		})
	}
}
