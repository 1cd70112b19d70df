package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"switchboard/handlers"
	"switchboard/hub"
	"switchboard/models"
	"switchboard/scheduler"
	"switchboard/secrets"
)

const token = "bench-token-0123456789abcdef"

// app is Switchboard wired in this process as cmd/switchboard wires it
// (events from the store and the scheduler reach the hub, rendered once in
// every format), serving on 127.0.0.1.
type app struct {
	url     string
	handler http.Handler
	store   *models.Store
	hub     *hub.Hub
	stop    func()
}

// startApp opens a fresh database with the catalogue and enough webhook
// jobs to hold `jobs` in all. Cron jobs at distinct times make the page
// and the list as varied as a real installation.
func startApp(jobs int) (*app, error) {
	dir, err := os.MkdirTemp("", "switchboard-bench")
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.DiscardHandler)
	box, err := secrets.New([]byte(strings.Repeat("k", 32)))
	if err != nil {
		return nil, err
	}
	events := hub.New(handlers.StreamClasses, 256, 4096)
	store, err := models.OpenSQLite(filepath.Join(dir, "bench.db"), models.WithCipher(box))
	if err != nil {
		return nil, err
	}
	sched, err := scheduler.New(store, models.DefaultTimezone, scheduler.WithLogger(log))
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	if err := sched.SeedCatalog(ctx); err != nil {
		return nil, err
	}
	if err := sched.Start(ctx); err != nil {
		return nil, err
	}
	h := handlers.New(handlers.Deps{Store: store, Scheduler: sched, Hub: events, Log: log}, handlers.Config{APIToken: token}).Routes()
	have, err := sched.List(ctx)
	if err != nil {
		return nil, err
	}
	for i := range jobs - len(have) {
		body := fmt.Sprintf(`{"id":"job-%04d","name":"Job %d","description":"Calls the staging hook","kind":"webhook","config":{"url":"http://127.0.0.1:1/"},"trigger":"cron","hour":%d,"minute":%d}`,
			i, i, i%24, (i*7)%60)
		req := httptest.NewRequest("POST", "/api/scheduler/jobs", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			return nil, fmt.Errorf("create job %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	url, stopHTTP, err := serve(h)
	if err != nil {
		return nil, err
	}
	return &app{url: url, handler: h, store: store, hub: events, stop: func() {
		events.Close()
		stopHTTP()
		_ = sched.Close(context.Background())
		store.Close()
		os.RemoveAll(dir)
	}}, nil
}

// serve serves h on a fresh loopback port with the server settings
// cmd/switchboard uses.
func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// bareHandler answers every request with the same bytes and headers: the
// floor for an endpoint that returns them.
func bareHandler(body []byte, contentType string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = r.Body.Read(make([]byte, 512))
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(body)
	})
}

// fetch returns the status and body of one request.
func fetch(base, method, path, body string) (int, []byte, string, error) {
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header.Get("Content-Type"), err
}
