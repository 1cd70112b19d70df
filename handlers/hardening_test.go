// Findings of the outside probe (issue 12), each replayed over HTTP.
//
//	test                                   guards
//	TestSignInRedirectStaysOnThisSite      next= never leads off this origin, whatever browsers strip
//	TestSignInLimiterHoldsAndLocksNobodyOut the limiter cannot be reset, and guesses elsewhere do not lock the admin out
//	TestStoredKeyNeverLeavesForANewAddress a new base_url needs the key again (API and form); the key never reaches it
//	TestProviderSaveKeepsWhatItDoesNotName absent fields keep their value, "" clears it; masks keep four characters

package handlers_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/handlers"
)

func TestSignInRedirectStaysOnThisSite(t *testing.T) {
	e := newEnv(t, nil)
	if _, err := e.store.CreateUser(t.Context(), "alice", testPassword, "admin"); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ next, want string }{
		{"/jobs/w?tab=runs", "/jobs/w?tab=runs"},
		{"/history", "/history"},
		{"", "/"},
		{"//evil.example", "/"},
		{"///evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"\t//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"\\/evil.example", "/"},
		{"/\\/evil.example", "/"},
		{"https://evil.example/", "/"},
		{"HTTPS://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{" //evil.example", "/"},
		{"/\x00/evil.example", ""}, // refused as a form with a control character
		{"/\x7f/evil.example", ""},
		{"http:/evil.example", "/"},
		{"//user@evil.example", "/"},
	}
	for _, tt := range tests {
		t.Run(url.QueryEscape(tt.next), func(t *testing.T) {
			b := e.anonymous(t).noRedirects()
			status, _, hdr := b.post("/login", url.Values{"username": {"alice"}, "password": {testPassword}, "next": {tt.next}}, false)
			if tt.want == "" {
				if status != http.StatusBadRequest {
					t.Fatalf("sign in with next=%q: %d Location %q, want 400", tt.next, status, hdr.Get("Location"))
				}
				return
			}
			if status != http.StatusSeeOther || hdr.Get("Location") != tt.want {
				t.Fatalf("sign in with next=%q: %d Location %q, want %q", tt.next, status, hdr.Get("Location"), tt.want)
			}
			// Signed in already, the login page sends them on the same way.
			status, _, hdr = b.get("/login?next=" + url.QueryEscape(tt.next))
			if status != http.StatusSeeOther || hdr.Get("Location") != tt.want {
				t.Fatalf("GET /login?next=%q signed in: %d Location %q, want %q", tt.next, status, hdr.Get("Location"), tt.want)
			}
		})
	}
}

// from is an anonymous browser whose connections leave from address ip
// (any of 127.0.0.0/8 reaches the loopback server).
func (e *env) from(t *testing.T, ip string) *browser {
	b := e.anonymous(t).noRedirects()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	b.client.Transport = &http.Transport{DialContext: d.DialContext}
	return b
}

func TestSignInLimiterHoldsAndLocksNobodyOut(t *testing.T) {
	// The clock stands still: however slow bcrypt is here, no bucket refills.
	frozen := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	e := newEnvWith(t, envOptions{cfg: handlers.Config{APIToken: testToken}, now: func() time.Time { return frozen }})
	if _, err := e.store.CreateUser(t.Context(), "admin", testPassword, "admin"); err != nil {
		t.Fatal(err)
	}
	login := func(b *browser, user, password string) int {
		t.Helper()
		status, _, _ := b.post("/login", url.Values{"username": {user}, "password": {password}, "next": {"/jobs"}}, false)
		return status
	}
	// An attacker's address guesses the admin's password until refused.
	attacker := e.from(t, "127.0.0.2")
	for i := range 5 {
		if got := login(attacker, "admin", "wrong"); got != http.StatusOK {
			t.Fatalf("guess %d: got %d, want 200 (the form again, with its message)", i+1, got)
		}
	}
	if got := login(attacker, "admin", "wrong"); got != http.StatusTooManyRequests {
		t.Fatalf("sixth guess: got %d, want 429", got)
	}
	// Many usernames from that address do not start it afresh.
	for i := range 10002 {
		login(attacker, fmt.Sprintf("user%d", i), "wrong")
	}
	if got := login(attacker, "admin", testPassword); got != http.StatusTooManyRequests {
		t.Fatalf("the failing address after 10,002 usernames: got %d, want 429", got)
	}
	// The real admin, from an address that has not been failing, signs in.
	if got := login(e.from(t, "127.0.0.1"), "admin", testPassword); got != http.StatusSeeOther {
		t.Fatalf("the admin from their own address: got %d, want 303", got)
	}
	// A right password costs nothing: an admin signing in often is never refused.
	office := e.from(t, "127.0.0.3")
	for i := range 3 * ipBurst {
		if got := login(office, "admin", testPassword); got != http.StatusSeeOther {
			t.Fatalf("sign-in %d from one address: got %d, want 303", i+1, got)
		}
	}
}

const ipBurst = 10

// keyCatcher is a server that counts the requests carrying key.
func keyCatcher(t *testing.T, key string) (*httptest.Server, *atomic.Int64) {
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Authorization"), key) {
			got.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"pong"},"finish_reason":"stop"}]}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

func TestStoredKeyNeverLeavesForANewAddress(t *testing.T) {
	const key = "sk-bound-to-home-0123"
	e := newEnv(t, nil)
	home, homeGot := keyCatcher(t, key)
	evil, evilGot := keyCatcher(t, key)
	if status, m := e.do("POST", "/api/settings/ai-provider", `{"provider":"openai_compatible","api_key":"`+key+`","model":"llama3","base_url":"`+home.URL+`/v1"}`); status != 200 {
		t.Fatalf("configure: %d %v", status, m)
	}
	// The API: a new address without the key is refused, and nothing changes.
	for _, body := range []string{
		`{"provider":"openai_compatible","base_url":"` + evil.URL + `/v1"}`,
		`{"provider":"openai_compatible","model":"llama3","base_url":"` + evil.URL + `/v1"}`,
		`{"provider":"openai_compatible","base_url":"` + strings.Replace(home.URL, "127.0.0.1", "localhost", 1) + `/v1"}`,
		`{"provider":"openai_compatible","base_url":"` + home.URL + `/v2"}`,
	} {
		status, m := e.do("POST", "/api/settings/ai-provider", body)
		wantError(t, status, m, http.StatusBadRequest, "VALIDATION_ERROR", "")
		if msg, _ := m["error"].(string); !strings.Contains(msg, `"api_key" is required to change "base_url"`) {
			t.Fatalf("%s: error %q does not ask for the key", body, msg)
		}
	}
	// The console's form: the same, as an inline error on the key field.
	admin := e.signIn(t, "alice", "admin")
	status, doc, _ := admin.post("/providers/openai_compatible", url.Values{"model": {"llama3"}, "base_url": {evil.URL + "/v1"}, "api_key": {""}}, true)
	if status != http.StatusUnprocessableEntity || count(doc, "error-api_key") != 1 {
		t.Fatalf("form with a new address and no key: %d, inline error %q", status, text(doc, "error-api_key"))
	}
	// The legacy test button (test-ai) is held to the same rule.
	for _, body := range []string{
		`{"provider":"openai_compatible","base_url":"` + evil.URL + `/v1"}`,
		`{"base_url":"` + evil.URL + `/v1"}`,
	} {
		status, m := e.do("POST", "/api/settings/test-ai", body)
		wantError(t, status, m, http.StatusBadRequest, "VALIDATION_ERROR", "")
	}
	if status, m := e.do("POST", "/api/settings/ai-provider/openai_compatible/test", ""); status != 200 || m["success"] != true {
		t.Fatalf("test connection: %d %v", status, m)
	}
	if evilGot.Load() != 0 || homeGot.Load() != 1 {
		t.Fatalf("the key went to the new address %d times and home %d times, want 0 and 1", evilGot.Load(), homeGot.Load())
	}
	// With the key again, the address changes.
	if status, m := e.do("POST", "/api/settings/ai-provider", `{"provider":"openai_compatible","api_key":"`+key+`","base_url":"`+evil.URL+`/v1"}`); status != 200 {
		t.Fatalf("new address with the key: %d %v", status, m)
	}
	if p := e.provider("openai_compatible"); p["base_url"] != evil.URL+"/v1" || p["model"] != "llama3" {
		t.Fatalf("after re-keying: %v", p)
	}
}

// provider is one entry of the provider list.
func (e *env) provider(name string) map[string]any {
	e.t.Helper()
	for _, p := range e.providers() {
		if p["name"] == name {
			return p
		}
	}
	e.t.Fatalf("no provider %s", name)
	return nil
}

func TestProviderSaveKeepsWhatItDoesNotName(t *testing.T) {
	e := newEnv(t, nil)
	e.do("POST", "/api/settings/ai-provider", `{"provider":"openai","api_key":"sk-first-key-1234","model":"gpt-4o-mini"}`)
	e.do("POST", "/api/settings/ai-provider", `{"provider":"openai_compatible","api_key":"sk-other-key-1234","model":"llama3","base_url":"http://127.0.0.1:9/v1"}`)
	tests := []struct {
		name, body           string
		wantModel, wantBase  any
		wantStatus           int
		provider, wantMasked string
	}{
		{"rotating the key keeps the model", `{"provider":"openai","api_key":"sk-second-key-5678"}`, "gpt-4o-mini", "", 200, "openai", "****5678"},
		{"null keeps nothing: it clears", `{"provider":"openai","model":null}`, "", "", 200, "openai", "****5678"},
		{"a model again", `{"provider":"openai","model":"gpt-4o"}`, "gpt-4o", "", 200, "openai", "****5678"},
		{"an explicit empty model clears it", `{"provider":"openai","model":""}`, "", "", 200, "openai", "****5678"},
		{"a key keeps base_url and model", `{"provider":"openai_compatible","api_key":"sk-third-key-9abc"}`, "llama3", "http://127.0.0.1:9/v1", 200, "openai_compatible", "****9abc"},
		{"a model that must be there cannot be cleared", `{"provider":"openai_compatible","model":""}`, "llama3", "http://127.0.0.1:9/v1", 400, "openai_compatible", "****9abc"},
		{"a base_url that must be there cannot be cleared", `{"provider":"openai_compatible","api_key":"sk-third-key-9abc","base_url":""}`, "llama3", "http://127.0.0.1:9/v1", 400, "openai_compatible", "****9abc"},
		{"the mask is the last four characters", `{"provider":"openai","api_key":"sk-ключ-ключ"}`, "", "", 200, "openai", "****ключ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, m := e.do("POST", "/api/settings/ai-provider", tt.body); status != tt.wantStatus {
				t.Fatalf("%s: %d %v, want %d", tt.body, status, m, tt.wantStatus)
			}
			p := e.provider(tt.provider)
			if p["model"] != tt.wantModel || p["base_url"] != tt.wantBase || p["api_key_masked"] != tt.wantMasked {
				t.Fatalf("after %s: model %q base_url %q mask %q, want %q %q %q", tt.body, p["model"], p["base_url"], p["api_key_masked"], tt.wantModel, tt.wantBase, tt.wantMasked)
			}
		})
	}
}

func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	e := newEnv(t, nil)
	for _, scheme := range []string{"Bearer", "bearer", "BEARER", "bEaReR"} {
		status, _ := e.doRaw("GET", "/api/scheduler/jobs", "", map[string]string{"Authorization": scheme + " " + testToken})
		if status != http.StatusOK {
			t.Errorf("%s scheme: got %d, want 200", scheme, status)
		}
	}
	for _, h := range []string{"Basic " + testToken, "Bearer", "Bearer" + testToken, "Bearer wrong-token-0123456789"} {
		if status, _ := e.doRaw("GET", "/api/scheduler/jobs", "", map[string]string{"Authorization": h}); status != http.StatusUnauthorized {
			t.Errorf("Authorization %q: got %d, want 401", h, status)
		}
	}
}

func TestControlCharactersAndBadUTF8AreRefusedEverywhere(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("w", `"trigger":"interval","minutes":5`)
	job := func(name, prompt string) string {
		return `{"id":"p","name":"` + name + `","kind":"prompt","config":{"prompt":"` + prompt + `"},"trigger":"interval","minutes":5}`
	}
	tests := []struct {
		name, method, path, body string
		field                    string
	}{
		{"NUL in a job name", "POST", "/api/scheduler/jobs", job(`a\u0000b`, "hi"), "name"},
		{"escape in a prompt", "POST", "/api/scheduler/jobs", job("a", `\u001b[31mred`), "config.prompt"},
		{"bell in a header value", "PUT", "/api/scheduler/jobs/w", `{"config":{"url":"http://127.0.0.1:1/","headers":{"X-A":"\u0007"}}}`, "config.headers.X-A"},
		{"C1 control in a pause reason", "POST", "/api/scheduler/jobs/w/pause", `{"reason":"\u0085"}`, "reason"},
		{"raw invalid UTF-8", "POST", "/api/scheduler/jobs", job("a\xff", "hi"), "Request body is not valid UTF-8."},
		{"NUL in a setting", "PUT", "/api/settings/timezone", `{"value":"UTC\u0000"}`, "value"},
		{"NUL in a model", "POST", "/api/settings/ai-provider", `{"provider":"openai","api_key":"sk-0123456789","model":"m\u0000"}`, "model"},
		{"NUL in a query", "GET", "/api/scheduler/history?status=%00", "", "status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, m := e.do(tt.method, tt.path, tt.body)
			wantError(t, status, m, http.StatusBadRequest, "VALIDATION_ERROR", "")
			if msg, _ := m["error"].(string); !strings.Contains(msg, `"`+tt.field+`"`) && msg != tt.field {
				t.Fatalf("error %q does not name %q", msg, tt.field)
			}
		})
	}
	if status, m := e.do("GET", "/api/scheduler/jobs/p", ""); status != http.StatusNotFound {
		t.Fatalf("a refused job exists: %d %v", status, m)
	}
	if j := e.job("w"); j["enabled"] != true {
		t.Fatalf("a refused pause paused: %v", j)
	}
	// Tabs and newlines are text.
	if status, m := e.do("POST", "/api/scheduler/jobs", job("lines", `one\ttwo\nthree\r\n`)); status != http.StatusCreated {
		t.Fatalf("a prompt with lines: %d %v", status, m)
	}
	// The console's forms: the same rule, and nothing is created.
	admin := e.signIn(t, "alice", "admin")
	status, _, _ := admin.post("/jobs", url.Values{"id": {"f"}, "name": {"a\x00b"}, "kind": {"webhook"}, "url": {"http://127.0.0.1:1/"}, "mode": {"interval"}, "every": {"5"}, "unit": {"minutes"}}, true)
	if status != http.StatusBadRequest && status != http.StatusUnprocessableEntity {
		t.Fatalf("form with NUL: %d", status)
	}
	if status, _ := e.do("GET", "/api/scheduler/jobs/f", ""); status != http.StatusNotFound {
		t.Fatalf("a refused form created job f: %d", status)
	}
}

func TestViewersNeverReadWebhookCredentials(t *testing.T) {
	e := newEnv(t, nil)
	secrets := []string{"alice-user", "hunter2pass", "tok-abcdef-3456", "sig-value-9999", "plain-value-8888", "body-secret-7777"}
	const hookURL = "https://alice-user:hunter2pass@127.0.0.1:1/hook/path?token=tok-abcdef-3456&x=1"
	create := `{"id":"w","name":"W","kind":"webhook","trigger":"interval","minutes":5,"config":{"url":"` + hookURL + `",
		"headers":{"X-Sig":"sig-value-9999","X-Plain":"plain-value-8888"},"body":"body-secret-7777"}}`
	if status, m := e.do("POST", "/api/scheduler/jobs", create); status != 201 {
		t.Fatalf("create: %d %v", status, m)
	}
	viewer := e.signIn(t, "vic", "viewer")
	admin := e.signIn(t, "ada", "admin")
	vstream, err := e.dialWith(viewer.client, "/api/stream", "", false)
	if err != nil {
		t.Fatal(err)
	}
	defer vstream.close()
	astream, err := e.dialWith(admin.client, "/api/stream", "", false)
	if err != nil {
		t.Fatal(err)
	}
	defer astream.close()
	if status, m := e.do("POST", "/api/scheduler/jobs/w/pause", `{}`); status != 200 {
		t.Fatalf("pause: %d %v", status, m)
	}
	leaks := func(who, what, raw string, allowLast4 bool) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(raw, s) || (!allowLast4 && strings.Contains(raw, s[len(s)-4:]) && s != "alice-user") {
				t.Errorf("%s: %s shows %q: %s", who, what, s, raw)
			}
		}
	}
	// A viewer: where it goes, nothing else, in the API and the stream.
	for _, path := range []string{"/api/scheduler/jobs/w", "/api/scheduler/jobs"} {
		status, raw := viewer.getRaw(path)
		if status != 200 {
			t.Fatalf("viewer GET %s: %d", path, status)
		}
		leaks("viewer", path, raw, false)
	}
	_, raw := viewer.getRaw("/api/scheduler/jobs/w")
	var job struct{ Config map[string]any }
	if err := json.Unmarshal([]byte(raw), &job); err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"url": "https://127.0.0.1:1/hook/path", "method": "POST"}; !reflect.DeepEqual(job.Config, want) {
		t.Fatalf("viewer sees config %v, want %v", job.Config, want)
	}
	for who, c := range map[string]*sseClient{"viewer": vstream, "admin": astream} {
		evs := c.waitEvents(t, who+" snapshot and pause", func(evs []sseEvent) bool { return len(evs) >= 2 })
		for _, ev := range evs {
			leaks(who, "stream "+ev.name, ev.data, who == "admin")
		}
	}
	// An admin: every value masked to its last four characters.
	_, m := e.do("GET", "/api/scheduler/jobs/w", "")
	shown, _ := json.Marshal(m["config"])
	leaks("admin", "GET job", string(shown), true)
	cfg := m["config"].(map[string]any)
	if cfg["url"] != "https://****@127.0.0.1:1/hook/path?token=****3456&x=****" || cfg["body"] != "****7777" ||
		cfg["headers"].(map[string]any)["X-Plain"] != "****8888" {
		t.Fatalf("admin sees %s", shown)
	}
	// Sent back as shown, the config keeps every stored value.
	back, _ := json.Marshal(map[string]any{"config": cfg})
	if status, m := e.do("PUT", "/api/scheduler/jobs/w", string(back)); status != 200 {
		t.Fatalf("PUT the config as shown: %d %v", status, m)
	}
	// A masked token edited around is refused, not saved as "****…".
	moved := map[string]any{"url": strings.Replace(cfg["url"].(string), "127.0.0.1:1", "127.0.0.1:2", 1)}
	back, _ = json.Marshal(map[string]any{"config": moved})
	status, m := e.do("PUT", "/api/scheduler/jobs/w", string(back))
	wantError(t, status, m, http.StatusBadRequest, "VALIDATION_ERROR", "")
	if msg, _ := m["error"].(string); !strings.Contains(msg, `"config.url"`) {
		t.Fatalf("edited masked URL: %v", m)
	}
	// A failed run's error names the URL as a viewer may see it.
	if status, m := e.do("POST", "/api/scheduler/jobs/w/trigger", ""); status != 200 && status != 202 {
		t.Fatalf("trigger: %d %v", status, m)
	}
	waitFor(t, "the run to fail", func() bool {
		_, raw := viewer.getRaw("/api/scheduler/history?job_id=w")
		return strings.Contains(raw, `"error"`) && strings.Contains(raw, "127.0.0.1:1")
	})
	_, raw = viewer.getRaw("/api/scheduler/history?job_id=w")
	leaks("viewer", "history", raw, false)
	// Reveal: for an admin, on purpose, and audited.
	status, m = e.do("POST", "/api/scheduler/jobs/w/reveal", "")
	full, _ := m["config"].(map[string]any)
	if status != 200 || full["url"] != hookURL || full["body"] != "body-secret-7777" || full["headers"].(map[string]any)["X-Sig"] != "sig-value-9999" {
		t.Fatalf("reveal: %d %v", status, m)
	}
	if status, _, _ := viewer.post("/jobs/w/reveal", url.Values{}, true); status != http.StatusForbidden {
		t.Fatalf("a viewer's reveal: %d, want 403", status)
	}
	// The console's editor: masked, with a reveal that the audit log records.
	_, doc, _ := admin.get("/jobs/w")
	if v, _ := doc.Find(`[data-testid=job-url]`).Attr("value"); strings.Contains(v, "hunter2pass") || count(doc, "reveal-webhook") != 1 {
		t.Fatalf("editor shows URL %q, reveal buttons %d", v, count(doc, "reveal-webhook"))
	}
	_, doc, _ = admin.post("/jobs/w/reveal", url.Values{}, true)
	if v, _ := doc.Find(`[data-testid=job-url]`).Attr("value"); v != hookURL {
		t.Fatalf("revealed editor shows URL %q", v)
	}
	entries, _, err := e.store.ListAudit(t.Context(), 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	reveals := 0
	for _, a := range entries {
		if a.Action == "job.reveal" && a.Target == "w" {
			reveals++
		}
		leaks("audit", a.Action, a.Before+a.After, true)
	}
	if reveals != 2 {
		t.Fatalf("audit log holds %d reveals of w, want 2 (API and console)", reveals)
	}
}

func TestChangesTooLargeToSendAreNeverDroppedSilently(t *testing.T) {
	e := newEnv(t, nil)
	admin := e.signIn(t, "ada", "admin")
	api, err := e.dialWith(e.srv.Client(), "/api/stream", "", true)
	if err != nil {
		t.Fatal(err)
	}
	defer api.close()
	page, err := e.dialWith(admin.client, "/events", "", false)
	if err != nil {
		t.Fatal(err)
	}
	defer page.close()
	prompt := strings.Repeat("<", 19000) // 114 KB once JSON escapes it
	body := `{"id":"big","name":"Big","kind":"prompt","config":{"prompt":"` + prompt + `"},"trigger":"interval","minutes":5}`
	if status, m := e.do("POST", "/api/scheduler/jobs", body); status != 201 {
		t.Fatalf("create: %d %v", status, m)
	}
	for _, op := range []string{"pause", "resume"} {
		if status, m := e.do("POST", "/api/scheduler/jobs/big/"+op, `{}`); status != 200 {
			t.Fatalf("%s: %d %v", op, status, m)
		}
	}
	evs := api.waitEvents(t, "snapshot and three resyncs", func(evs []sseEvent) bool { return len(evs) >= 4 })
	ids := map[string]bool{}
	for _, ev := range evs[1:4] {
		if ev.name != "resync" || ev.data != "{}" || ev.id == "" || ids[ev.id] {
			t.Fatalf("API stream: %+v, want a resync with its own id", ev)
		}
		ids[ev.id] = true
	}
	// The console's rows are small: it gets each change itself.
	rows := page.waitEvents(t, "snapshot and three row updates", func(evs []sseEvent) bool { return len(evs) >= 4 })
	for i, want := range []string{"", "scheduled", "paused", "scheduled"} {
		if i == 0 {
			continue
		}
		if rows[i].name != "job_updated" || !strings.Contains(rows[i].data, `data-job-id="big"`) || !strings.Contains(rows[i].data, want) {
			t.Fatalf("page stream event %d: %+v, want the row %s", i, rows[i].name, want)
		}
	}
}
