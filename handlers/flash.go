package handlers

import (
	"net/http"
	"net/url"
	"time"
)

// flashCookie carries a toast across a redirect: creating or deleting a job
// lands on another page, which shows what was done.
const flashCookie = "sb_flash"

// setFlash makes the next page this browser loads show text as a toast.
func (h *Handler) setFlash(w http.ResponseWriter, r *http.Request, text string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(text), Path: "/", MaxAge: 60,
		Expires: time.Now().Add(time.Minute), HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || h.cfg.CookieSecure})
}

// takeFlash returns the toast set for this page, once: it clears it.
func (h *Handler) takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || h.cfg.CookieSecure})
	text, err := url.QueryUnescape(c.Value)
	if err != nil || len(text) > 300 {
		return ""
	}
	return text
}
