package handlers

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"net/http"
	"regexp"
	"time"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	routeKey
)

// route carries the matched pattern (set by the inner mux's handler) and the
// caller's identity (set by authentication) out to the middleware that logs
// and measures the request.
type route struct{ pattern, user string }

func setRoute(r *http.Request) {
	if rt, ok := r.Context().Value(routeKey).(*route); ok {
		rt.pattern = r.Pattern
	}
}

var clientRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// withRequestID gives every request an id, taken from a well-formed
// X-Request-Id or made here, echoed in the response and in its log line.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !clientRequestID.MatchString(id) {
			id = rand.Text()[:16]
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

// statusRecorder remembers the status a handler wrote, for the log line.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer (flush,
// deadlines) through the recorder.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// withLogAndRecover logs one line per request and turns a panic into a 500
// that is logged with the request id.
func (h *Handler) withLogAndRecover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		rt := &route{}
		r = r.WithContext(context.WithValue(r.Context(), routeKey, rt))
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				h.writeError(rec, r, fmt.Errorf("panic: %v", p))
			}
			d := time.Since(start)
			h.log.InfoContext(r.Context(), "request", "method", r.Method, "route", rt.pattern,
				"path", r.URL.Path, "status", rec.status, "duration_ms", d.Milliseconds(),
				"request_id", requestID(r.Context()), "user", rt.user)
			if h.metrics != nil {
				h.metrics.ObserveRequest(rt.pattern, r.Method, rec.status, d)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// securityHeaders forbids framing, inline script and MIME sniffing on
// every response; the console's scripts are all files under /static/.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		hdr.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
		hdr.Set("X-Frame-Options", "DENY")
		hdr.Set("X-Content-Type-Options", "nosniff")
		hdr.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// tokenUser names the caller a bearer token stands for ("" when invalid):
// "token:<name>" for a stored token, "env-token" for SWITCHBOARD_API_TOKEN.
func (h *Handler) tokenUser(ctx context.Context, token string) string {
	if h.cfg.APIToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(h.cfg.APIToken)) == 1 {
		return "env-token"
	}
	name, ok, err := h.store.TokenName(ctx, token)
	if err != nil {
		h.log.ErrorContext(ctx, "token lookup failed", "err", err)
	}
	if !ok {
		return ""
	}
	return "token:" + name
}
