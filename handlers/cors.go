package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// errCrossOrigin refuses a write, or a preflight, from an origin that is
// neither ours nor listed.
var errCrossOrigin = &httpError{http.StatusForbidden, "FORBIDDEN", "Cross-origin request refused.", nil}

// ParseOrigin checks that s is an origin as a browser sends it in the
// Origin header (http or https, a host, an optional port, nothing else)
// and returns it in that form: lower case, no trailing slash, no default
// port. Config.CORSOrigins holds origins in this form.
func ParseOrigin(s string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", fmt.Errorf("%q is not an origin: want scheme://host[:port] (http or https, no path)", s)
	}
	host := strings.ToLower(u.Host)
	if p := u.Port(); (u.Scheme == "http" && p == "80") || (u.Scheme == "https" && p == "443") {
		host = strings.ToLower(u.Hostname())
	}
	return u.Scheme + "://" + host, nil
}

// crossOrigin refuses cross-origin writes on every route (Go's
// CrossOriginProtection: Sec-Fetch-Site, else Origin against Host). Under
// /api/ only, the listed origins are trusted and get CORS: the console's
// forms stay same-origin whatever the list says.
func (h *Handler) crossOrigin(next http.Handler) http.Handler {
	deny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.writeError(w, r, errCrossOrigin) })
	pages := http.NewCrossOriginProtection()
	pages.SetDenyHandler(deny)
	api := http.NewCrossOriginProtection()
	api.SetDenyHandler(deny)
	listed := make(map[string]bool, len(h.cfg.CORSOrigins))
	for _, o := range h.cfg.CORSOrigins {
		if err := api.AddTrustedOrigin(o); err != nil {
			panic(fmt.Sprintf("handlers: CORS origin %q was not checked with ParseOrigin: %v", o, err))
		}
		listed[o] = true
	}
	toPages := pages.Handler(next)
	toAPI := api.Handler(withCORS(listed, next, deny))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			toAPI.ServeHTTP(w, r)
			return
		}
		toPages.ServeHTTP(w, r)
	})
}

// withCORS answers a listed origin's preflight itself (a browser sends no
// credentials with one, so it must not meet authentication) and marks
// every answer to a listed origin as readable with credentials. Any other
// origin gets no CORS header, so its pages cannot read our answers, and
// its preflight is refused.
func withCORS(listed map[string]bool, next, deny http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		hdr := w.Header()
		if len(listed) > 0 {
			hdr.Add("Vary", "Origin") // answers differ by origin: keep caches from mixing them
		}
		if !listed[origin] {
			if preflight {
				deny.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		hdr.Set("Access-Control-Allow-Origin", origin)
		hdr.Set("Access-Control-Allow-Credentials", "true")
		if preflight {
			hdr.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE")
			hdr.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID, X-Request-Id")
			hdr.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		hdr.Set("Access-Control-Expose-Headers", "X-Request-Id")
		next.ServeHTTP(w, r)
	})
}
