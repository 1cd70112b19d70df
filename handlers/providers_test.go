// Settings and AI providers over HTTP: acceptance scenarios 10-15. Readers
// poll the provider list while writers run and judge every read they make.
//
//	test                                scenario    guards
//	TestHTTPAcceptanceConcurrentProviders 10-13     ten set_active adds of five providers: each listed once, and once one is active every read shows exactly one; ten concurrent activations: every read shows exactly one; deletes under ten readers: no error, never two active, no half-written key; ten concurrent setting writes leave one of the ten values
//	TestProviderLifecycle               11, 12, 14  add, update, activate, 404 for unknown ids with nothing changed, delete of the active one
//	TestProviderTestNeverLeaksKey       15          no answer carries the key, even when the provider echoes it
//	TestProviderBadInput                (9)         every invalid add is 400 with its message and configures nothing

package handlers_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const secretKey = "sk-live-SECRET-abcdef-7777"

// fakeOpenAI answers chat completions on loopback; with fail set it returns
// an error echoing the key it was sent, as careless servers do.
func fakeOpenAI(t *testing.T, fail bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		if fail {
			w.WriteHeader(401)
			fmt.Fprintf(w, `{"error":{"message":"bad key %s"}}`, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
			return
		}
		_, _ = io.WriteString(w, `{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"pong"},"finish_reason":"stop"}]}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (e *env) providers() []map[string]any {
	e.t.Helper()
	_, m := e.do("GET", "/api/settings/ai-providers", "")
	var out []map[string]any
	for _, p := range m["data"].([]any) {
		out = append(out, p.(map[string]any))
	}
	return out
}

func activeCount(ps []map[string]any) int {
	n := 0
	for _, p := range ps {
		if p["is_active"] == true {
			n++
		}
	}
	return n
}

func TestProviderLifecycle(t *testing.T) {
	e := newEnv(t, nil)
	srv := fakeOpenAI(t, false)
	status, m := e.do("POST", "/api/settings/ai-provider", `{"provider":"openai","api_key":"`+secretKey+`","model":"gpt-5-mini","base_url":"`+srv.URL+`/v1/"}`)
	if status != 200 || m["success"] != true || m["provider"] != "openai" || m["is_active"] != true {
		t.Fatalf("add: got %d %v", status, m)
	}
	id := m["id"].(float64)
	ps := e.providers()
	if len(ps) != 5 || activeCount(ps) != 1 {
		t.Fatalf("list: got %d providers, %d active", len(ps), activeCount(ps))
	}
	for _, p := range ps {
		switch p["name"] {
		case "openai":
			if p["status"] != "active" || p["api_key_masked"] != "****7777" || p["id"] != id || p["configured"] != true {
				t.Fatalf("openai entry: %v", p)
			}
		default:
			if p["status"] != "unconfigured" || p["id"] != nil || p["configured"] != false {
				t.Fatalf("%s entry: %v", p["name"], p)
			}
		}
	}
	status, m = e.do("POST", "/api/settings/ai-provider/openai/test", "")
	if status != 200 || m["success"] != true || m["model"] != "gpt-5-mini" || m["latency_ms"] == nil {
		t.Fatalf("test connection: got %d %v", status, m)
	}
	// Update without a key keeps the key; a second provider added inactive.
	if status, m = e.do("POST", "/api/settings/ai-provider", `{"provider":"openai","model":"gpt-5","base_url":"`+srv.URL+`/v1/"}`); status != 200 {
		t.Fatalf("update: %d %v", status, m)
	}
	status, m = e.do("POST", "/api/settings/ai-provider", `{"provider":"anthropic","api_key":"ant-key-12345678","set_active":false}`)
	if status != 200 || m["is_active"] != false {
		t.Fatalf("add inactive: %d %v", status, m)
	}
	antID := m["id"].(float64)
	_, m = e.do("GET", "/api/settings/ai-provider/active", "")
	if p := m["provider"].(map[string]any); p["name"] != "openai" || p["model"] != "gpt-5" || p["api_key_masked"] != "****7777" {
		t.Fatalf("active: %v", m)
	}
	if status, m = e.do("POST", fmt.Sprintf("/api/settings/ai-provider/%d/activate", int(antID)), ""); status != 200 {
		t.Fatalf("activate: %d %v", status, m)
	}
	if ps := e.providers(); activeCount(ps) != 1 || ps[0]["name"] != "anthropic" || ps[0]["is_active"] != true {
		t.Fatalf("after activate: %v", ps)
	}
	// Unknown ids: 404, nothing changes.
	for _, rt := range []struct{ method, path string }{{"POST", "/api/settings/ai-provider/9999/activate"}, {"DELETE", "/api/settings/ai-provider/9999"}} {
		status, m := e.do(rt.method, rt.path, "")
		wantError(t, status, m, 404, "NOT_FOUND", "Provider 9999 not found.")
	}
	for _, bad := range []string{"abc", "0", "-1", "1.5"} {
		if status, _ := e.do("POST", "/api/settings/ai-provider/"+bad+"/activate", ""); status != 400 {
			t.Fatalf("activate %s: got %d, want 400", bad, status)
		}
	}
	if ps := e.providers(); activeCount(ps) != 1 || ps[0]["is_active"] != true {
		t.Fatal("an unknown id changed the active provider")
	}
	// Deleting the active provider leaves none active.
	if status, _ = e.do("DELETE", fmt.Sprintf("/api/settings/ai-provider/%d", int(antID)), ""); status != 200 {
		t.Fatalf("delete: %d", status)
	}
	if ps := e.providers(); activeCount(ps) != 0 {
		t.Fatal("a provider is active after deleting the active one")
	}
	if _, m = e.do("GET", "/api/settings/ai-provider/active", ""); m["provider"] != nil {
		t.Fatalf("active after delete: %v", m)
	}
	if status, m = e.do("POST", "/api/settings/ai-provider/google/test", ""); status != 404 {
		t.Fatalf("test of an unconfigured provider: %d %v", status, m)
	}
	if status, m = e.do("POST", "/api/settings/ai-provider/mistral/test", ""); status != 400 {
		t.Fatalf("test of an unsupported provider: %d %v", status, m)
	}
}

func TestProviderTestNeverLeaksKey(t *testing.T) {
	e := newEnv(t, nil)
	srv := fakeOpenAI(t, true)
	e.do("POST", "/api/settings/ai-provider", `{"provider":"openai_compatible","api_key":"`+secretKey+`","model":"llama3","base_url":"`+srv.URL+`/v1/"}`)
	_, raw := e.doRaw("POST", "/api/settings/ai-provider/openai_compatible/test", "", map[string]string{"Authorization": "Bearer " + testToken})
	if strings.Contains(string(raw), secretKey) || !strings.Contains(string(raw), `"success":false`) {
		t.Fatalf("test answer: %s", raw)
	}
	for _, path := range []string{"/api/settings/ai-providers", "/api/settings/ai-provider/active", "/api/settings"} {
		if _, raw := e.doRaw("GET", path, "", map[string]string{"Authorization": "Bearer " + testToken}); strings.Contains(string(raw), secretKey) {
			t.Fatalf("%s leaks the key", path)
		}
	}
}

func TestProviderBadInput(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct{ body, message string }{
		{`{}`, `Field "provider" is required.`},
		{`{"api_key":"sk-abcdefgh"}`, `Field "provider" is required.`},
		{`{"provider":"mistral","api_key":"sk-abcdefgh"}`, "Unsupported provider 'mistral'. Supported: anthropic, openai, google, xai, openai_compatible."},
		{`{"provider":7,"api_key":"sk-abcdefgh"}`, `Field "provider" must be a string.`},
		{`{"provider":"openai"}`, `Field "api_key" is required for a provider that is not configured yet.`},
		{`{"provider":"openai","api_key":"short"}`, `Invalid "api_key": must be 8 to 512 characters with no whitespace.`},
		{`{"provider":"openai","api_key":"has space inside"}`, `Invalid "api_key": must be 8 to 512 characters with no whitespace.`},
		{`{"provider":"openai","api_key":"` + strings.Repeat("k", 513) + `"}`, `Invalid "api_key": must be 8 to 512 characters with no whitespace.`},
		{`{"provider":"openai","api_key":"sk-abcdefgh","model":5}`, `Field "model" must be a string.`},
		{`{"provider":"openai","api_key":"sk-abcdefgh","model":"` + strings.Repeat("m", 101) + `"}`, `Invalid "model": at most 100 characters, no whitespace.`},
		{`{"provider":"openai","api_key":"sk-abcdefgh","base_url":"ftp://x"}`, `Invalid "base_url": must be an http or https URL without credentials.`},
		{`{"provider":"openai","api_key":"sk-abcdefgh","base_url":"http://user:pw@x/"}`, `Invalid "base_url": must be an http or https URL without credentials.`},
		{`{"provider":"openai_compatible","api_key":"sk-abcdefgh","model":"llama3"}`, `Field "base_url" is required for openai_compatible.`},
		{`{"provider":"openai_compatible","api_key":"sk-abcdefgh","base_url":"http://127.0.0.1:9/v1"}`, `Field "model" is required for openai_compatible.`},
		{`{"provider":"openai","api_key":"sk-abcdefgh","set_active":"yes"}`, `Field "set_active" must be true or false.`},
		{`{"provider":"openai","api_key":"sk-abcdefgh","colour":"red"}`, `Unknown field "colour". Allowed: provider, api_key, model, base_url, set_active.`},
		{`[]`, "Request body must be a JSON object."},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			status, m := e.do("POST", "/api/settings/ai-provider", tt.body)
			wantError(t, status, m, 400, "VALIDATION_ERROR", tt.message)
		})
	}
	if ps := e.providers(); activeCount(ps) != 0 || ps[0]["configured"] != false {
		t.Fatal("rejected requests configured a provider")
	}
}

func TestProviderPagination(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		query                  string
		status                 int
		count, page, size, pgs int
		next, prev             bool
	}{
		{"", 200, 5, 1, 25, 1, false, false},
		{"page_size=2", 200, 2, 1, 2, 3, true, false},
		{"page_size=2&page=2", 200, 2, 2, 2, 3, true, true},
		{"page_size=2&page=3", 200, 1, 3, 2, 3, false, true},
		{"page_size=1&page=5", 200, 1, 5, 1, 5, false, true},
		{"page_size=100", 200, 5, 1, 100, 1, false, false},
		{"page_size=2&page=4", 400, 0, 0, 0, 0, false, false},
		{"page=2", 400, 0, 0, 0, 0, false, false},
		{"page=0", 400, 0, 0, 0, 0, false, false},
		{"page_size=0", 400, 0, 0, 0, 0, false, false},
		{"page_size=101", 400, 0, 0, 0, 0, false, false},
		{"page_size=abc", 400, 0, 0, 0, 0, false, false},
		{"page=1.5", 400, 0, 0, 0, 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			status, m := e.do("GET", "/api/settings/ai-providers?"+tt.query, "")
			if status != tt.status {
				t.Fatalf("got %d %v, want %d", status, m, tt.status)
			}
			if status != 200 {
				return
			}
			got := fmt.Sprint(len(m["data"].([]any)), m["page"], m["page_size"], m["total"], m["total_pages"], m["has_next"], m["has_prev"])
			want := fmt.Sprint(tt.count, tt.page, tt.size, 5, tt.pgs, tt.next, tt.prev)
			if got != want {
				t.Fatalf("got %s, want %s", got, want)
			}
		})
	}
}

// activeIn counts the active providers in a list answer; -1 when the
// answer is not one.
func activeIn(status int, raw []byte) int {
	var m struct {
		Data []struct {
			IsActive bool `json:"is_active"`
		}
	}
	if status != 200 || json.Unmarshal(raw, &m) != nil || m.Data == nil {
		return -1
	}
	n := 0
	for _, p := range m.Data {
		if p.IsActive {
			n++
		}
	}
	return n
}

// pollProviders reads the provider list until stop closes and returns the
// first bad read, as judged by ok, which gets the active count and whether
// an earlier read saw one active. first is called after the first read.
func (e *env) pollProviders(stop <-chan struct{}, first func(), ok func(active int, sawOne bool) bool) error {
	defer first() // also when the first read fails
	sawOne := false
	for reads := 0; ; reads++ {
		select {
		case <-stop:
			return nil
		default:
		}
		status, raw, err := e.sendAuth("GET", "/api/settings/ai-providers", "")
		if err != nil {
			return err
		}
		active := activeIn(status, raw)
		if !ok(active, sawOne) || strings.Contains(string(raw), `"api_key_masked":"****"`) {
			return fmt.Errorf("read %d (after one active: %v): %d active in %d %s", reads, sawOne, active, status, raw)
		}
		sawOne = sawOne || active == 1
		first()
	}
}

// readers starts n goroutines polling the provider list and returns once
// each has read; the returned function stops them and fails the test on a
// bad read.
func (e *env) readers(t *testing.T, n int, ok func(active int, sawOne bool) bool) (stop func()) {
	t.Helper()
	done := make(chan struct{})
	var wg, reading sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		reading.Add(1)
		go func() {
			defer wg.Done()
			var once sync.Once
			if err := e.pollProviders(done, func() { once.Do(reading.Done) }, ok); err != nil {
				errs <- err
			}
		}()
	}
	ready := make(chan struct{})
	go func() { reading.Wait(); close(ready) }()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		close(done)
		t.Fatal("the readers did not start reading")
	}
	return func() {
		t.Helper()
		close(done)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
}

func TestHTTPAcceptanceConcurrentProviders(t *testing.T) {
	e := newEnv(t, nil)
	names := []string{"anthropic", "openai", "google", "xai", "openai_compatible"}
	// Scenario 11: ten adds (every one set_active) of five providers under
	// readers. Once one provider is active, exactly one stays active.
	stop := e.readers(t, 4, func(active int, sawOne bool) bool { return active == 1 || (active == 0 && !sawOne) })
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			body := fmt.Sprintf(`{"provider":"%s","api_key":"key-%02d-abcdef","model":"m","base_url":"http://127.0.0.1:9/v1"}`, names[i%5], i)
			if status, raw, err := e.sendAuth("POST", "/api/settings/ai-provider", body); err != nil || status != 200 {
				errs <- fmt.Errorf("add %s: %d %s %v", names[i%5], status, raw, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	stop()
	ps := e.providers()
	seen := map[string]int{}
	for _, p := range ps {
		if p["configured"] == true {
			seen[p["name"].(string)]++
		}
	}
	for _, name := range names {
		if seen[name] != 1 {
			t.Errorf("%s listed %d times as configured, want once", name, seen[name])
		}
	}
	if activeCount(ps) != 1 {
		t.Fatalf("%d active after the adds, want 1", activeCount(ps))
	}

	// Scenario 12: concurrent activations with readers polling throughout:
	// one provider is active before, so every read shows exactly one. Five
	// rounds of ten give the readers time to look.
	var ids []float64
	for _, p := range ps {
		ids = append(ids, p["id"].(float64))
	}
	stop = e.readers(t, 4, func(active int, _ bool) bool { return active == 1 })
	for range 5 {
		start = make(chan struct{})
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				path := fmt.Sprintf("/api/settings/ai-provider/%d/activate", int(ids[i%len(ids)]))
				if status, raw, err := e.sendAuth("POST", path, ""); err != nil || status != 200 {
					errs <- fmt.Errorf("activate: %d %s %v", status, raw, err)
				}
			}()
		}
		close(start)
		wg.Wait()
	}
	stop()
	if n := activeCount(e.providers()); n != 1 {
		t.Fatalf("%d active after the activations, want 1", n)
	}

	// Scenario 13: deleting every provider while readers poll: no errors,
	// never two active, no key half-written.
	stop = e.readers(t, 10, func(active int, _ bool) bool { return active == 0 || active == 1 })
	for _, id := range ids {
		if status, m := e.do("DELETE", fmt.Sprintf("/api/settings/ai-provider/%d", int(id)), ""); status != 200 {
			t.Errorf("delete %v: %d %v", id, status, m)
		}
	}
	stop()
	if ps := e.providers(); activeCount(ps) != 0 || ps[0]["configured"] != false {
		t.Fatalf("after deleting every provider: %v", ps)
	}

	// Scenario 10: ten concurrent writes of one setting leave one of the
	// ten values.
	start = make(chan struct{})
	values := map[string]bool{}
	for i := range 10 {
		values[fmt.Sprintf("v%d", i)] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if status, raw, err := e.sendAuth("PUT", "/api/settings/ui.theme", fmt.Sprintf(`{"value":"v%d"}`, i)); err != nil || status != 200 {
				errs <- fmt.Errorf("set: %d %s %v", status, raw, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	status, m := e.do("GET", "/api/settings/ui.theme", "")
	if v, _ := m["value"].(string); status != 200 || !values[v] {
		t.Fatalf("setting after concurrent writes: %d %v, want one of the ten values", status, m)
	}
	_, all := e.do("GET", "/api/settings", "")
	if listed := all["settings"].(map[string]any)["ui.theme"]; listed != m["value"] {
		t.Fatalf("the settings list shows ui.theme %v, the setting %v", listed, m["value"])
	}
}

func TestSettingsRoutes(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("nine", `"trigger":"cron","hour":9,"minute":0`)
	_, m := e.do("GET", "/api/settings", "")
	s := m["settings"].(map[string]any)
	if s["scheduler.timezone"] != "America/New_York" || s["history.retention_days"] != "30" || len(s) != 2 {
		t.Fatalf("defaults: %v", s)
	}
	tests := []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/api/settings/nope", "", 404},
		{"GET", "/api/settings/BAD KEY", "", 400},
		{"PUT", "/api/settings/history.retention_days", `{"value":"0"}`, 400},
		{"PUT", "/api/settings/history.retention_days", `{"value":90}`, 400},
		{"PUT", "/api/settings/history.retention_days", `{"val":"9"}`, 400},
		{"PUT", "/api/settings/history.retention_days", `{"value":"9","x":1}`, 400},
		{"PUT", "/api/settings/scheduler.timezone", `{"value":"Nowhere/City"}`, 400},
		{"PUT", "/api/settings/internal.catalog_seeded", `{"value":"false"}`, 400},
		{"PUT", "/api/settings/ui.note", `{"value":"` + strings.Repeat("n", 4097) + `"}`, 400},
		{"PUT", "/api/settings/history.retention_days", `{"value":"90"}`, 200},
		{"PUT", "/api/settings/ui.note", `{"value":"hello"}`, 200},
	}
	for _, tt := range tests {
		if status, m := e.do(tt.method, tt.path, tt.body); status != tt.status {
			t.Fatalf("%s %s %s: got %d %v, want %d", tt.method, tt.path, tt.body, status, m, tt.status)
		}
	}
	_, m = e.do("GET", "/api/settings/history.retention_days", "")
	if m["value"] != "90" || m["updated_at"] == nil {
		t.Fatalf("after write: %v", m)
	}
	// The timezone moves every cron job's next run at once.
	status, m := e.do("PUT", "/api/settings/scheduler.timezone", `{"value":"Asia/Tokyo"}`)
	if status != 200 {
		t.Fatalf("timezone: %d %v", status, m)
	}
	j := e.job("nine")
	next, _ := time.Parse(time.RFC3339, j["next_run"].(string))
	if j["timezone"] != "Asia/Tokyo" || next.Hour() != 9 || !strings.HasSuffix(j["next_run"].(string), "+09:00") {
		t.Fatalf("after timezone change: %v %v", j["timezone"], j["next_run"])
	}
	if _, m = e.do("GET", "/api/scheduler/status", ""); m["timezone"] != "Asia/Tokyo" {
		t.Fatalf("status timezone: %v", m)
	}
}
