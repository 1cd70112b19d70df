package handlers_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"switchboard/handlers"
)

func TestCORSAllowList(t *testing.T) {
	const stranger = "https://evil.example"
	listed := newEnvConfig(t, handlers.Config{APIToken: testToken, CORSOrigins: []string{frontEnd}}, nil)
	unlisted := newEnvConfig(t, handlers.Config{APIToken: testToken}, nil)
	envs := map[bool]*env{true: listed, false: unlisted}
	cookies := map[bool]string{}
	for k, e := range envs {
		e.createWebhook("j", `"trigger":"interval","minutes":5`)
		cookies[k] = e.sessionCookie(t, "alice")
	}
	preflight := func(origin string) map[string]string {
		return map[string]string{"Origin": origin, "Access-Control-Request-Method": "POST",
			"Access-Control-Request-Headers": "content-type", "Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "cors"}
	}
	tests := []struct {
		name         string
		listed       bool // Switchboard started with --cors-origin http://localhost:3000
		method, path string
		hdr          map[string]string
		session      bool
		wantStatus   int
		wantOrigin   string // Access-Control-Allow-Origin; "" for none
		changes      bool   // the job's version moves
	}{
		{"preflight from a listed origin needs no session", true, "OPTIONS", "/api/scheduler/jobs/j/pause", preflight(frontEnd), false, 204, frontEnd, false},
		{"preflight for the stream", true, "OPTIONS", "/api/stream", map[string]string{"Origin": frontEnd, "Access-Control-Request-Method": "GET"}, false, 204, frontEnd, false},
		{"preflight from an unlisted origin", true, "OPTIONS", "/api/scheduler/jobs/j/pause", preflight(stranger), false, 403, "", false},
		{"preflight when no origin is listed (the default)", false, "OPTIONS", "/api/scheduler/jobs/j/pause", preflight(frontEnd), false, 403, "", false},
		{"write from a listed origin, same site", true, "POST", "/api/scheduler/jobs/j/pause",
			map[string]string{"Origin": frontEnd, "Sec-Fetch-Site": "same-site"}, true, 200, frontEnd, true},
		{"write from a listed origin on another site", true, "POST", "/api/scheduler/jobs/j/resume",
			map[string]string{"Origin": frontEnd, "Sec-Fetch-Site": "cross-site"}, true, 200, frontEnd, true},
		{"write from an unlisted origin", true, "POST", "/api/scheduler/jobs/j/pause",
			map[string]string{"Origin": stranger, "Sec-Fetch-Site": "cross-site"}, true, 403, "", false},
		{"write from an unlisted origin, old browser", true, "POST", "/api/scheduler/jobs/j/pause",
			map[string]string{"Origin": stranger}, true, 403, "", false},
		{"write from the front-end when no origin is listed", false, "POST", "/api/scheduler/jobs/j/pause",
			map[string]string{"Origin": frontEnd, "Sec-Fetch-Site": "same-site"}, true, 403, "", false},
		{"console form from a listed origin: the list is for the API only", true, "POST", "/jobs/j/pause",
			map[string]string{"Origin": frontEnd, "Sec-Fetch-Site": "same-site", "Content-Type": "application/x-www-form-urlencoded"}, true, 403, "", false},
		{"write from a listed origin without a session", true, "POST", "/api/scheduler/jobs/j/pause",
			map[string]string{"Origin": frontEnd, "Sec-Fetch-Site": "same-site"}, false, 401, frontEnd, false},
		{"read from a listed origin", true, "GET", "/api/scheduler/jobs",
			map[string]string{"Origin": frontEnd, "Sec-Fetch-Site": "same-site"}, true, 200, frontEnd, false},
		{"read from an unlisted origin carries no CORS headers", true, "GET", "/api/scheduler/jobs",
			map[string]string{"Origin": stranger, "Sec-Fetch-Site": "cross-site"}, true, 200, "", false},
		{"health from a listed origin", true, "GET", "/api/health",
			map[string]string{"Origin": frontEnd, "Sec-Fetch-Site": "same-site"}, false, 200, frontEnd, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := envs[tt.listed]
			hdr := map[string]string{}
			for k, v := range tt.hdr {
				hdr[k] = v
			}
			if tt.session {
				hdr["Cookie"] = cookies[tt.listed]
			}
			before := e.job("j")["version"]
			resp, body, err := e.rawResponse(tt.method, tt.path, hdr)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("got %d %s, want %d", resp.StatusCode, body, tt.wantStatus)
			}
			if tt.wantStatus == 403 && !strings.Contains(string(body), "Cross-origin request refused") {
				t.Errorf("refusal: got %s, want the cross-origin message", body)
			}
			h := resp.Header
			if got := h.Get("Access-Control-Allow-Origin"); got != tt.wantOrigin {
				t.Errorf("Access-Control-Allow-Origin: got %q, want %q", got, tt.wantOrigin)
			}
			if tt.wantOrigin != "" && (h.Get("Access-Control-Allow-Credentials") != "true" || !strings.Contains(h.Get("Vary"), "Origin")) {
				t.Errorf("credentials %q, Vary %q: want true and Origin", h.Get("Access-Control-Allow-Credentials"), h.Get("Vary"))
			}
			if after := e.job("j")["version"]; (after != before) != tt.changes {
				t.Errorf("job version %v → %v; want a change: %v", before, after, tt.changes)
			}
		})
	}
}

// An EventSource cannot send headers: from a listed origin the stream must
// work with the session cookie alone, and carry live changes.
func TestCORSStreamWithSessionCookie(t *testing.T) {
	e := newEnvConfig(t, handlers.Config{APIToken: testToken, CORSOrigins: []string{frontEnd}}, nil)
	e.createWebhook("j", `"trigger":"interval","minutes":5`)
	cookie := e.sessionCookie(t, "alice")

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/api/stream", nil)
	for k, v := range map[string]string{"Cookie": cookie, "Origin": frontEnd, "Accept": "text/event-stream",
		"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "cors"} {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" ||
		resp.Header.Get("Access-Control-Allow-Origin") != frontEnd || resp.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Fatalf("stream: got %d %v, want 200 text/event-stream with CORS for %s", resp.StatusCode, resp.Header, frontEnd)
	}
	r := bufio.NewReader(resp.Body)
	var events []string
	paused := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended after %v: %v", events, err)
		}
		name, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "event: ")
		if !ok {
			continue
		}
		events = append(events, name)
		if len(events) == 1 && name != "snapshot" {
			t.Fatalf("first event: got %s, want snapshot", name)
		}
		if !paused {
			// The snapshot is in: a change made elsewhere must follow.
			if status, m := e.do("POST", "/api/scheduler/jobs/j/pause", ""); status != 200 {
				t.Fatalf("pause: %d %v", status, m)
			}
			paused = true
		}
		if name == "job_updated" {
			return
		}
	}
}
