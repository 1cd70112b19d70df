package handlers

import (
	"context"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/sessions"

	"switchboard/models"
)

const sessionName = "switchboard_session"

// principal is who is making a request: a signed-in user or an API token.
type principal struct {
	name     string // username, "token:<name>" or "env-token"
	role     string
	userID   int64 // 0 for a token
	viaToken bool
}

func (p *principal) canWrite() bool { return p != nil && p.role == models.RoleAdmin }

type principalKey struct{}

func principalFrom(ctx context.Context) *principal {
	p, _ := ctx.Value(principalKey{}).(*principal)
	return p
}

// newSessionStore derives the cookie keys from secret (the server's key),
// so sessions survive a restart; without one (tests) the keys are random.
func newSessionStore(secret []byte) *sessions.CookieStore {
	if len(secret) == 0 {
		secret = []byte(rand.Text() + rand.Text())
	}
	hashKey, err1 := hkdf.Key(sha256.New, secret, nil, "switchboard session signing", 64)
	blockKey, err2 := hkdf.Key(sha256.New, secret, nil, "switchboard session encryption", 32)
	if err := errors.Join(err1, err2); err != nil {
		panic(err) // only for lengths hkdf cannot produce, which these are not
	}
	st := sessions.NewCookieStore(hashKey, blockKey)
	st.Options = &sessions.Options{Path: "/", MaxAge: int((12 * time.Hour).Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode}
	return st
}

// identify returns the request's principal: a valid bearer token first,
// else a session whose user is enabled and whose session version is
// current (sign-out and password changes bump it). nil means anonymous.
func (h *Handler) identify(r *http.Request) *principal {
	// The scheme is case-insensitive (RFC 7235): "bearer" is Bearer too.
	if scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		if name := h.tokenUser(r.Context(), strings.TrimSpace(token)); name != "" {
			return &principal{name: name, role: models.RoleAdmin, viaToken: true}
		}
		return nil
	}
	sess, err := h.sessions.Get(r, sessionName)
	if err != nil || sess.IsNew {
		return nil
	}
	uid, ok1 := sess.Values["uid"].(int64)
	ver, ok2 := sess.Values["ver"].(int64)
	if !ok1 || !ok2 {
		return nil
	}
	u, err := h.store.UserByID(r.Context(), uid)
	if err != nil || u.Disabled || u.SessionVersion != ver {
		return nil
	}
	return &principal{name: u.Username, role: u.Role, userID: u.ID}
}

// withPrincipal puts the caller into the context for handlers, the audit
// log (models.WithActor) and the request log.
func withPrincipal(r *http.Request, p *principal) *http.Request {
	if rt, ok := r.Context().Value(routeKey).(*route); ok {
		rt.user = p.name
	}
	ctx := context.WithValue(r.Context(), principalKey{}, p)
	return r.WithContext(models.WithActor(ctx, p.name))
}

var errForbidden = &httpError{http.StatusForbidden, "FORBIDDEN", "Your role is read-only: changes need an admin.", nil}

// requireAPIAuth admits a bearer token or a signed-in session; a viewer
// may only read.
func (h *Handler) requireAPIAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := h.identify(r)
		if p == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
			h.writeError(w, r, errUnauthorized)
			return
		}
		if !isRead(r.Method) && !p.canWrite() {
			h.writeError(w, r, errForbidden)
			return
		}
		next.ServeHTTP(w, withPrincipal(r, p))
	})
}

// requireSession admits a signed-in user to a page; anyone else is sent to
// the sign-in page, which brings them back afterwards. Writes need admin.
func (h *Handler) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := h.identify(r)
		if p == nil || p.viaToken {
			to := "/login?next=" + url.QueryEscape(r.URL.RequestURI())
			goTo(w, r, to, http.StatusUnauthorized)
			return
		}
		r = withPrincipal(r, p)
		if !isRead(r.Method) && !p.canWrite() {
			h.pageError(w, r, errForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// withOptionalSession names the caller when there is one, for routes any
// visitor may use (sign-out).
func (h *Handler) withOptionalSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := h.identify(r); p != nil {
			r = withPrincipal(r, p)
		}
		next.ServeHTTP(w, r)
	})
}

func isRead(method string) bool { return method == http.MethodGet || method == http.MethodHead }

// signIn starts a session for u.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request, u models.User) error {
	// New's error is a cookie it could not read (stale key, tampered):
	// the session it returns is a fresh one, which is what signing in wants.
	sess, _ := h.sessions.New(r, sessionName)
	sess.Values["uid"] = u.ID
	sess.Values["ver"] = u.SessionVersion
	opts := *h.sessions.Options
	opts.Secure = r.TLS != nil || h.cfg.CookieSecure
	sess.Options = &opts
	return sess.Save(r, w)
}

// signOut clears the cookie and bumps the user's session version, which
// ends every session they hold, a copied cookie included.
func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) error {
	if p := principalFrom(r.Context()); p != nil && p.userID != 0 {
		if err := h.store.SignOutEverywhere(r.Context(), p.name); err != nil && !errors.Is(err, models.ErrNotFound) {
			return err
		}
	}
	sess, _ := h.sessions.New(r, sessionName) // as in signIn: a fresh session either way
	opts := *h.sessions.Options
	opts.MaxAge = -1
	opts.Secure = r.TLS != nil || h.cfg.CookieSecure
	sess.Options = &opts
	return sess.Save(r, w)
}
