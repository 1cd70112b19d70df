package handlers

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/a-h/templ"

	"switchboard/models"
	"switchboard/views"
)

// page adapts an HTML handler that returns an error.
func (h *Handler) page(fn func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		setRoute(r)
		if err := fn(w, r); err != nil {
			h.pageError(w, r, err)
		}
	}
}

func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// pageError shows an error: a whole page for a browser navigation, or for
// an htmx action the status with the message in X-Error-Message, which the
// console shows as a toast.
func (h *Handler) pageError(w http.ResponseWriter, r *http.Request, err error) {
	e := h.errorResponse(err)
	if e.status == http.StatusInternalServerError {
		h.log.ErrorContext(r.Context(), "request failed", "err", err, "request_id", requestID(r.Context()))
	}
	if isHTMX(r) {
		w.Header().Set("X-Error-Message", url.PathEscape(e.message))
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(e.status)
		_, _ = w.Write([]byte(e.message))
		return
	}
	title := http.StatusText(e.status)
	h.renderPage(w, r, e.status, title, "", "", views.ErrorPage(title, e.message))
}

// pageMeta is the frame of a page for the signed-in caller.
func (h *Handler) pageMeta(r *http.Request, title, nav, events string) views.Page {
	p := views.Page{Title: title, Nav: nav, Events: events, CSS: h.asset("app.css"), Icon: h.asset("favicon.svg"), HTMX: h.asset("vendor/htmx-2.0.11.min.js"),
		SSE: h.asset("vendor/htmx-ext-sse-2.2.4.js"), JS: h.asset("app.js"), Timezone: h.sched.Location().String()}
	if pr := principalFrom(r.Context()); pr != nil {
		p.User, p.Role, p.CanWrite = pr.name, pr.role, pr.canWrite()
		_, p.Cluster = h.clusterViews(r.Context())
	}
	return p
}

// renderPage renders a whole page into a buffer, then writes it: a page is
// never half-sent.
func (h *Handler) renderPage(w http.ResponseWriter, r *http.Request, status int, title, nav, events string, content templ.Component) {
	var buf bytes.Buffer
	p := h.pageMeta(r, title, nav, events)
	p.Flash = h.takeFlash(w, r)
	if err := views.Layout(p, content).Render(r.Context(), &buf); err != nil {
		h.log.ErrorContext(r.Context(), "render failed", "err", err, "request_id", requestID(r.Context()))
		http.Error(w, "Internal error", http.StatusInternalServerError)
		return
	}
	writeHTML(w, status, buf.Bytes())
}

// renderFragment renders an htmx answer: the swapped component and any
// out-of-band extras such as a toast.
func (h *Handler) renderFragment(w http.ResponseWriter, status int, cs ...templ.Component) error {
	b, err := render(cs...)
	if err != nil {
		return err
	}
	writeHTML(w, status, b)
	return nil
}

func writeHTML(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// goTo sends the browser to another page: htmx follows HX-Redirect (the
// answer carries status, which says what happened), a plain post a 303.
func goTo(w http.ResponseWriter, r *http.Request, to string, status int) {
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(status)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// redirectBack answers a plain form post (no htmx) with a redirect to the
// page it came from.
func redirectBack(w http.ResponseWriter, r *http.Request, fallback string) {
	to := fallback
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && ref.Path != "" {
		to = ref.RequestURI()
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// canWrite reports whether the caller may change things.
func canWrite(r *http.Request) bool { return principalFrom(r.Context()).canWrite() }

// fieldErrors turns a validation error into the one-field map a form shows;
// other errors pass through.
func fieldErrors(err error, rename map[string]string) (map[string]string, error) {
	ve, ok := asValidation(err)
	if !ok {
		return nil, err
	}
	f := ve.Field
	if strings.HasPrefix(f, "config.") {
		f = "config" // the form shows config errors in one place
	}
	if f == "job_id" {
		f = "id"
	}
	if to, ok := rename[f]; ok {
		f = to
	}
	errs := map[string]string{f: ve.Message}
	// The field the error names stays too, so the form can mark that
	// field invalid while showing the message in its slot.
	errs[ve.Field] = ve.Message
	return errs, nil
}

func asValidation(err error) (*models.ValidationError, bool) {
	var ve *models.ValidationError
	ok := errors.As(err, &ve)
	return ve, ok
}
