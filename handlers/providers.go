package handlers

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"switchboard/ai"
	"switchboard/models"
)

type providerBody struct {
	Name        string   `json:"name"`
	DisplayName string   `json:"display_name"`
	Configured  bool     `json:"configured"`
	Models      []string `json:"models"`
	// DefaultModel is the model a client should pre-select, as the
	// original answered it: the stored model, else (configured without
	// one) the model runs use, else the first of Models.
	DefaultModel string  `json:"default_model"`
	Model        *string `json:"model"`
	IsActive     bool    `json:"is_active"`
	Status       string  `json:"status"`
	ID           *int64  `json:"id"`
	APIKeyMasked *string `json:"api_key_masked"`
	BaseURL      *string `json:"base_url"`
	NeedsBaseURL bool    `json:"needs_base_url"`
	UpdatedAt    *string `json:"updated_at"`
}

// providerEntry is a supported provider and its saved row, if it has one:
// what the API's provider bodies and the console's provider views are both
// made from.
type providerEntry struct {
	ai.Provider
	row *models.AIProvider
}

func (e providerEntry) active() bool { return e.row != nil && e.row.IsActive }

func (e providerEntry) status() string {
	switch {
	case e.row == nil:
		return "unconfigured"
	case e.row.IsActive:
		return "active"
	}
	return "configured"
}

// providerEntries is one entry per supported provider, configured or not.
func providerEntries(rows []models.AIProvider) []providerEntry {
	byName := map[string]*models.AIProvider{}
	for i := range rows {
		byName[rows[i].Provider] = &rows[i]
	}
	all := ai.Providers()
	out := make([]providerEntry, len(all))
	for i, p := range all {
		out[i] = providerEntry{Provider: p, row: byName[p.Name]}
	}
	return out
}

// providerList is providerEntries for the providers stored now.
func (h *Handler) providerList(ctx context.Context) ([]providerEntry, error) {
	rows, err := h.store.ListProviders(ctx)
	if err != nil {
		return nil, err
	}
	return providerEntries(rows), nil
}

// providersJSON is the providers as api.md shows them.
func providersJSON(es []providerEntry, loc *time.Location) []providerBody {
	out := make([]providerBody, len(es))
	for i, e := range es {
		// Models is appended so a provider that lists none answers [], not null.
		b := providerBody{Name: e.Name, DisplayName: e.DisplayName, Models: append([]string{}, e.Models...),
			Status: e.status(), NeedsBaseURL: e.NeedsBaseURL}
		if len(e.Models) > 0 {
			b.DefaultModel = e.Models[0]
		}
		if row := e.row; row != nil {
			b.DefaultModel = cmp.Or(row.Model, e.DefaultModel)
			id, masked, model, base := row.ID, row.MaskedKey(), row.Model, row.BaseURL
			b.Configured, b.ID, b.APIKeyMasked, b.Model, b.BaseURL, b.IsActive = true, &id, &masked, &model, &base, row.IsActive
			b.UpdatedAt = formatTimePtr(&row.UpdatedAt, loc)
		}
		out[i] = b
	}
	return out
}

// activeProviderID is the id of the active provider, or nil.
func activeProviderID(es []providerEntry) *int64 {
	for _, e := range es {
		if e.active() {
			return &e.row.ID
		}
	}
	return nil
}

func positiveInt(q map[string][]string, name string, def, max int) (int, error) {
	v := ""
	if vs := q[name]; len(vs) > 0 {
		v = vs[0]
	}
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, models.Invalid(name, "Invalid %s: must be an integer from 1 to %d.", name, max)
	}
	return n, nil
}

func (h *Handler) handleProviderList(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r)
	if err != nil {
		return err
	}
	size, err := positiveInt(q, "page_size", 25, 100)
	if err != nil {
		return err
	}
	entries, err := h.providerList(r.Context())
	if err != nil {
		return err
	}
	all := providersJSON(entries, h.sched.Location())
	pages := max(1, (len(all)+size-1)/size)
	page, err := positiveInt(q, "page", 1, pages)
	if err != nil {
		return err
	}
	lo := (page - 1) * size
	hi := min(lo+size, len(all))
	// "providers" is the same page under the name the original
	// front-end reads.
	writeJSON(w, http.StatusOK, map[string]any{
		"data": all[lo:hi], "providers": all[lo:hi], "page": page, "page_size": size, "total": len(all), "total_pages": pages,
		"has_next": page < pages, "has_prev": page > 1,
	})
	return nil
}

func (h *Handler) handleProviderActive(w http.ResponseWriter, r *http.Request) error {
	entries, err := h.providerList(r.Context())
	if err != nil {
		return err
	}
	var active any
	for _, p := range providersJSON(entries, h.sched.Location()) {
		if p.IsActive {
			active = p
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"provider": active})
	return nil
}

// lookupProvider finds a supported provider by its name or an alias.
func lookupProvider(name string) (ai.Provider, error) {
	p, ok := ai.Lookup(ai.Canonical(name))
	if !ok {
		var names []string
		for _, p := range ai.Providers() {
			names = append(names, p.Name)
		}
		return p, models.Invalid("provider", "Unsupported provider '%s'. Supported: %s.", name, strings.Join(names, ", "))
	}
	return p, nil
}

// providerFields is a provider save as someone wrote it; a nil field was
// not given (a given null or "" clears a stored model or base URL). The
// API decodes its JSON into one, the console's form fills one, and
// validate applies the same rules to both.
type providerFields struct {
	provider, apiKey, model, baseURL *string
	setActive                        bool
}

// decodeProviderBody reads the body of POST /api/settings/ai-provider.
func decodeProviderBody(body map[string]json.RawMessage) (providerFields, error) {
	f := providerFields{setActive: true}
	for k := range body {
		switch k {
		case "provider", "api_key", "model", "base_url", "set_active":
		default:
			return f, models.Invalid(k, "Unknown field %q. Allowed: provider, api_key, model, base_url, set_active.", k)
		}
	}
	for k, dst := range map[string]**string{"provider": &f.provider, "api_key": &f.apiKey, "model": &f.model, "base_url": &f.baseURL} {
		v := valueOf(body[k])
		if v == nil {
			continue
		}
		if v.Bare && v.Text != "null" {
			return f, models.Invalid(k, "Field %q must be a string.", k)
		}
		text := v.Text
		if v.Bare { // null: given, empty
			text = ""
		}
		*dst = &text
	}
	if raw, ok := body["set_active"]; ok && json.Unmarshal(raw, &f.setActive) != nil {
		return f, models.Invalid("set_active", `Field "set_active" must be true or false.`)
	}
	return f, nil
}

// validate checks a provider save and returns it as the store takes it.
func (f providerFields) validate() (models.ProviderInput, error) {
	in := models.ProviderInput{SetActive: f.setActive}
	if f.provider == nil || *f.provider == "" {
		return in, models.Invalid("provider", `Field "provider" is required.`)
	}
	p, err := lookupProvider(*f.provider)
	if err != nil {
		return in, err
	}
	in.Provider = p.Name
	// Absent means "keep the stored key"; present must be a valid key.
	if f.apiKey != nil {
		in.APIKey = *f.apiKey
		if err := models.ValidateAPIKey(in.APIKey); err != nil {
			return in, err
		}
	}
	// Absent keeps the stored value; an explicit "" (or null) clears it.
	in.KeepModel, in.KeepBaseURL = f.model == nil, f.baseURL == nil
	in.NeedsModel, in.NeedsBaseURL = p.DefaultModel == "", p.NeedsBaseURL
	if f.model != nil {
		in.Model = strings.TrimSpace(*f.model)
	}
	if err := models.ValidateModel(in.Model); err != nil {
		return in, err
	}
	if f.baseURL != nil {
		in.BaseURL = strings.TrimSpace(*f.baseURL)
	}
	if err := models.ValidateBaseURL(in.BaseURL); err != nil {
		return in, err
	}
	return in, nil
}

func (h *Handler) handleProviderAdd(w http.ResponseWriter, r *http.Request) error {
	body, err := decodeObject(w, r, false, notObjectMessage)
	if err != nil {
		return err
	}
	f, err := decodeProviderBody(body)
	if err != nil {
		return err
	}
	in, err := f.validate()
	if err != nil {
		return err
	}
	p, err := h.store.UpsertProvider(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "id": p.ID, "provider": p.Provider, "is_active": p.IsActive})
	return nil
}

func providerID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, models.Invalid("id", "Invalid provider id '%s': must be a positive integer.", r.PathValue("id"))
	}
	return id, nil
}

func (h *Handler) handleProviderActivate(w http.ResponseWriter, r *http.Request) error {
	id, err := providerID(r)
	if err != nil {
		return err
	}
	if err := h.store.ActivateProvider(r.Context(), id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "id": id})
	return nil
}

func (h *Handler) handleProviderDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := providerID(r)
	if err != nil {
		return err
	}
	if err := h.store.DeleteProvider(r.Context(), id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "id": id})
	return nil
}
