// The outside probe's findings that need the real binary (issue 12).
//
//	test                          guards
//	TestBinaryWebhookEgress       webhooks never reach the server's own address or link-local/metadata, after DNS and through redirects; --webhook-deny/--webhook-allow
//	TestBinaryCookieSecure        --cookie-secure marks the session cookie Secure behind a TLS proxy
//	TestBinaryDatabaseFilesPrivate the database, WAL and SHM files are 0600, and `switchboard check` reports looser ones

package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// stop ends the server as an operator would, and waits for it.
func (b binaryServer) stop(t *testing.T) {
	t.Helper()
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- b.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = b.cmd.Process.Kill()
		t.Fatal("the server did not stop on SIGTERM")
	}
}

// runOf waits for job id's newest finished run and returns it.
func (b binaryServer) runOf(t *testing.T, id string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		_, m := b.call("GET", "/api/scheduler/jobs/"+id, "")
		if runs, _ := m["recent_history"].([]any); len(runs) > 0 {
			if r := runs[0].(map[string]any); r["status"] != "running" {
				return r
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("job %s never finished a run", id)
	return nil
}

func TestBinaryWebhookEgress(t *testing.T) {
	var outside atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { outside.Add(1) }))
	defer target.Close()
	srv := startBinary(t, filepath.Join(t.TempDir(), "egress.db"), "--webhook-deny", "127.0.0.2/32")
	defer srv.stop(t)
	self, _ := url.Parse(srv.url)
	var bounced atomic.Int64
	bounce := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bounced.Add(1)
		http.Redirect(w, r, srv.url+"/metrics", http.StatusFound)
	}))
	defer bounce.Close()
	hook := func(id, u string) (int, map[string]any) {
		return srv.call("POST", "/api/scheduler/jobs", fmt.Sprintf(`{"id":%q,"name":%q,"kind":"webhook","config":{"url":%q,"method":"GET"},"trigger":"interval","minutes":60}`, id, id, u))
	}
	// Refused when saved: literal addresses the policy refuses.
	for _, u := range []string{srv.url + "/metrics", "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://[::ffff:169.254.169.254]/", "http://127.0.0.2:9/"} {
		status, m := hook("refused", u)
		if status != http.StatusBadRequest || !strings.Contains(fmt.Sprint(m["error"]), "config.url") {
			t.Errorf("webhook to %s: %d %v, want 400 naming config.url", u, status, m)
		}
	}
	// Refused when dialled: a name for our own address, and a redirect to it.
	for id, u := range map[string]string{
		"byname":   "http://localhost:" + self.Port() + "/metrics",
		"redirect": bounce.URL + "/go",
	} {
		if status, m := hook(id, u); status != http.StatusCreated {
			t.Fatalf("webhook %s: %d %v", id, status, m)
		}
		if status, m := srv.call("POST", "/api/scheduler/jobs/"+id+"/trigger", ""); status != http.StatusOK && status != http.StatusAccepted {
			t.Fatalf("trigger %s: %d %v", id, status, m)
		}
		run := srv.runOf(t, id)
		if run["status"] != "error" || !strings.Contains(fmt.Sprint(run["error"]), "own address") || strings.Contains(fmt.Sprint(run["result_summary"]), "switchboard_") {
			t.Errorf("run of %s: %v, want a failure naming our own address and nothing read", id, run)
		}
	}
	if bounced.Load() == 0 {
		t.Fatal("the redirecting server was never called")
	}
	// Elsewhere on loopback is fine.
	if status, m := hook("outside", target.URL+"/ok"); status != http.StatusCreated {
		t.Fatalf("webhook to another loopback server: %d %v", status, m)
	}
	srv.call("POST", "/api/scheduler/jobs/outside/trigger", "")
	if run := srv.runOf(t, "outside"); run["status"] != "success" || outside.Load() != 1 {
		t.Fatalf("run to an allowed address: %v, target called %d times", run, outside.Load())
	}
}

func TestBinaryCookieSecure(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		secure bool
	}{{nil, false}, {[]string{"--cookie-secure"}, true}} {
		srv := startBinary(t, filepath.Join(t.TempDir(), "c.db"), tt.args...)
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		req, _ := http.NewRequest("POST", srv.url+"/login", strings.NewReader(url.Values{"username": {"admin"}, "password": {"crash admin password"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", srv.url)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cookie := resp.Header.Get("Set-Cookie")
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(cookie, "switchboard_session=") || strings.Contains(cookie, "; Secure") != tt.secure {
			t.Errorf("%v: sign-in %d, cookie %q, want Secure=%v", tt.args, resp.StatusCode, cookie, tt.secure)
		}
		srv.stop(t)
	}
}

func TestBinaryDatabaseFilesPrivate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "private.db")
	srv := startBinary(t, db)
	if status, _ := srv.call("PUT", "/api/settings/ui.theme", `{"value":"dark"}`); status != 200 {
		t.Fatalf("a write: %d", status)
	}
	for _, name := range []string{db, db + "-wal", db + "-shm"} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", name, fi.Mode().Perm())
		}
	}
	srv.stop(t)
	// An older database left world-readable: check says so, and opening it
	// makes it private.
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(binary, "check", "--db", db).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "readable by other users (mode 0644)") {
		t.Fatalf("check of a 0644 database: %v\n%s", err, out)
	}
	out, err = exec.Command(binary, "check", "--db", db).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "files private (0600)") {
		t.Fatalf("check after opening: %v\n%s", err, out)
	}
}

// A provider's base URL is held to the webhook egress policy too.
func TestBinaryProviderEgress(t *testing.T) {
	srv := startBinary(t, filepath.Join(t.TempDir(), "provider-egress.db"))
	defer srv.stop(t)
	for _, base := range []string{"http://169.254.169.254/v1", srv.url + "/v1"} {
		status, m := srv.call("POST", "/api/settings/ai-provider", fmt.Sprintf(`{"provider":"openai_compatible","api_key":"sk-egress-test-0123","model":"m","base_url":%q}`, base))
		if status != http.StatusOK {
			t.Fatalf("save %s: %d %v", base, status, m)
		}
		status, m = srv.call("POST", "/api/settings/ai-provider/openai_compatible/test", "")
		if status != http.StatusOK || m["success"] != false || !strings.Contains(fmt.Sprint(m["error"]), "refused by the webhook egress policy") {
			t.Errorf("test connection to %s: %d %v, want a refusal by the egress policy", base, status, m)
		}
	}
}
