package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchboard/static"
)

func TestPromptJobRunsOnActiveProviderAndKeysStaySecret(t *testing.T) {
	const key = "sk-CANARY-key-5f4e3d2c1b"
	var prompts []string
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		prompts = append(prompts, string(body))
		if r.Header.Get("Authorization") != "Bearer "+key {
			http.Error(w, `{"error":{"message":"bad key"}}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"c","object":"chat.completion","created":1,"model":"gpt-5","choices":[{"index":0,"message":{"role":"assistant","content":"Markets look calm."},"finish_reason":"stop"}]}`)
	}))
	defer provider.Close()

	db := filepath.Join(t.TempDir(), "sb.db")
	s := startServer(t, db, map[string]string{"SWITCHBOARD_API_TOKEN": "token-for-prompt-test"})
	s.token = "token-for-prompt-test"

	// Without a provider a prompt job is skipped.
	_, m := s.call(t, "POST", "/api/scheduler/jobs/daily_summary/trigger", "")
	waitRun(t, s, "daily_summary", m["run_id"], "skipped")

	if st, m := s.call(t, "POST", "/api/settings/ai-provider", fmt.Sprintf(`{"provider":"openai","api_key":"%s","model":"gpt-5","base_url":"%s/v1/"}`, key, provider.URL)); st != 200 {
		t.Fatalf("add provider: %d %v", st, m)
	}
	_, m = s.call(t, "POST", "/api/scheduler/jobs/morning_briefing/trigger", "")
	run := waitRun(t, s, "morning_briefing", m["run_id"], "success")
	if run["result_summary"] != "Markets look calm." || run["provider"] != "openai" || run["model"] != "gpt-5" {
		t.Fatalf("run: %v", run)
	}
	if len(prompts) != 1 || !strings.Contains(prompts[0], "pre-market briefing") {
		t.Fatalf("prompt sent: %v", prompts)
	}

	// A test connection that fails still keeps the key out of everything.
	s.call(t, "POST", "/api/settings/ai-provider", fmt.Sprintf(`{"provider":"xai","api_key":"%s-x","base_url":"%s/v1/"}`, key, provider.URL))
	_, m = s.call(t, "POST", "/api/settings/ai-provider/xai/test", "")
	if m["success"] != false || strings.Contains(fmt.Sprint(m), key) {
		t.Fatalf("test answer: %v", m)
	}
	s.stop()
	if strings.Contains(s.logs.String(), key) || strings.Contains(s.logs.String(), s.token) {
		t.Fatal("the logs hold an API key or the API token")
	}
	if !strings.Contains(s.logs.String(), `route="POST /api/scheduler/jobs/{id}/trigger"`) || !strings.Contains(s.logs.String(), "user=env-token") {
		t.Fatal("request log lines lack the route pattern or the caller")
	}
	for _, f := range []string{db, db + "-wal"} {
		raw, _ := os.ReadFile(f)
		if strings.Contains(string(raw), key) {
			t.Fatalf("%s holds the key in plain text", f)
		}
	}
	if info, err := os.Stat(db + ".key"); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v, want mode 0600", info, err)
	}
}

// waitRun waits for a run to reach a final status and returns it.
func waitRun(t *testing.T, s server, jobID string, runID any, want string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		_, m := s.call(t, "GET", "/api/scheduler/history?job_id="+jobID, "")
		for _, r := range m["history"].([]any) {
			run := r.(map[string]any)
			if run["id"] == runID && run["status"] != "running" {
				if run["status"] != want {
					t.Fatalf("run %v of %s: got %v (%v), want %s", runID, jobID, run["status"], run["error"], want)
				}
				return run
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("run %v of %s did not finish", runID, jobID)
	return nil
}

func TestStaticAssetsArePublic(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "sb.db"), map[string]string{"SWITCHBOARD_API_TOKEN": "static-token-1234"})
	assets, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(s.url + assets.URL("vendor/htmx-2.0.11.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "htmx") || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("htmx: got %d, %d bytes, %q", resp.StatusCode, len(body), resp.Header.Get("Cache-Control"))
	}
}
