package main

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape fetches and parses a metrics page.
func scrape(t *testing.T, url, token string) map[string]*dto.MetricFamily {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// value finds the sample of a family whose labels include want.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f, ok := fams[name]
	if !ok {
		return 0, false
	}
	for _, m := range f.GetMetric() {
		match := true
		for k, v := range want {
			found := false
			for _, l := range m.GetLabel() {
				if l.GetName() == k && l.GetValue() == v {
					found = true
				}
			}
			match = match && found
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

func TestMetrics(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "sb.db"), map[string]string{"SWITCHBOARD_API_TOKEN": "metrics-token-123"}, "--metrics-addr", "127.0.0.1:0")
	s.token = "metrics-token-123"
	if resp, err := http.Get(s.url + "/metrics"); err != nil || resp.StatusCode != 401 {
		t.Fatalf("unauthenticated /metrics: %v %v, want 401", resp.StatusCode, err)
	}
	for range 3 {
		s.call(t, "GET", "/api/scheduler/jobs", "")
	}
	s.call(t, "GET", "/api/scheduler/jobs/ghost", "")
	s.call(t, "POST", "/api/scheduler/jobs/weekly_review/pause", "")
	_, m := s.call(t, "POST", "/api/scheduler/jobs/daily_summary/trigger", "")
	waitRun(t, s, "daily_summary", m["run_id"], "skipped")

	deadline := time.Now().Add(10 * time.Second)
	for {
		fams := scrape(t, s.url+"/metrics", s.token)
		runs, _ := value(fams, "switchboard_job_runs_total", map[string]string{"job": "daily_summary", "status": "skipped"})
		if runs == 1 || time.Now().After(deadline) {
			checks := []struct {
				name   string
				labels map[string]string
				want   float64
			}{
				{"switchboard_http_requests_total", map[string]string{"route": "GET /api/scheduler/jobs", "method": "GET", "status": "200"}, 3},
				{"switchboard_http_requests_total", map[string]string{"route": "GET /api/scheduler/jobs/{id}", "status": "404"}, 1},
				{"switchboard_http_request_duration_seconds", map[string]string{"route": "GET /api/scheduler/jobs"}, 3},
				{"switchboard_job_runs_total", map[string]string{"job": "daily_summary", "status": "skipped"}, 1},
				{"switchboard_job_run_duration_seconds", map[string]string{"job": "daily_summary"}, 1},
				{"switchboard_jobs_paused", nil, 1},
				{"switchboard_sse_clients", nil, 0},
				{"switchboard_sse_slow_disconnects_total", nil, 0},
			}
			for _, c := range checks {
				if got, ok := value(fams, c.name, c.labels); !ok || got != c.want {
					t.Errorf("%s%v: got %v (present %v), want %v", c.name, c.labels, got, ok, c.want)
				}
			}
			for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
				if _, ok := fams[name]; !ok {
					t.Errorf("%s missing", name)
				}
			}
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The separate listener serves the same registry without a token.
	if s.metricsURL == "" {
		t.Fatal("no metrics listener announced")
	}
	if _, ok := scrape(t, s.metricsURL+"/metrics", "")["switchboard_http_requests_total"]; !ok {
		t.Fatal("metrics listener lacks the request counter")
	}
}
