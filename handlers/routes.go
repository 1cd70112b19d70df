package handlers

import (
	"net/http"
)

// Routes returns the whole HTTP surface, wrapped in its middleware. The
// table reads like api.md.
func (h *Handler) Routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("GET /api/scheduler/jobs", h.api(h.handleJobList))
	api.HandleFunc("POST /api/scheduler/jobs", h.api(h.handleJobCreate))
	api.HandleFunc("GET /api/scheduler/jobs/{id}", h.api(h.handleJobGet))
	api.HandleFunc("PUT /api/scheduler/jobs/{id}", h.api(h.handleJobEdit))
	api.HandleFunc("DELETE /api/scheduler/jobs/{id}", h.api(h.handleJobDelete))
	api.HandleFunc("POST /api/scheduler/jobs/{id}/pause", h.api(h.handleJobPause))
	api.HandleFunc("POST /api/scheduler/jobs/{id}/resume", h.api(h.handleJobResume))
	api.HandleFunc("POST /api/scheduler/jobs/{id}/trigger", h.api(h.handleJobTrigger))
	api.HandleFunc("PUT /api/scheduler/jobs/{id}/schedule", h.api(h.handleJobSchedule))
	api.HandleFunc("GET /api/scheduler/jobs/{id}/next-runs", h.api(h.handleJobNextRuns))
	api.HandleFunc("/api/scheduler/jobs/{id}/{rest...}", h.api(h.handleJobUnknownRoute))
	api.HandleFunc("GET /api/scheduler/history", h.api(h.handleHistory))
	api.HandleFunc("GET /api/scheduler/status", h.api(h.handleStatus))

	api.HandleFunc("GET /api/settings", h.api(h.handleSettingList))
	api.HandleFunc("GET /api/settings/{key}", h.api(h.handleSettingGet))
	api.HandleFunc("PUT /api/settings/{key}", h.api(h.handleSettingPut))
	api.HandleFunc("GET /api/settings/ai-providers", h.api(h.handleProviderList))
	api.HandleFunc("GET /api/settings/ai-provider/active", h.api(h.handleProviderActive))
	api.HandleFunc("POST /api/settings/ai-provider", h.api(h.handleProviderAdd))
	api.HandleFunc("POST /api/settings/ai-provider/{id}/activate", h.api(h.handleProviderActivate))
	api.HandleFunc("DELETE /api/settings/ai-provider/{id}", h.api(h.handleProviderDelete))
	api.HandleFunc("POST /api/settings/ai-provider/{name}/test", h.api(h.handleProviderTest))

	api.HandleFunc("GET /api/stream", h.api(h.handleStream))

	api.HandleFunc("/api/", h.api(h.handleNotFound))

	mux := http.NewServeMux()
	mux.Handle("/api/", h.requireAPIAuth(api))
	// Browsers will reach this with a session once the console signs them in.
	mux.Handle("GET /events", h.requireAPIAuth(h.api(h.handleEvents)))
	mux.Handle("GET /static/", h.assets)
	mux.Handle("GET /metrics", h.requireAPIAuth(http.HandlerFunc(h.handleMetrics)))
	mux.HandleFunc("GET /healthz", h.handleHealthz)
	mux.HandleFunc("/", h.api(h.handleNotFound))
	mux.HandleFunc("GET /readyz", h.handleReadyz)

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.writeError(w, r, &httpError{http.StatusForbidden, "FORBIDDEN", "Cross-origin request refused.", nil})
	}))
	return withRequestID(h.withLogAndRecover(cop.Handler(mux)))
}
