package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"switchboard/ai"
	"switchboard/models"
)

// Completer sends a prompt to a provider (ai.Client in production).
type Completer interface {
	Complete(ctx context.Context, req ai.Request) (string, error)
}

type providerBody struct {
	Name         string   `json:"name"`
	DisplayName  string   `json:"display_name"`
	Configured   bool     `json:"configured"`
	Models       []string `json:"models"`
	DefaultModel string   `json:"default_model"`
	Model        *string  `json:"model"`
	IsActive     bool     `json:"is_active"`
	Status       string   `json:"status"`
	ID           *int64   `json:"id"`
	APIKeyMasked *string  `json:"api_key_masked"`
	BaseURL      *string  `json:"base_url"`
	NeedsBaseURL bool     `json:"needs_base_url"`
	UpdatedAt    *string  `json:"updated_at"`
}

// providerList is one entry per supported provider, configured or not.
func (h *Handler) providerList(ctx context.Context) ([]providerBody, error) {
	rows, err := h.store.ListProviders(ctx)
	if err != nil {
		return nil, err
	}
	return providersJSON(rows, h.sched.Location()), nil
}

func providersJSON(rows []models.AIProvider, loc *time.Location) []providerBody {
	byName := map[string]models.AIProvider{}
	for _, p := range rows {
		byName[p.Provider] = p
	}
	out := make([]providerBody, 0, len(ai.Providers))
	for _, p := range ai.Providers {
		b := providerBody{Name: p.Name, DisplayName: p.DisplayName, Models: append([]string{}, p.Models...),
			DefaultModel: p.DefaultModel, Status: "unconfigured", NeedsBaseURL: p.NeedsBaseURL}
		if row, ok := byName[p.Name]; ok {
			id, masked, model, base := row.ID, row.MaskedKey(), row.Model, row.BaseURL
			b.Configured, b.ID, b.APIKeyMasked, b.Model, b.BaseURL, b.IsActive = true, &id, &masked, &model, &base, row.IsActive
			b.UpdatedAt = formatTimePtr(&row.UpdatedAt, loc)
			b.Status = "configured"
			if row.IsActive {
				b.Status = "active"
			}
		}
		out = append(out, b)
	}
	return out
}

// activeProviderID is the id of the active provider, or nil.
func activeProviderID(ps []providerBody) *int64 {
	for _, p := range ps {
		if p.IsActive {
			return p.ID
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
	all, err := h.providerList(r.Context())
	if err != nil {
		return err
	}
	pages := max(1, (len(all)+size-1)/size)
	page, err := positiveInt(q, "page", 1, pages)
	if err != nil {
		return err
	}
	lo := (page - 1) * size
	hi := min(lo+size, len(all))
	writeJSON(w, http.StatusOK, map[string]any{
		"data": all[lo:hi], "page": page, "page_size": size, "total": len(all), "total_pages": pages,
		"has_next": page < pages, "has_prev": page > 1,
	})
	return nil
}

func (h *Handler) handleProviderActive(w http.ResponseWriter, r *http.Request) error {
	all, err := h.providerList(r.Context())
	if err != nil {
		return err
	}
	var active any
	for _, p := range all {
		if p.IsActive {
			active = p
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"provider": active})
	return nil
}

// parseProviderInput validates the body of POST /api/settings/ai-provider.
func parseProviderInput(body map[string]json.RawMessage) (models.ProviderInput, error) {
	in := models.ProviderInput{SetActive: true}
	str := func(k string, dst *string) error {
		raw, ok := body[k]
		if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			return nil
		}
		if json.Unmarshal(raw, dst) != nil {
			return models.Invalid(k, "Field %q must be a string.", k)
		}
		return nil
	}
	for k := range body {
		switch k {
		case "provider", "api_key", "model", "base_url", "set_active":
		default:
			return in, models.Invalid(k, "Unknown field %q. Allowed: provider, api_key, model, base_url, set_active.", k)
		}
	}
	for k, dst := range map[string]*string{"provider": &in.Provider, "api_key": &in.APIKey, "model": &in.Model, "base_url": &in.BaseURL} {
		if err := str(k, dst); err != nil {
			return in, err
		}
	}
	if raw, ok := body["set_active"]; ok && json.Unmarshal(raw, &in.SetActive) != nil {
		return in, models.Invalid("set_active", `Field "set_active" must be true or false.`)
	}
	if in.Provider == "" {
		return in, models.Invalid("provider", `Field "provider" is required.`)
	}
	p, ok := ai.Lookup(in.Provider)
	if !ok {
		names := make([]string, len(ai.Providers))
		for i, p := range ai.Providers {
			names[i] = p.Name
		}
		return in, models.Invalid("provider", "Unsupported provider '%s'. Supported: %s.", in.Provider, strings.Join(names, ", "))
	}
	// Absent means "keep the stored key"; present must be a valid key.
	if _, has := body["api_key"]; has {
		if err := models.ValidateAPIKey(in.APIKey); err != nil {
			return in, err
		}
	}
	// Absent keeps the stored value; an explicit "" (or null) clears it.
	_, hasModel := body["model"]
	_, hasBase := body["base_url"]
	in.KeepModel, in.KeepBaseURL = !hasModel, !hasBase
	in.NeedsModel, in.NeedsBaseURL = p.DefaultModel == "", p.NeedsBaseURL
	in.Model = strings.TrimSpace(in.Model)
	if err := models.ValidateModel(in.Model); err != nil {
		return in, err
	}
	in.BaseURL = strings.TrimSpace(in.BaseURL)
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
	in, err := parseProviderInput(body)
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

func errProviderNotFound(id int64) error {
	return &httpError{http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("Provider %d not found.", id), nil}
}

func (h *Handler) handleProviderActivate(w http.ResponseWriter, r *http.Request) error {
	id, err := providerID(r)
	if err != nil {
		return err
	}
	if err := h.store.ActivateProvider(r.Context(), id); err != nil {
		if err == models.ErrNotFound {
			return errProviderNotFound(id)
		}
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
		if err == models.ErrNotFound {
			return errProviderNotFound(id)
		}
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "id": id})
	return nil
}

// testPrompt is the tiny prompt "test connection" sends.
const testPrompt = "Reply with the single word: pong"

func (h *Handler) handleProviderTest(w http.ResponseWriter, r *http.Request) error {
	res, err := h.testProvider(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	out := map[string]any{"success": res.err == "", "provider": res.provider, "model": res.model, "latency_ms": res.latency.Milliseconds()}
	if res.err != "" {
		out["error"] = res.err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// providerTest is how a connection test went; err is safe to show.
type providerTest struct {
	provider, model, err string
	latency              time.Duration
}

// testProvider sends a tiny prompt with the stored key. An error return is
// a request that could not be made (unknown or unconfigured provider); a
// failing provider is a result.
func (h *Handler) testProvider(ctx context.Context, name string) (providerTest, error) {
	meta, ok := ai.Lookup(name)
	if !ok {
		return providerTest{}, models.Invalid("name", "Unsupported provider '%s'.", name)
	}
	p, err := h.store.ProviderByName(ctx, name)
	if err == models.ErrNotFound {
		return providerTest{}, &httpError{http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("Provider '%s' is not configured.", name), nil}
	}
	if err != nil {
		return providerTest{}, err
	}
	key, err := h.store.OpenKey(p)
	if err != nil {
		return providerTest{}, err
	}
	res := providerTest{provider: name, model: p.Model}
	if res.model == "" {
		res.model = meta.DefaultModel
	}
	start := time.Now()
	_, err = h.ai.Complete(ctx, ai.Request{Provider: name, APIKey: key, Model: res.model, BaseURL: p.BaseURL, Prompt: testPrompt, MaxTokens: 16})
	res.latency = time.Since(start)
	if err != nil {
		res.err = strings.ReplaceAll(err.Error(), key, "****")
	}
	return res, nil
}
