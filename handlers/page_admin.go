package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"switchboard/models"
	"switchboard/views"
)

const historyPageSize = 50

// pageQuery parses the query string and its ?page= (1 when absent).
func pageQuery(r *http.Request) (url.Values, int, error) {
	q, err := query(r)
	if err != nil {
		return nil, 0, err
	}
	n, err := pageNumber(q.Get("page"))
	return q, n, err
}

func pageNumber(s string) (int, error) {
	if s == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, models.Invalid("page", "Invalid page: must be a positive integer.")
	}
	return n, nil
}

// pager links neighbouring pages, keeping the other query parameters.
func pager(q url.Values, path string, page int, total int64, size int) views.Pager {
	pages := int((total + int64(size) - 1) / int64(size))
	p := views.Pager{Page: page, TotalPages: pages, Total: total}
	if from := int64(page-1)*int64(size) + 1; from <= total {
		p.From, p.To = int(from), int(min(total, int64(page)*int64(size)))
	}
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("page", strconv.Itoa(n))
		return path + "?" + v.Encode()
	}
	if page > 1 {
		p.First, p.Prev = link(1), link(page-1)
	}
	if page < pages {
		p.Next, p.Last = link(page+1), link(pages)
	}
	return p
}

// pastTheEnd sends a page number beyond the last page (an old link, a list
// that has shrunk) to the last page, rather than showing "Page 99 of 1"
// over an empty table.
func pastTheEnd(w http.ResponseWriter, r *http.Request, q url.Values, path string, p views.Pager) bool {
	if p.Page <= max(p.TotalPages, 1) {
		return false
	}
	v := url.Values{}
	for k, vs := range q {
		v[k] = vs
	}
	if p.TotalPages > 1 {
		v.Set("page", strconv.Itoa(p.TotalPages))
	}
	to := path
	if len(v) > 0 {
		to += "?" + v.Encode()
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return true
}

func (h *Handler) handleHistoryPage(w http.ResponseWriter, r *http.Request) error {
	q, page, err := pageQuery(r)
	if err != nil {
		return err
	}
	f := models.RunFilter{JobID: q.Get("job"), Status: q.Get("status"), Limit: historyPageSize, Offset: (page - 1) * historyPageSize}
	if f.Status != "" && !slices.Contains([]string{"success", "error", "skipped", "running"}, f.Status) {
		return models.Invalid("status", "Unknown status %q: use success, error, skipped or running.", f.Status)
	}
	if f.JobID != "" {
		if err := models.ValidateJobID(f.JobID); err != nil {
			return err
		}
	}
	runs, total, err := h.store.ListRuns(r.Context(), f)
	if err != nil {
		return err
	}
	jobs, err := h.store.ListJobs(r.Context())
	if err != nil {
		return err
	}
	loc := h.sched.Location()
	v := views.HistoryView{Job: f.JobID, Status: f.Status, Live: page == 1 && f.Status == "" && f.JobID == ""}
	for _, run := range runs {
		v.Runs = append(v.Runs, runRow(run, loc))
	}
	for _, j := range jobs {
		v.Jobs = append(v.Jobs, views.JobOption{ID: j.ID, Name: j.Name})
	}
	qp := url.Values{}
	for _, k := range []string{"job", "status"} {
		if q.Get(k) != "" {
			qp.Set(k, q.Get(k))
		}
	}
	v.Pager = pager(qp, "/history", page, total, historyPageSize)
	if pastTheEnd(w, r, qp, "/history", v.Pager) {
		return nil
	}
	h.renderPage(w, r, http.StatusOK, "History", "history", "/events?view=history", views.HistoryPage(v))
	return nil
}

// requireAdmin refuses a viewer a page meant for admins.
func requireAdmin(r *http.Request) error {
	if p := principalFrom(r.Context()); p == nil || p.role != models.RoleAdmin {
		return &httpError{http.StatusForbidden, "FORBIDDEN", "Only admins can see this page.", nil}
	}
	return nil
}

func (h *Handler) usersView(r *http.Request, form views.NewUserForm) (views.UsersView, error) {
	us, err := h.store.ListUsers(r.Context())
	if err != nil {
		return views.UsersView{}, err
	}
	me := principalFrom(r.Context()).name
	v := views.UsersView{Form: form}
	for _, u := range us {
		v.Users = append(v.Users, views.UserRow{Username: u.Username, Role: u.Role, Disabled: u.Disabled, Me: u.Username == me,
			Created: u.CreatedAt.In(h.sched.Location()).Format(time.RFC3339)})
	}
	return v, nil
}

func (h *Handler) handleUsersPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	v, err := h.usersView(r, views.NewUserForm{Role: models.RoleViewer})
	if err != nil {
		return err
	}
	h.renderPage(w, r, http.StatusOK, "Users", "users", "", views.UsersPage(v))
	return nil
}

func (h *Handler) handlePageUserCreate(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := views.NewUserForm{Username: strings.TrimSpace(r.PostForm.Get("username")), Role: r.PostForm.Get("role")}
	if _, err := h.store.CreateUser(r.Context(), f.Username, r.PostForm.Get("password"), f.Role); err != nil {
		var ce *models.ConflictError
		if errors.As(err, &ce) {
			f.Errors = map[string]string{"username": ce.Message}
		} else if f.Errors, err = fieldErrors(err, nil); err != nil {
			return err
		}
		return h.renderFragment(w, http.StatusUnprocessableEntity, views.NewUser(f))
	}
	if !isHTMX(r) {
		http.Redirect(w, r, "/users", http.StatusSeeOther)
		return nil
	}
	v, err := h.usersView(r, views.NewUserForm{Role: models.RoleViewer, Saved: true})
	if err != nil {
		return err
	}
	return h.renderFragment(w, http.StatusOK, views.NewUser(v.Form), views.UsersBodyOOB(v.Users),
		views.Toast("ok", fmt.Sprintf("Added %s.", f.Username)))
}

func (h *Handler) handlePageUserSetDisabled(disable bool) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := requireAdmin(r); err != nil {
			return err
		}
		name := r.PathValue("name")
		if name == principalFrom(r.Context()).name {
			return models.Invalid("username", "You cannot disable yourself.")
		}
		op := h.store.EnableUser
		if disable {
			op = h.store.DisableUser
		}
		if err := op(r.Context(), name); err != nil {
			return err
		}
		if isHTMX(r) {
			w.Header().Set("HX-Refresh", "true")
			w.WriteHeader(http.StatusOK)
			return nil
		}
		http.Redirect(w, r, "/users", http.StatusSeeOther)
		return nil
	}
}

func (h *Handler) handleAuditPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	_, page, err := pageQuery(r)
	if err != nil {
		return err
	}
	entries, total, err := h.store.ListAudit(r.Context(), (page-1)*historyPageSize, historyPageSize)
	if err != nil {
		return err
	}
	p := pager(url.Values{}, "/audit", page, total, historyPageSize)
	if pastTheEnd(w, r, url.Values{}, "/audit", p) {
		return nil
	}
	rows := make([]views.AuditRow, len(entries))
	for i, e := range entries {
		rows[i] = views.AuditRow{At: e.At.In(h.sched.Location()).Format(time.RFC3339), Actor: e.Actor, Action: e.Action,
			Target: e.Target, Before: e.Before, After: e.After}
	}
	h.renderPage(w, r, http.StatusOK, "Audit log", "audit", "", views.AuditPage(rows, p))
	return nil
}
