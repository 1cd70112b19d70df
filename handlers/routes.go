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
	api.HandleFunc("POST /api/scheduler/jobs/{id}/reveal", h.api(h.handleJobReveal))
	api.HandleFunc("/api/scheduler/jobs/{id}/{rest...}", h.api(h.handleJobUnknownRoute))
	api.HandleFunc("GET /api/scheduler/history", h.api(h.handleHistory))
	api.HandleFunc("GET /api/scheduler/status", h.api(h.handleStatus))
	api.HandleFunc("GET /api/cluster", h.api(h.handleCluster))

	api.HandleFunc("GET /api/settings", h.api(h.handleSettingList))
	api.HandleFunc("GET /api/settings/{key}", h.api(h.handleSettingGet))
	api.HandleFunc("PUT /api/settings/{key}", h.api(h.handleSettingPut))
	api.HandleFunc("GET /api/settings/ai-providers", h.api(h.handleProviderList))
	api.HandleFunc("GET /api/settings/ai-provider/active", h.api(h.handleProviderActive))
	api.HandleFunc("POST /api/settings/ai-provider", h.api(h.handleProviderAdd))
	api.HandleFunc("POST /api/settings/ai-provider/{id}/activate", h.api(h.handleProviderActivate))
	api.HandleFunc("DELETE /api/settings/ai-provider/{id}", h.api(h.handleProviderDelete))
	api.HandleFunc("POST /api/settings/ai-provider/{name}/test", h.api(h.handleProviderTest))
	api.HandleFunc("POST /api/settings/test-ai", h.api(h.handleSettingsTestAI))

	api.HandleFunc("/api/", h.api(h.handleNotFound))

	// The console: pages and their htmx actions, for signed-in users.
	pages := http.NewServeMux()
	pages.HandleFunc("GET /{$}", h.page(h.handleOverviewPage))
	pages.HandleFunc("GET /jobs", h.page(h.handleJobsPage))
	pages.HandleFunc("GET /jobs/new", h.page(h.handleNewJobPage))
	pages.HandleFunc("GET /jobs/new/preview", h.page(h.handleSchedulePreview))
	pages.HandleFunc("POST /jobs", h.page(h.handlePageJobCreate))
	pages.HandleFunc("GET /jobs/{id}", h.page(h.handleJobPage))
	pages.HandleFunc("GET /jobs/{id}/preview", h.page(h.handleSchedulePreview))
	pages.HandleFunc("POST /jobs/{id}/pause", h.page(h.handlePageJobPause))
	pages.HandleFunc("POST /jobs/{id}/resume", h.page(h.handlePageJobResume))
	pages.HandleFunc("GET /jobs/{id}/resume", h.page(h.handleResumeDialog))
	pages.HandleFunc("POST /jobs/bulk", h.page(h.handlePageJobsBulk))
	pages.HandleFunc("POST /jobs/{id}/restore-schedule", h.page(h.handlePageRestoreSchedule))
	pages.HandleFunc("POST /jobs/{id}/run", h.page(h.handlePageJobRun))
	pages.HandleFunc("POST /jobs/{id}/schedule", h.page(h.handlePageJobSchedule))
	pages.HandleFunc("POST /jobs/{id}/edit", h.page(h.handlePageJobEdit))
	pages.HandleFunc("POST /jobs/{id}/reveal", h.page(h.handlePageJobReveal))
	pages.HandleFunc("POST /jobs/{id}/delete", h.page(h.handlePageJobDelete))
	pages.HandleFunc("GET /history", h.page(h.handleHistoryPage))
	pages.HandleFunc("GET /runs/{id}", h.page(h.handleRunPage))
	pages.HandleFunc("POST /runs/{id}/retry", h.page(h.handleRunRetry))
	pages.HandleFunc("GET /settings", h.page(h.handleSettingsPage))
	pages.HandleFunc("POST /settings", h.page(h.handlePageSettingsSave))
	pages.HandleFunc("POST /settings/active-provider", h.page(h.handlePageActiveProvider))
	pages.HandleFunc("GET /providers", h.page(h.handleProvidersPage))
	pages.HandleFunc("POST /providers/{name}", h.page(h.handlePageProviderSave))
	pages.HandleFunc("POST /providers/{name}/activate", h.page(h.handlePageProviderActivate))
	pages.HandleFunc("POST /providers/{name}/delete", h.page(h.handlePageProviderDelete))
	pages.HandleFunc("POST /providers/{name}/test", h.page(h.handlePageProviderTest))
	pages.HandleFunc("GET /users", h.page(h.handleUsersPage))
	pages.HandleFunc("POST /users", h.page(h.handlePageUserCreate))
	pages.HandleFunc("POST /users/{name}/disable", h.page(h.handlePageUserSetDisabled(true)))
	pages.HandleFunc("POST /users/{name}/enable", h.page(h.handlePageUserSetDisabled(false)))
	pages.HandleFunc("GET /audit", h.page(h.handleAuditPage))
	pages.HandleFunc("/", h.page(func(http.ResponseWriter, *http.Request) error {
		return &httpError{http.StatusNotFound, "NOT_FOUND", "There is no such page.", nil}
	}))

	// Everything else: HTML and JSON, gzipped when large enough.
	rest := http.NewServeMux()
	rest.Handle("/api/", h.requireAPIAuth(api))
	rest.HandleFunc("GET /healthz", h.handleHealthz)
	rest.HandleFunc("GET /api/health", h.handleAPIHealth) // public, like /healthz: the original's clients poll it
	rest.HandleFunc("GET /readyz", h.handleReadyz)
	rest.HandleFunc("GET /login", h.page(h.handleLoginPage))
	rest.HandleFunc("POST /login", h.page(h.handleLogin))
	rest.Handle("POST /logout", h.withOptionalSession(h.page(h.handleLogout)))
	rest.Handle("/", h.requireSession(pages))

	// Outside compress: the live streams (never compressed: their bytes
	// are shared by every client, and they take the connection over), the
	// static files (precompressed) and /metrics (Prometheus negotiates its
	// own encoding).
	mux := http.NewServeMux()
	mux.Handle("GET /api/stream", h.requireAPIAuth(h.api(h.handleStream)))
	mux.Handle("GET /events", h.requireAPIAuth(h.api(h.handleEvents)))
	mux.HandleFunc("GET /static/", h.handleStatic)
	mux.HandleFunc("GET /favicon.ico", h.handleFavicon)
	mux.Handle("GET /metrics", h.requireAPIAuth(http.HandlerFunc(h.handleMetrics)))
	mux.Handle("/", compress(rest))

	return withRequestID(h.withLogAndRecover(securityHeaders(h.crossOrigin(mux))))
}

// handleStatic serves the embedded files; any other path under /static/
// (a typo, an asset of an older release) gets the console's own 404 page,
// not a bare line of text.
func (h *Handler) handleStatic(w http.ResponseWriter, r *http.Request) {
	if h.isAsset(r.URL.Path) {
		h.assets.ServeHTTP(w, r)
		return
	}
	h.pageError(w, r, &httpError{http.StatusNotFound, "NOT_FOUND", "There is no such file. The console may have been upgraded since this page was loaded: reload it.", nil})
}

// handleFavicon answers the browser's own request for /favicon.ico (made
// on pages without an icon link, such as a plain-text refusal) with the
// console's icon, rather than a 404 in the browser's console.
func (h *Handler) handleFavicon(w http.ResponseWriter, r *http.Request) {
	if u := h.asset("favicon.svg"); u != "" {
		http.Redirect(w, r, u, http.StatusMovedPermanently)
		return
	}
	http.NotFound(w, r)
}
