package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"switchboard/models"
	"switchboard/views"
)

// safeNext keeps a post-sign-in redirect on this site. Browsers strip tabs
// and newlines from a Location and read a backslash as a slash, so
// "/\t/evil.example" would leave for //evil.example: anything that is not
// plainly a path on this origin, as the browser will read it, goes home.
func safeNext(next string) string {
	if next == "" || strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		!strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	return next
}

func (h *Handler) handleLoginPage(w http.ResponseWriter, r *http.Request) error {
	if p := h.identify(r); p != nil && !p.viaToken {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	h.renderPage(w, r, http.StatusOK, "Sign in", "login", "", views.LoginPage(views.LoginForm{Next: safeNext(r.URL.Query().Get("next"))}))
	return nil
}

// handleLogin checks the rate limits before bcrypt, so guessing costs the
// guesser time and the server nothing.
func (h *Handler) handleLogin(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := views.LoginForm{Username: strings.TrimSpace(r.PostForm.Get("username")), Next: r.PostForm.Get("next")}
	fail := func(status int, msg string) error {
		f.Message = msg
		h.renderPage(w, r, status, "Sign in", "login", "", views.LoginPage(f))
		return nil
	}
	done, ok := h.logins.attempt(clientIP(r), f.Username, h.now())
	if !ok {
		w.Header().Set("Retry-After", "60")
		return fail(http.StatusTooManyRequests, "Too many sign-in attempts. Wait a minute and try again.")
	}
	u, err := h.store.Authenticate(r.Context(), f.Username, r.PostForm.Get("password"))
	done(err == nil)
	if errors.Is(err, models.ErrNotFound) {
		// The form again with its message, as a page: a 401 would be
		// logged as a failed load in the browser's console, and a
		// mistyped password is not a fault.
		return fail(http.StatusOK, "Wrong username or password.")
	}
	if err != nil {
		return err
	}
	if err := h.signIn(w, r, u); err != nil {
		return err
	}
	h.log.InfoContext(r.Context(), "signed in", "user", u.Username, "request_id", requestID(r.Context()))
	http.Redirect(w, r, safeNext(f.Next), http.StatusSeeOther)
	return nil
}

func (h *Handler) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if err := h.signOut(w, r); err != nil {
		return err
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}
