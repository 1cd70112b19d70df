package handlers_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"switchboard/handlers"
	"switchboard/hub"
	"switchboard/models"
	"switchboard/scheduler"
)

// benchRouter is the fully wired router with 50 stored jobs.
func benchRouter(b *testing.B) http.Handler {
	b.Helper()
	store, err := models.OpenSQLite(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	sched, err := scheduler.New(store, "America/New_York")
	if err != nil {
		b.Fatal(err)
	}
	if err := sched.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = sched.Close(context.Background()); store.Close() })
	h := handlers.New(handlers.Deps{Store: store, Scheduler: sched, Hub: hub.New(256, 1024, 1), Log: log}, handlers.Config{APIToken: testToken}).Routes()
	for i := range 50 {
		body := fmt.Sprintf(`{"id":"job-%02d","name":"Job %d","kind":"webhook","config":{"url":"http://127.0.0.1:1/"},"trigger":"cron","hour":%d,"minute":%d}`, i, i, i%24, i)
		if rec := serve(h, "POST", "/api/scheduler/jobs", body); rec.Code != 201 {
			b.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
	}
	return h
}

func serve(h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	req.Header.Set("Authorization", "Bearer "+testToken)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func BenchmarkAPI(b *testing.B) {
	h := benchRouter(b)
	cases := []struct {
		name string
		do   func(i int) *httptest.ResponseRecorder
	}{
		{"ListJobs50", func(int) *httptest.ResponseRecorder { return serve(h, "GET", "/api/scheduler/jobs", "") }},
		{"GetJob", func(int) *httptest.ResponseRecorder { return serve(h, "GET", "/api/scheduler/jobs/job-07", "") }},
		{"PauseResume", func(i int) *httptest.ResponseRecorder {
			if i%2 == 0 {
				return serve(h, "POST", "/api/scheduler/jobs/job-08/pause", "")
			}
			return serve(h, "POST", "/api/scheduler/jobs/job-08/resume", "")
		}},
		{"Reschedule", func(i int) *httptest.ResponseRecorder {
			return serve(h, "PUT", "/api/scheduler/jobs/job-09/schedule", fmt.Sprintf(`{"trigger":"interval","minutes":%d}`, i%1000+1))
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if rec := c.do(i); rec.Code != 200 {
					b.Fatalf("got %d %s", rec.Code, rec.Body)
				}
				i++
			}
		})
	}
}
