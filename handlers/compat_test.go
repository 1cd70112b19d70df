package handlers_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/ai"
	"switchboard/handlers"
	"switchboard/scheduler"
)

// fakeCompleter answers every prompt with "pong" (or err) and remembers what
// it was asked, so connection tests never leave the machine.
type fakeCompleter struct {
	mu   sync.Mutex
	err  error
	reqs []ai.Request
}

func (f *fakeCompleter) Complete(_ context.Context, req ai.Request) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, req)
	return "pong", f.err
}

func (f *fakeCompleter) last() ai.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.reqs) == 0 {
		return ai.Request{}
	}
	return f.reqs[len(f.reqs)-1]
}

// frontEnd is where the original's Next.js front-end runs in development.
const frontEnd = "http://localhost:3000"

// legacyCall is one call the original system's clients make, as they make
// it, and what their code reads from the answer.
type legacyCall struct {
	client       string // the caller in amitpatole/tickerpulse-ai
	method, path string // path may hold {provider_id}, from an earlier answer
	body         string
	json         bool // the client sends Content-Type: application/json (a preflight when cross-origin)
	anonymous    bool // sent without the session cookie and without Origin
	status       int
	check        func(t *testing.T, st *replayState, m map[string]any)
}

// replayState carries what an earlier answer told the client.
type replayState struct {
	ai         *fakeCompleter
	providerID string
}

// legacyCalls is every call of the original front-ends that Switchboard
// serves, in the order a user's session makes them. Read from
// frontend/src/lib/api.ts, frontend/src/app/{settings,scheduler}/page.tsx,
// frontend/src/hooks/useSSE.ts, electron/main/backend-manager.ts and
// templates/dashboard.html.
var legacyCalls = []legacyCall{
	{client: "electron backend-manager checkHealth", method: "GET", path: "/api/health", anonymous: true, status: 200},
	{client: "api.ts getHealth (settings page)", method: "GET", path: "/api/health", json: true, status: 200,
		check: func(t *testing.T, _ *replayState, m map[string]any) {
			if m["status"] != "ok" || m["database"] != "ok" || str(m["version"]) == "" || str(m["timestamp"]) == "" {
				t.Errorf("health: got %v, want status and database ok, a version and a timestamp", m)
			}
		}},
	{client: "api.ts getSchedulerJobs (scheduler page)", method: "GET", path: "/api/scheduler/jobs", json: true, status: 200,
		check: func(t *testing.T, _ *replayState, m map[string]any) {
			jobs := list(m["jobs"])
			if len(jobs) != 8 {
				t.Fatalf("jobs: got %d, want the seven of the catalogue and prune_history", len(jobs))
			}
			for _, j := range jobs {
				id := str(j["id"])
				_, enabled := j["enabled"].(bool)
				_, next := j["next_run"].(string)
				if str(j["name"]) == "" || str(j["description"]) == "" || !enabled || str(j["trigger"]) == "" || !next {
					t.Errorf("job %s: got %v, want name, description, enabled, trigger and next_run", id, j)
				}
				if _, ok := j["last_run"]; !ok {
					t.Errorf("job %s: no last_run", id)
				}
				if want := id == "prune_history"; j["system"] != want {
					t.Errorf("job %s: system %v, want %v", id, j["system"], want)
				}
			}
		}},
	{client: "api.ts triggerJob", method: "POST", path: "/api/scheduler/jobs/morning_briefing/trigger", json: true, status: 202,
		check: func(t *testing.T, _ *replayState, m map[string]any) {
			if str(m["message"]) == "" {
				t.Errorf("trigger: got %v, want a message", m)
			}
		}},
	{client: "api.ts pauseJob", method: "POST", path: "/api/scheduler/jobs/technical_monitor/pause", json: true, status: 200},
	{client: "api.ts getSchedulerJobs after pause", method: "GET", path: "/api/scheduler/jobs", json: true, status: 200,
		check: wantJobEnabled("technical_monitor", false)},
	{client: "api.ts resumeJob", method: "POST", path: "/api/scheduler/jobs/technical_monitor/resume", json: true, status: 200},
	{client: "api.ts getSchedulerJobs after resume", method: "GET", path: "/api/scheduler/jobs", json: true, status: 200,
		check: wantJobEnabled("technical_monitor", true)},
	{client: "dashboard.html testAIProvider", method: "POST", path: "/api/settings/test-ai", json: true, status: 200,
		body: `{"provider":"grok","model":"grok-4","api_key":"xai-legacy-key-0001"}`,
		check: func(t *testing.T, st *replayState, m map[string]any) {
			if m["success"] != true || m["provider"] != "xai" {
				t.Errorf("test-ai: got %v, want success for provider xai", m)
			}
			if r := st.ai.last(); r.Provider != "xai" || r.APIKey != "xai-legacy-key-0001" || r.Model != "grok-4" {
				t.Errorf("test-ai asked %s/%s with key %q, want xai/grok-4 with the key sent", r.Provider, r.Model, r.APIKey)
			}
		}},
	{client: "dashboard.html saveAIProvider", method: "POST", path: "/api/settings/ai-provider", json: true, status: 200,
		body: `{"provider":"grok","model":"grok-4","api_key":"xai-legacy-key-0001"}`,
		check: func(t *testing.T, st *replayState, m map[string]any) {
			id, _ := m["id"].(float64)
			if m["success"] != true || m["provider"] != "xai" || id < 1 {
				t.Fatalf("save: got %v, want success, provider xai and an id", m)
			}
			st.providerID = strconv.Itoa(int(id))
		}},
	{client: "api.ts getAIProviders (settings page)", method: "GET", path: "/api/settings/ai-providers", json: true, status: 200,
		check: func(t *testing.T, _ *replayState, m map[string]any) {
			ps := list(m["providers"])
			if len(ps) < 4 {
				t.Fatalf("providers: got %v, want a list under \"providers\"", m)
			}
			for _, p := range ps {
				models := strs(p["models"])
				if str(p["name"]) == "" || str(p["display_name"]) == "" || str(p["status"]) == "" {
					t.Errorf("provider %v: want name, display_name and status", p)
				}
				configured, _ := p["configured"].(bool)
				var want string
				switch {
				case p["name"] == "xai":
					want = "grok-4" // the stored model
				case !configured && len(models) > 0:
					want = models[0] // the first of its list, as the original answered
				default:
					continue
				}
				if p["default_model"] != want {
					t.Errorf("provider %s: default_model %v, want %s", p["name"], p["default_model"], want)
				}
			}
		}},
	{client: "settings page ProviderCard handleTest", method: "POST", path: "/api/settings/ai-provider/xai/test", json: true, status: 200,
		check: func(t *testing.T, _ *replayState, m map[string]any) {
			if m["success"] != true {
				t.Errorf("test: got %v, want success", m)
			}
		}},
	{client: "useSSE EventSource", method: "GET", path: "/api/stream", status: 200},
	{client: "dashboard.html activateProvider", method: "POST", path: "/api/settings/ai-provider/{provider_id}/activate", status: 200,
		check: wantSuccess},
	{client: "dashboard.html deleteProvider", method: "DELETE", path: "/api/settings/ai-provider/{provider_id}", status: 200,
		check: wantSuccess},
}

// TestOriginalClientsReplay replays every call of the original front-ends,
// signed in with a session cookie as their browser pages are, from the two
// places they are served: behind the Next.js proxy (same origin as seen by
// the browser) and from their own origin with --cors-origin.
func TestOriginalClientsReplay(t *testing.T) {
	modes := []struct {
		name    string
		cors    []string
		fetchOf string // Sec-Fetch-Site the browser sends
		crossed bool   // the browser sees another origin: Origin always, preflights
	}{
		{"through the Next.js proxy", nil, "same-origin", false},
		{"from a front-end on another origin", []string{frontEnd}, "same-site", true},
	}
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			fake := &fakeCompleter{}
			e := newEnvWith(t, envOptions{
				cfg: handlers.Config{APIToken: testToken, CORSOrigins: mode.cors}, ai: fake, catalog: true,
				builtins: []scheduler.Builtin{{ID: "prune_history", Name: "Prune run history", Description: "Deletes old runs.",
					Schedule: interval(t, 24*time.Hour), Run: func(context.Context) (string, error) { return "", nil }}},
			})
			cookie := e.sessionCookie(t, "alice")
			st := &replayState{ai: fake}
			for _, c := range legacyCalls {
				path := strings.ReplaceAll(c.path, "{provider_id}", st.providerID)
				hdr := map[string]string{"Sec-Fetch-Site": mode.fetchOf}
				if mode.crossed || c.method != "GET" {
					hdr["Origin"] = frontEnd
				}
				if mode.crossed && (c.json || (c.method != "GET" && c.method != "POST")) {
					e.wantPreflight(t, c.client, c.method, path)
				}
				if c.json {
					hdr["Content-Type"] = "application/json"
				}
				if c.anonymous {
					hdr = map[string]string{}
				} else {
					hdr["Cookie"] = cookie
				}
				resp, m := e.legacyRequest(t, c.method, path, c.body, hdr)
				if resp.StatusCode != c.status {
					t.Fatalf("%s: %s %s: got %d %v, want %d", c.client, c.method, path, resp.StatusCode, m, c.status)
				}
				if mode.crossed && !c.anonymous {
					if got := resp.Header.Get("Access-Control-Allow-Origin"); got != frontEnd || resp.Header.Get("Access-Control-Allow-Credentials") != "true" {
						t.Errorf("%s: Access-Control-Allow-Origin %q with credentials %q, want %s with true", c.client, got,
							resp.Header.Get("Access-Control-Allow-Credentials"), frontEnd)
					}
				}
				if c.check != nil {
					c.check(t, st, m)
				}
			}
		})
	}
}

// legacyRequest sends one call. A stream is read up to its first event,
// which is returned as {"event": name, "data": payload}.
func (e *env) legacyRequest(t *testing.T, method, path, body string, hdr map[string]string) (*http.Response, map[string]any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") == "text/event-stream" {
		return resp, firstEvent(t, resp.Body)
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s %s: answer is not a JSON object: %q", method, path, raw)
	}
	return resp, m
}

// firstEvent reads a stream's first event as EventSource would deliver it.
func firstEvent(t *testing.T, body io.Reader) map[string]any {
	t.Helper()
	r := bufio.NewReader(body)
	ev := map[string]any{}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended before its first event: %v", err)
		}
		line = strings.TrimSuffix(line, "\n")
		if name, ok := strings.CutPrefix(line, "event: "); ok {
			ev["event"] = name
		}
		if data, ok := strings.CutPrefix(line, "data: "); ok {
			var payload map[string]any
			if err := json.Unmarshal([]byte(data), &payload); err != nil {
				t.Fatalf("event data is not JSON: %q", data)
			}
			ev["data"] = payload
		}
		if line == "" && ev["data"] != nil {
			if ev["event"] != "snapshot" {
				t.Fatalf("first event: got %v, want a snapshot", ev["event"])
			}
			return ev
		}
	}
}

// wantPreflight sends the browser's preflight for a call, without the
// session, and checks it admits the call with credentials.
func (e *env) wantPreflight(t *testing.T, client, method, path string) {
	t.Helper()
	resp, _, err := e.rawResponse("OPTIONS", path, map[string]string{
		"Origin": frontEnd, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": "content-type",
		"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "cors",
	})
	if err != nil {
		t.Fatal(err)
	}
	h := resp.Header
	if resp.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != frontEnd ||
		h.Get("Access-Control-Allow-Credentials") != "true" ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), method) ||
		!strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "content-type") {
		t.Fatalf("%s: preflight for %s %s: got %d %v", client, method, path, resp.StatusCode, h)
	}
}

// rawResponse sends a request with exactly the given headers.
func (e *env) rawResponse(method, path string, hdr map[string]string) (*http.Response, []byte, error) {
	req, err := http.NewRequest(method, e.srv.URL+path, nil)
	if err != nil {
		return nil, nil, err
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp, raw, err
}

// sessionCookie signs an admin in through the form and returns the Cookie
// header a browser then sends.
func (e *env) sessionCookie(t *testing.T, username string) string {
	t.Helper()
	b := e.signIn(t, username, "admin")
	u, _ := url.Parse(e.srv.URL)
	var parts []string
	for _, c := range b.client.Jar.Cookies(u) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	if len(parts) == 0 {
		t.Fatal("signing in set no cookie")
	}
	return strings.Join(parts, "; ")
}

func wantJobEnabled(id string, enabled bool) func(*testing.T, *replayState, map[string]any) {
	return func(t *testing.T, _ *replayState, m map[string]any) {
		i := slices.IndexFunc(list(m["jobs"]), func(j map[string]any) bool { return j["id"] == id })
		if i < 0 || list(m["jobs"])[i]["enabled"] != enabled {
			t.Errorf("job %s: want enabled %v in %v", id, enabled, m["jobs"])
		}
	}
}

func wantSuccess(t *testing.T, _ *replayState, m map[string]any) {
	if m["success"] != true {
		t.Errorf("got %v, want success", m)
	}
}

func str(v any) string { s, _ := v.(string); return s }

func list(v any) []map[string]any {
	var out []map[string]any
	vs, _ := v.([]any)
	for _, x := range vs {
		m, _ := x.(map[string]any)
		out = append(out, m)
	}
	return out
}

func strs(v any) []string {
	var out []string
	vs, _ := v.([]any)
	for _, x := range vs {
		out = append(out, str(x))
	}
	return out
}
