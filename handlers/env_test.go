package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"switchboard/ai"
	"switchboard/handlers"
	"switchboard/hub"
	"switchboard/models"
	"switchboard/models/modeltest"
	"switchboard/providers"
	"switchboard/scheduler"
	"switchboard/secrets"
	"switchboard/static"
)

const testToken = "test-token-0123456789"

// env is a running server on loopback with a real store, scheduler and
// router, as a script would meet it.
type env struct {
	t     *testing.T
	srv   *httptest.Server
	store *models.Store
	sched *scheduler.Service
	hub   *hub.Hub
}

func newEnv(t *testing.T, builtins []scheduler.Builtin, opts ...scheduler.Option) *env {
	t.Helper()
	return newEnvConfig(t, handlers.Config{APIToken: testToken}, builtins, opts...)
}

func newEnvConfig(t *testing.T, cfg handlers.Config, builtins []scheduler.Builtin, opts ...scheduler.Option) *env {
	t.Helper()
	return newEnvWith(t, envOptions{cfg: cfg, builtins: builtins}, opts...)
}

// envOptions are the less common ways to build an env.
type envOptions struct {
	cfg      handlers.Config
	builtins []scheduler.Builtin
	ai       providers.Completer // nil: the real provider clients
	catalog  bool                // seed the catalogue of seven jobs before the start
	now      func() time.Time    // the handlers' clock; nil: the wall clock
}

func newEnvWith(t *testing.T, o envOptions, opts ...scheduler.Option) *env {
	t.Helper()
	cfg, builtins := o.cfg, o.builtins
	box, err := secrets.New(bytes.Repeat([]byte{42}, secrets.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	h := hub.New(handlers.StreamClasses, 256, 1024)
	store, err := models.Open(modeltest.Location(t, testDialect), models.WithCipher(box))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	sched, err := scheduler.New(store, "America/New_York", append(opts, scheduler.WithLogger(log))...)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range builtins {
		if err := sched.Register(b); err != nil {
			t.Fatal(err)
		}
	}
	if o.catalog {
		if err := sched.SeedCatalog(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if err := sched.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	assets, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	var completer providers.Completer = ai.NewClient(nil, 5*time.Second)
	if o.ai != nil {
		completer = o.ai
	}
	deps := handlers.Deps{Store: store, Scheduler: sched, Hub: h, Providers: providers.New(store, completer), Log: log, Assets: assets, Now: o.now}
	handler := handlers.New(deps, cfg)
	srv := httptest.NewServer(handler.Routes())
	t.Cleanup(func() {
		h.Close()
		srv.Close()
		waitCtx, cancelWait := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancelWait()
		if err := handler.WaitStreams(waitCtx); err != nil {
			t.Errorf("live streams still running after the hub closed: %v", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = sched.Close(ctx)
		store.Close()
	})
	return &env{t: t, srv: srv, store: store, sched: sched, hub: h}
}

// do sends a request with the test token and decodes the JSON answer.
func (e *env) do(method, path, body string) (int, map[string]any) {
	e.t.Helper()
	status, raw := e.doRaw(method, path, body, map[string]string{"Authorization": "Bearer " + testToken})
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		e.t.Fatalf("%s %s: answer is not a JSON object: %q", method, path, raw)
	}
	return status, m
}

func (e *env) doRaw(method, path, body string, headers map[string]string) (int, []byte) {
	e.t.Helper()
	status, raw, err := e.send(method, path, body, headers)
	if err != nil {
		e.t.Fatal(err)
	}
	return status, raw
}

// send is doRaw for spawned goroutines: it returns the error instead of
// failing the test, which only the test's own goroutine may do.
func (e *env) send(method, path, body string, headers map[string]string) (int, []byte, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, r)
	if err != nil {
		return 0, nil, err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// sendAuth is send with the test token.
func (e *env) sendAuth(method, path, body string) (int, []byte, error) {
	return e.send(method, path, body, map[string]string{"Authorization": "Bearer " + testToken})
}

// job fetches a job over the API.
func (e *env) job(id string) map[string]any {
	e.t.Helper()
	status, m := e.do("GET", "/api/scheduler/jobs/"+id, "")
	if status != 200 {
		e.t.Fatalf("GET job %s: got %d %v", id, status, m)
	}
	return m
}

func (e *env) createWebhook(id, schedule string) {
	e.t.Helper()
	body := `{"id":"` + id + `","name":"` + id + `","kind":"webhook","config":{"url":"http://127.0.0.1:1/"},` + schedule + `}`
	if status, m := e.do("POST", "/api/scheduler/jobs", body); status != 201 {
		e.t.Fatalf("create %s: got %d %v", id, status, m)
	}
}

// wantError checks an error answer's status, code and message.
func wantError(t *testing.T, status int, m map[string]any, wantStatus int, wantCode, wantMessage string) {
	t.Helper()
	if status != wantStatus || m["error_code"] != wantCode || m["success"] != false || m["request_id"] == "" {
		t.Fatalf("got %d %v, want %d %s", status, m, wantStatus, wantCode)
	}
	if wantMessage != "" && m["error"] != wantMessage {
		t.Fatalf("message: got %q, want %q", m["error"], wantMessage)
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
