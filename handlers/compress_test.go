package handlers_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"switchboard/handlers"
	"switchboard/models"
)

// answer is a response as it left the server: the client decoded nothing.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// rawClient sends the Accept-Encoding it is given (none when empty) and
// never decompresses or follows redirects, so a test sees the bytes on the
// wire. jar may be nil.
func rawClient(jar http.CookieJar) *http.Client {
	return &http.Client{
		Jar:           jar,
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func fetchRaw(t *testing.T, c *http.Client, method, url, body string, acceptEncoding string, headers ...string) answer {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	req.Header.Set("X-Request-Id", "compress-test") // answers that echo it stay comparable
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gzip: %v (body starts %q)", err, b[:min(len(b), 16)])
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	return out
}

func varies(h http.Header) bool {
	for _, v := range h.Values("Vary") {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), "Accept-Encoding") {
				return true
			}
		}
	}
	return false
}

// HTML and JSON of 1 KiB or more go out gzipped to a client that accepts
// gzip and plain to one that does not, both saying Vary: Accept-Encoding,
// and the gzipped bytes decompress to the plain answer; smaller answers,
// redirects and HEAD stay plain; static assets come precompressed.
func TestCompression(t *testing.T) {
	e := newEnvWith(t, envOptions{cfg: handlers.Config{APIToken: testToken}, catalog: true})
	e.createWebhook("w", `"trigger":"interval","minutes":5`)
	b := e.signIn(t, "ada", models.RoleAdmin)
	session, token := rawClient(b.client.Jar), rawClient(nil)
	bearer := []string{"Authorization", "Bearer " + testToken}

	// The layout links htmx under its hashed URL.
	page := fetchRaw(t, session, "GET", e.srv.URL+"/jobs", "", "")
	htmx := ""
	for _, s := range strings.Split(string(page.body), `src="`)[1:] {
		if u, _, _ := strings.Cut(s, `"`); strings.Contains(u, "htmx-2") {
			htmx = u
		}
	}
	if htmx == "" {
		t.Fatal("the jobs page links no htmx")
	}

	badSchedule := url.Values{"version": {"1"}, "mode": {"cron"}, "hour": {"31"}}.Encode()
	for _, c := range []struct {
		name         string
		client       *http.Client
		method, path string
		body         string
		headers      []string
		status       int
		gzip         bool // compressed when the client accepts gzip
	}{
		{"jobs page", session, "GET", "/jobs", "", nil, 200, true},
		{"job list", token, "GET", "/api/scheduler/jobs", "", bearer, 200, true},
		{"small JSON", token, "GET", "/api/scheduler/status", "", bearer, 200, false},
		{"JSON error", token, "GET", "/api/scheduler/jobs/nope", "", bearer, 404, false},
		{"error page", session, "GET", "/jobs/nope", "", nil, 404, true},
		{"htmx fragment, 422", session, "POST", "/jobs/w/schedule", badSchedule,
			[]string{"HX-Request", "true", "Content-Type", "application/x-www-form-urlencoded"}, 422, true},
		// "/" is the overview now: a signed-in visitor sent on by the login page is the redirect.
		{"redirect", session, "GET", "/login?next=%2Fjobs", "", nil, 303, false},
		{"HEAD page", session, "HEAD", "/jobs", "", nil, 200, false}, // gzhttp never compresses HEAD
		{"static asset", rawClient(nil), "GET", htmx, "", nil, 200, true},
		// A HEAD answers with the headers a GET would get.
		{"static HEAD", rawClient(nil), "HEAD", htmx, "", nil, 200, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			plain := fetchRaw(t, c.client, c.method, e.srv.URL+c.path, c.body, "", c.headers...)
			zipped := fetchRaw(t, c.client, c.method, e.srv.URL+c.path, c.body, "gzip, deflate, br", c.headers...)
			if plain.status != c.status || zipped.status != c.status {
				t.Fatalf("status: got %d plain and %d with gzip, want %d", plain.status, zipped.status, c.status)
			}
			if got := plain.header.Get("Content-Encoding"); got != "" {
				t.Fatalf("without Accept-Encoding: got Content-Encoding %q, want none", got)
			}
			got := zipped.header.Get("Content-Encoding")
			switch {
			case c.gzip && got != "gzip":
				t.Fatalf("with gzip accepted: got Content-Encoding %q, want gzip (%d bytes plain)", got, len(plain.body))
			case !c.gzip && got != "":
				t.Fatalf("with gzip accepted: got Content-Encoding %q, want none (%d bytes plain)", got, len(plain.body))
			}
			body := zipped.body
			if c.gzip {
				if !varies(plain.header) || !varies(zipped.header) {
					t.Fatalf("Vary: got %q plain and %q gzipped, want Accept-Encoding in both",
						plain.header.Values("Vary"), zipped.header.Values("Vary"))
				}
			}
			if c.gzip && c.method != "HEAD" {
				if len(plain.body) < 1024 {
					t.Fatalf("plain body: got %d bytes, want at least 1 KiB to be worth compressing", len(plain.body))
				}
				if len(zipped.body) >= len(plain.body) {
					t.Fatalf("gzipped body: got %d bytes, want fewer than the %d plain", len(zipped.body), len(plain.body))
				}
				body = gunzip(t, zipped.body)
			}
			if !bytes.Equal(body, plain.body) {
				t.Fatalf("decoded body differs from the plain one:\n got %.300q\nwant %.300q", body, plain.body)
			}
			if !c.gzip && len(plain.body) >= 1024 {
				t.Fatalf("plain body: got %d bytes, want under 1 KiB for an answer left uncompressed", len(plain.body))
			}
			if c.status == 303 && zipped.header.Get("Location") != "/jobs" {
				t.Fatalf("redirect: got Location %q, want /jobs", zipped.header.Get("Location"))
			}
			if c.method == "HEAD" && len(zipped.body) != 0 {
				t.Fatalf("HEAD: got %d bytes of body, want none", len(zipped.body))
			}
		})
	}
}

// The live streams are never compressed, whatever the client accepts: each
// frame's bytes are shared by every client. They still take the connection
// over and deliver the snapshot and then a live change.
func TestCompressionSkipsStreams(t *testing.T) {
	e := newEnvWith(t, envOptions{cfg: handlers.Config{APIToken: testToken}, catalog: true})
	for i, path := range []string{"/api/stream", "/events?view=jobs"} {
		t.Run(path, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+testToken)
			req.Header.Set("Accept-Encoding", "gzip")
			resp, err := rawClient(nil).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
				t.Fatalf("got %d %q, want 200 text/event-stream", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if got := resp.Header.Get("Content-Encoding"); got != "" {
				t.Fatalf("got Content-Encoding %q, want none", got)
			}
			if !resp.Close {
				t.Fatal("got a stream served in place, want the connection taken over (Connection: close)")
			}
			r := bufio.NewReader(resp.Body)
			first, err := r.Peek(6)
			if err != nil || string(first) != "retry:" {
				t.Fatalf("stream starts %q (%v), want plain text \"retry:\"", first, err)
			}
			// next reads up to the next event other than a heartbeat and returns its name.
			next := func() string {
				t.Helper()
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						t.Fatalf("stream ended: %v", err)
					}
					if name, ok := strings.CutPrefix(strings.TrimSpace(line), "event: "); ok && name != "heartbeat" {
						return name
					}
				}
			}
			if got := next(); got != "snapshot" {
				t.Fatalf("first event: got %q, want snapshot", got)
			}
			id := fmt.Sprintf("w%d", i)
			e.createWebhook(id, `"trigger":"interval","minutes":5`)
			if got := next(); got == "" || got == "snapshot" {
				t.Fatalf("after a create: got event %q, want the change", got)
			}
			if status, m := e.do("POST", "/api/scheduler/jobs/"+id+"/pause", ""); status != 200 {
				t.Fatalf("pause: got %d %v", status, m)
			}
			if got := next(); got == "" || got == "snapshot" {
				t.Fatalf("after a change: got event %q, want the change", got)
			}
		})
	}
}
