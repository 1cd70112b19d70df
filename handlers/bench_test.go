package handlers_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/handlers"
	"switchboard/hub"
	"switchboard/models"
	"switchboard/scheduler"
)

// benchRouter is the fully wired router with 50 stored jobs.
func benchRouter(b *testing.B) http.Handler {
	h, _ := benchRouterN(b, 50)
	return h
}

// benchRouterN is the fully wired router with n stored jobs.
func benchRouterN(b *testing.B, n int) (http.Handler, *models.Store) {
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
	h := handlers.New(handlers.Deps{Store: store, Scheduler: sched, Hub: hub.New(handlers.StreamClasses, 256, 1024), Log: log}, handlers.Config{APIToken: testToken}).Routes()
	for i := range n {
		body := fmt.Sprintf(`{"id":"job-%04d","name":"Job %d","kind":"webhook","config":{"url":"http://127.0.0.1:1/"},"trigger":"cron","hour":%d,"minute":%d}`, i, i, i%24, i%60)
		if rec := serve(h, "POST", "/api/scheduler/jobs", body); rec.Code != 201 {
			b.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
	}
	return h, store
}

// BenchmarkJobsPage is the server's time to render the jobs page with 1,000
// jobs (its first page of 50 rows) for a signed-in admin (the browser's work
// is not in it). It reports p50 and p99 besides the mean.
func BenchmarkJobsPage(b *testing.B) {
	h, store := benchRouterN(b, 1000)
	if _, err := store.CreateUser(context.Background(), "bench", "bench password 123", models.RoleAdmin); err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/login", strings.NewReader("username=bench&password=bench+password+123"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	cookie := rec.Header().Get("Set-Cookie")
	if rec.Code != http.StatusSeeOther || cookie == "" {
		b.Fatalf("sign in: %d", rec.Code)
	}
	cookie, _, _ = strings.Cut(cookie, ";")
	var times []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/jobs", nil)
		req.Header.Set("Cookie", cookie)
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, req)
		times = append(times, time.Since(start))
		if rec.Code != 200 || strings.Count(rec.Body.String(), `data-testid="job-row"`) != 50 {
			b.Fatalf("jobs page: %d", rec.Code)
		}
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
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
		{"GetJob", func(int) *httptest.ResponseRecorder { return serve(h, "GET", "/api/scheduler/jobs/job-0007", "") }},
		{"PauseResume", func(i int) *httptest.ResponseRecorder {
			if i%2 == 0 {
				return serve(h, "POST", "/api/scheduler/jobs/job-0008/pause", "")
			}
			return serve(h, "POST", "/api/scheduler/jobs/job-0008/resume", "")
		}},
		{"Reschedule", func(i int) *httptest.ResponseRecorder {
			return serve(h, "PUT", "/api/scheduler/jobs/job-0009/schedule", fmt.Sprintf(`{"trigger":"interval","minutes":%d}`, i%1000+1))
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
