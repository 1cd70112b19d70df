package handlers

import "net/http"

// handleFavicon answers the icon a browser asks for beside a page that
// names none (a plain-text refusal, JSON): nothing, rather than a 404 the
// console would log. The console's pages name an empty icon themselves.
func handleFavicon(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.WriteHeader(http.StatusNoContent)
}
