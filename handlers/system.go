package handlers

import (
	"cmp"
	"context"
	"net/http"
	"strconv"
	"time"

	"switchboard/models"
)

func (h *Handler) handleHistory(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r)
	if err != nil {
		return err
	}
	f := models.RunFilter{Limit: 50, JobID: q.Get("job_id"), Status: q.Get("status")}
	if f.JobID != "" {
		if err := models.ValidateJobID(f.JobID); err != nil {
			return err
		}
	}
	switch f.Status {
	case "", models.StatusRunning, models.StatusSuccess, models.StatusError, models.StatusSkipped:
	default:
		return models.Invalid("status", "Invalid status: must be one of running, success, error, skipped.")
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return models.Invalid("limit", "Invalid limit: must be an integer.")
		}
		if n < 1 {
			return models.Invalid("limit", "Invalid limit: must be at least 1.")
		}
		f.Limit = min(n, 200)
	}
	if s := q.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return models.Invalid("offset", "Invalid offset: must be a non-negative integer.")
		}
		f.Offset = n
	}
	runs, total, err := h.store.ListRuns(r.Context(), f)
	if err != nil {
		return err
	}
	var jobFilter *string
	if f.JobID != "" {
		jobFilter = &f.JobID
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"history": runsJSON(runs, h.sched.Location()), "total": total,
		"filters": map[string]any{"job_id": jobFilter, "limit": f.Limit, "offset": f.Offset, "status": f.Status},
	})
	return nil
}

func (h *Handler) handleStatus(w http.ResponseWriter, r *http.Request) error {
	n, err := h.store.CountJobs(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"running": h.sched.Running(), "job_count": n, "timezone": h.sched.Location().String()})
	return nil
}

func (h *Handler) handleNotFound(w http.ResponseWriter, r *http.Request) error {
	return &httpError{http.StatusNotFound, "NOT_FOUND", "No such route: " + r.Method + " " + r.URL.Path, nil}
}

func (h *Handler) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok"})
}

// handleAPIHealth is /healthz in the original system's shape: its
// front-end reads status, database and version; its desktop wrapper, only
// the 200.
func (h *Handler) handleAPIHealth(w http.ResponseWriter, r *http.Request) {
	setRoute(r)
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	database := "ok"
	if err := h.store.Ping(ctx); err != nil {
		database = "error"
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "version": cmp.Or(h.cfg.Version, "devel"),
		"timestamp": h.now().UTC().Format(time.RFC3339), "database": database})
}

func (h *Handler) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "scheduler": "ok", "migrations": "ok"}
	status := http.StatusOK
	if err := h.store.Ping(ctx); err != nil {
		checks["database"], status = "unreachable", http.StatusServiceUnavailable
	} else if !h.store.Migrated() {
		checks["migrations"], status = "missing tables", http.StatusServiceUnavailable
	}
	if !h.sched.Running() {
		checks["scheduler"], status = "stopped", http.StatusServiceUnavailable
	}
	state := "ready"
	if status != http.StatusOK {
		state = "not ready"
	}
	writeJSON(w, status, map[string]any{"status": state, "checks": checks})
}

// handleMetrics serves Prometheus metrics to an authenticated scraper (an
// unauthenticated one uses --metrics-addr on loopback instead).
func (h *Handler) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if h.metrics == nil {
		http.NotFound(w, r)
		return
	}
	h.metrics.Handler().ServeHTTP(w, r)
}
