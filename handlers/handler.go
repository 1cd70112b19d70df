// Package handlers is Switchboard's HTTP surface: the JSON API, health
// endpoints and the middleware around them.
package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gorilla/sessions"

	"switchboard/hub"
	"switchboard/metrics"
	"switchboard/models"
	"switchboard/providers"
	"switchboard/scheduler"
	"switchboard/static"
)

// maxBody is the largest request body accepted.
const maxBody = 64 << 10

// Config holds what the handlers need from the command line.
type Config struct {
	// APIToken, when set, is accepted as a bearer token besides the tokens
	// stored in the database.
	APIToken string
	// StreamMaxAge ends a live stream after about this long (plus up to a
	// sixth of it at random), so that after a restart clients spread their
	// reconnects. Zero means 30 minutes.
	StreamMaxAge time.Duration
	// Heartbeat is how long a stream may stay silent before a heartbeat
	// event. Zero means 15 seconds.
	Heartbeat time.Duration
	// SessionSecret signs and encrypts session cookies (keys are derived
	// from it). Empty means random keys: sessions end with the process.
	SessionSecret []byte
	// CORSOrigins are the origins ("scheme://host[:port]") whose pages may
	// call /api/ with the user's cookies: they get CORS headers with
	// credentials, preflights are answered for them without
	// authentication, and their writes pass the cross-origin check. Empty
	// (the default) allows none.
	CORSOrigins []string
	// Version names the build in GET /api/health.
	Version string
	// CookieSecure marks the session cookie Secure even when the request
	// arrived over plain HTTP: behind a proxy that ends TLS.
	CookieSecure bool
}

// Deps are the services the handlers use.
type Deps struct {
	Store     *models.Store
	Scheduler *scheduler.Service
	Hub       *hub.Hub
	Providers *providers.Service // connection tests
	Log       *slog.Logger
	Assets    *static.Assets   // nil serves no static files
	Metrics   *metrics.Metrics // nil serves no /metrics
	Now       func() time.Time // nil: the wall clock
}

// Handler serves every route. Its dependencies are explicit; it holds no
// other state.
type Handler struct {
	store     *models.Store
	sched     *scheduler.Service
	hub       *hub.Hub
	providers *providers.Service // finds, opens and calls providers
	log       *slog.Logger
	cfg       Config
	assets    http.Handler
	isAsset   func(path string) bool
	asset     func(name string) string // hashed URL of a static file
	metrics   *metrics.Metrics
	now       func() time.Time

	sessions *sessions.CookieStore
	logins   *loginLimiter

	streams sync.WaitGroup // taken-over live streams
}

// New builds the handler.
func New(d Deps, cfg Config) *Handler {
	if cfg.StreamMaxAge == 0 {
		cfg.StreamMaxAge = 30 * time.Minute
	}
	if cfg.Heartbeat == 0 {
		cfg.Heartbeat = 15 * time.Second
	}
	h := &Handler{store: d.Store, sched: d.Scheduler, hub: d.Hub, providers: d.Providers, log: d.Log, cfg: cfg,
		assets: http.NotFoundHandler(), isAsset: func(string) bool { return false }, asset: func(string) string { return "" }, metrics: d.Metrics,
		sessions: newSessionStore(cfg.SessionSecret), logins: newLoginLimiter()}
	if d.Assets != nil {
		h.assets, h.isAsset, h.asset = d.Assets, d.Assets.Has, d.Assets.URL
	}
	h.now = d.Now
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	// Every committed change, from any instance, reaches the live streams
	// from here: the scheduler's relay reads the log, the hub fans out.
	d.Scheduler.Subscribe(h.publish)
	return h
}

// httpError is an error with its place in api.md: status, code and a
// message safe to show.
type httpError struct {
	status  int
	code    string
	message string
	extra   map[string]any
}

func (e *httpError) Error() string { return e.message }

// notFoundResponse is api.md's 404 for what was not found.
func notFoundResponse(nf *models.NotFoundError) *httpError {
	switch nf.What {
	case models.WhatJob:
		return &httpError{http.StatusNotFound, "JOB_NOT_FOUND", fmt.Sprintf("Job '%s' not found.", nf.ID), nil}
	case models.WhatRun:
		return errRunNotFound(nf.ID)
	case models.WhatProvider:
		return &httpError{http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("Provider %s not found.", nf.ID), nil}
	}
	return &httpError{http.StatusNotFound, "NOT_FOUND", "Not found.", nil}
}

var errUnauthorized = &httpError{http.StatusUnauthorized, "UNAUTHORIZED", "Authentication required: send Authorization: Bearer <token>.", nil}

// errorResponse maps any error to its status, code, message and extra
// fields. It is the only place that does.
func (h *Handler) errorResponse(err error) *httpError {
	var (
		he   *httpError
		ve   *models.ValidationError
		mbe  *http.MaxBytesError
		vce  *scheduler.VersionConflictError
		conf *models.ConflictError
		nf   *models.NotFoundError
	)
	switch {
	case errors.As(err, &he):
		return he
	case errors.As(err, &ve):
		return &httpError{http.StatusBadRequest, "VALIDATION_ERROR", ve.Message, nil}
	case errors.As(err, &mbe):
		return &httpError{http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", "Request body is larger than 64 KiB.", nil}
	case errors.As(err, &vce):
		return &httpError{http.StatusConflict, "CONFLICT", vce.Error(), map[string]any{"job": jobJSON(vce.Current, true)}}
	case errors.As(err, &conf):
		return &httpError{http.StatusConflict, "CONFLICT", conf.Message, nil}
	case errors.Is(err, scheduler.ErrNotRunning):
		return &httpError{http.StatusServiceUnavailable, "SCHEDULER_UNAVAILABLE", "The scheduler is not running.", nil}
	case errors.As(err, &nf):
		return notFoundResponse(nf)
	}
	return &httpError{http.StatusInternalServerError, "INTERNAL_ERROR", "Internal error", nil}
}

// api adapts a JSON handler that returns an error.
func (h *Handler) api(fn func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		setRoute(r)
		if err := fn(w, r); err != nil {
			h.writeError(w, r, err)
		}
	}
}

func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := h.errorResponse(err)
	if e.status == http.StatusInternalServerError {
		h.log.ErrorContext(r.Context(), "request failed", "err", err, "request_id", requestID(r.Context()))
	}
	body := map[string]any{"success": false, "error": e.message, "error_code": e.code, "request_id": requestID(r.Context())}
	for k, v := range e.extra {
		body[k] = v
	}
	writeJSON(w, e.status, body)
}

// writeJSON encodes v into a buffer first, so a response is never half
// written.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := encodeJSON(v)
	if err != nil {
		http.Error(w, `{"success":false,"error":"Internal error","error_code":"INTERNAL_ERROR"}`, http.StatusInternalServerError)
		return
	}
	writeJSONBytes(w, status, body)
}

func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return buf.Bytes(), err
}

func writeJSONBytes(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// decodeObject reads a JSON object body of at most 64 KiB. An empty body is
// an empty object when optional; anything but an object is a 400 with
// notObject as its message.
func decodeObject(w http.ResponseWriter, r *http.Request, optional bool, notObject string) (map[string]json.RawMessage, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, models.Invalid("body", "Could not read the request body.")
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 && optional {
		return map[string]json.RawMessage{}, nil
	}
	if err := checkJSONText(raw); err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &m) != nil {
		return nil, models.Invalid("body", "%s", notObject)
	}
	return m, nil
}

// query parses the query string strictly: a malformed one (a raw ";", a
// bad escape) is a 400 rather than silently dropped parameters.
func query(r *http.Request) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, models.Invalid("query", "Invalid query string: %s.", err.Error())
	}
	return q, checkFormText(q)
}

const notObjectMessage = "Request body must be a JSON object."
