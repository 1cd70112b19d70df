package handlers

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"switchboard/ai"
	"switchboard/models"
	"switchboard/providers"
)

// testPrompt is the tiny prompt "test connection" sends.
const testPrompt = "Reply with the single word: pong"

func (h *Handler) handleProviderTest(w http.ResponseWriter, r *http.Request) error {
	target, err := h.storedProvider(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeProviderTest(w, h.testProvider(r.Context(), target))
	return nil
}

func writeProviderTest(w http.ResponseWriter, res providerTest) {
	out := map[string]any{"success": res.err == "", "provider": res.provider, "model": res.model, "latency_ms": res.latency.Milliseconds()}
	if res.err != "" {
		out["error"] = res.err
	}
	writeJSON(w, http.StatusOK, out)
}

// providerTest is how a connection test went; err is safe to show.
type providerTest struct {
	provider, model, err string
	latency              time.Duration
}

// storedProvider is the request for a configured provider, by name or
// alias, with its stored key. Unknown is a 400, unconfigured a 404.
func (h *Handler) storedProvider(ctx context.Context, name string) (ai.Request, error) {
	req, err := h.providers.Named(ctx, name)
	var unconfigured *providers.NotConfiguredError
	switch {
	case errors.Is(err, providers.ErrUnsupported):
		return req, models.Invalid("name", "Unsupported provider '%s'.", name)
	case errors.As(err, &unconfigured):
		return req, &httpError{http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("Provider '%s' is not configured.", unconfigured.Provider), nil}
	}
	return req, err
}

// testProvider sends a tiny prompt. A failing provider is a result, its
// message (without the key: the service masks it).
func (h *Handler) testProvider(ctx context.Context, req ai.Request) providerTest {
	req.Prompt, req.MaxTokens = testPrompt, 16
	res := providerTest{provider: req.Provider, model: req.Model}
	start := time.Now()
	_, err := h.providers.Send(ctx, req)
	res.latency = time.Since(start)
	if err != nil {
		res.err = err.Error()
	}
	return res
}

// handleSettingsTestAI is the original's POST /api/settings/test-ai (the
// legacy dashboard's "test" button). With a key in the body it tests that
// key, never storing it; with a provider alone, that provider's stored key;
// with neither, the active provider.
func (h *Handler) handleSettingsTestAI(w http.ResponseWriter, r *http.Request) error {
	body, err := decodeObject(w, r, true, notObjectMessage)
	if err != nil {
		return err
	}
	var in struct{ provider, key, model, baseURL string }
	for k, dst := range map[string]*string{"provider": &in.provider, "api_key": &in.key, "model": &in.model, "base_url": &in.baseURL} {
		raw, ok := body[k]
		if ok && !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) && json.Unmarshal(raw, dst) != nil {
			return models.Invalid(k, "Field %q must be a string.", k)
		}
	}
	for k := range body {
		switch k {
		case "provider", "api_key", "model", "base_url":
		default:
			return models.Invalid(k, "Unknown field %q. Allowed: provider, api_key, model, base_url.", k)
		}
	}
	target, err := h.testAITarget(r.Context(), in.provider, in.key, strings.TrimSpace(in.model), strings.TrimSpace(in.baseURL))
	if err != nil {
		return err
	}
	writeProviderTest(w, h.testProvider(r.Context(), target))
	return nil
}

// testAITarget is what test-ai tests: the key given, else the stored key
// of the provider named, else the active provider's; the model and base
// URL given override the stored ones.
func (h *Handler) testAITarget(ctx context.Context, provider, key, model, baseURL string) (ai.Request, error) {
	if err := errors.Join(models.ValidateModel(model), models.ValidateBaseURL(baseURL)); err != nil {
		return ai.Request{}, err
	}
	t, err := h.testAIProvider(ctx, provider, key)
	if err != nil {
		return t, err
	}
	// A stored key goes only to the address it was saved for, here as
	// when saving: another address needs the key in the request.
	if key == "" && baseURL != "" && baseURL != t.BaseURL {
		return t, models.Invalid("api_key", `Field "api_key" is required with a "base_url" other than the stored one: a stored key is only sent to the address it was saved for.`)
	}
	t.Model = cmp.Or(model, t.Model)
	t.BaseURL = cmp.Or(baseURL, t.BaseURL)
	meta, _ := ai.Lookup(t.Provider)
	if t.Model == "" {
		return t, models.Invalid("model", `Field "model" is required for %s.`, t.Provider)
	}
	if meta.NeedsBaseURL && t.BaseURL == "" {
		return t, models.Invalid("base_url", `Field "base_url" is required for %s.`, t.Provider)
	}
	return t, nil
}

func (h *Handler) testAIProvider(ctx context.Context, provider, key string) (ai.Request, error) {
	switch {
	case provider == "" && key != "":
		return ai.Request{}, models.Invalid("provider", `Field "provider" is required with "api_key".`)
	case provider == "":
		req, err := h.providers.Active(ctx)
		if errors.Is(err, providers.ErrNoActive) {
			return req, &httpError{http.StatusNotFound, "NOT_FOUND", "No active AI provider.", nil}
		}
		return req, err
	case key == "":
		return h.storedProvider(ctx, provider)
	}
	meta, err := lookupProvider(provider)
	if err != nil {
		return ai.Request{}, err
	}
	if err := models.ValidateAPIKey(key); err != nil {
		return ai.Request{}, err
	}
	return ai.Request{Provider: meta.Name, APIKey: key, Model: meta.DefaultModel}, nil
}
