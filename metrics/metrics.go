// Package metrics holds Switchboard's Prometheus collectors. It knows
// nothing of jobs or HTTP routing: callers report what happened.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Gauges are read at scrape time from the services that own the numbers.
type Gauges struct {
	StreamClients   func() float64
	SlowDisconnects func() float64
	PausedJobs      func() float64
}

// Metrics is one registry with every collector.
type Metrics struct {
	reg             *prometheus.Registry
	requests        *prometheus.CounterVec
	latency         *prometheus.HistogramVec
	runs            *prometheus.CounterVec
	runDuration     *prometheus.HistogramVec
	providerLatency *prometheus.HistogramVec
}

// New registers the collectors, the Go runtime's and the process's.
func New(g Gauges) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "switchboard_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}, []string{"route"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_job_runs_total", Help: "Finished job runs by job and status.",
		}, []string{"job", "status"}),
		runDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "switchboard_job_run_duration_seconds", Help: "Job run duration by job.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 10),
		}, []string{"job"}),
		providerLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "switchboard_ai_provider_request_duration_seconds", Help: "AI provider call latency by provider and outcome.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 10),
		}, []string{"provider", "outcome"}),
	}
	reg.MustRegister(m.requests, m.latency, m.runs, m.runDuration, m.providerLatency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	gauge := func(name, help string, fn func() float64) {
		if fn != nil {
			reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn))
		}
	}
	gauge("switchboard_sse_clients", "Live stream clients connected.", g.StreamClients)
	gauge("switchboard_jobs_paused", "Jobs that are paused.", g.PausedJobs)
	if g.SlowDisconnects != nil {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "switchboard_sse_slow_disconnects_total", Help: "Stream clients dropped for not keeping up.",
		}, g.SlowDisconnects))
	}
	return m
}

// ObserveRequest records one HTTP request. route is the matched pattern
// ("GET /api/scheduler/jobs/{id}"), never the raw path, so label values stay
// bounded.
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, method, statusText(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

// ObserveRun records a finished job run.
func (m *Metrics) ObserveRun(job, status string, d time.Duration) {
	m.runs.WithLabelValues(job, status).Inc()
	m.runDuration.WithLabelValues(job).Observe(d.Seconds())
}

// ObserveProvider records one call to an AI provider.
func (m *Metrics) ObserveProvider(provider string, d time.Duration, err error) {
	outcome := "success"
	if err != nil {
		outcome = "error"
	}
	m.providerLatency.WithLabelValues(provider, outcome).Observe(d.Seconds())
}

// Handler serves the registry in Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

func statusText(code int) string {
	if code == 0 {
		return "hijacked" // a live stream that took its connection over
	}
	return strconv.Itoa(code)
}
