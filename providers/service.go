// Package providers decides where a prompt goes: it finds the provider (the
// active one, or one named), opens its stored key, picks the model and sends
// the prompt through an ai client. Prompt jobs (the scheduler's prompt
// runner, wired in cmd) and connection tests (handlers) both go through it,
// so the rules live once.
//
// It sits beside ai, not in it: it reads the store, and ai imports nothing
// of ours. It holds no state of its own; the store and the client are safe
// for concurrent use, so a Service is too.
package providers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"switchboard/ai"
	"switchboard/models"
)

// Completer sends a prompt to a provider (*ai.Client in production).
type Completer interface {
	Complete(ctx context.Context, req ai.Request) (string, error)
}

// Service resolves providers from the store and calls them.
type Service struct {
	store  *models.Store
	client Completer
}

// New returns a service that reads providers from store and calls them
// through client.
func New(store *models.Store, client Completer) *Service {
	return &Service{store: store, client: client}
}

// ErrNoActive: no provider is active.
var ErrNoActive = errors.New("no active AI provider")

// ErrUnsupported: no supported provider has that name or alias.
var ErrUnsupported = errors.New("unsupported provider")

// NotConfiguredError: the provider is supported but has not been saved.
type NotConfiguredError struct {
	Provider string // its canonical name
}

func (e *NotConfiguredError) Error() string {
	return fmt.Sprintf("provider %q is not configured", e.Provider)
}

// Active is the request that reaches the active provider, less its prompt:
// its key opened, its stored model (else the provider's default) and base
// URL. ErrNoActive when none is active.
func (s *Service) Active(ctx context.Context) (ai.Request, error) {
	p, err := s.store.ActiveProvider(ctx)
	if errors.Is(err, models.ErrNotFound) {
		return ai.Request{}, ErrNoActive
	}
	if err != nil {
		return ai.Request{}, err
	}
	return s.request(p)
}

// Named is Active for the provider called name, which may be an alias.
// ErrUnsupported for a name no provider has; *NotConfiguredError for a
// provider never saved.
func (s *Service) Named(ctx context.Context, name string) (ai.Request, error) {
	meta, ok := ai.Lookup(ai.Canonical(name))
	if !ok {
		return ai.Request{}, fmt.Errorf("%w %q", ErrUnsupported, name)
	}
	p, err := s.store.ProviderByName(ctx, meta.Name)
	if errors.Is(err, models.ErrNotFound) {
		return ai.Request{}, &NotConfiguredError{Provider: meta.Name}
	}
	if err != nil {
		return ai.Request{}, err
	}
	return s.request(p)
}

// request opens a stored provider's key and picks its model.
func (s *Service) request(p models.AIProvider) (ai.Request, error) {
	key, err := s.store.OpenKey(p)
	if err != nil {
		return ai.Request{}, err
	}
	meta, _ := ai.Lookup(p.Provider)
	return ai.Request{Provider: p.Provider, APIKey: key, Model: cmp.Or(p.Model, meta.DefaultModel), BaseURL: p.BaseURL}, nil
}

// Send sends req and returns the reply's text. Its error never holds the
// key, whatever the client let through: it reaches logs and answers.
func (s *Service) Send(ctx context.Context, req ai.Request) (string, error) {
	text, err := s.client.Complete(ctx, req)
	if err != nil && req.APIKey != "" && strings.Contains(err.Error(), req.APIKey) {
		err = errors.New(strings.ReplaceAll(err.Error(), req.APIKey, "****"))
	}
	return text, err
}

// Reply is a provider's answer to a prompt and who gave it.
type Reply struct {
	Text, Provider, Model string
}

// Prompt sends prompt to the active provider with model, or (when model is
// empty) the provider's stored model, else its default. Once a provider is
// found, the reply names it and the model even when the call fails.
// ErrNoActive when none is active.
func (s *Service) Prompt(ctx context.Context, model, prompt string) (Reply, error) {
	req, err := s.Active(ctx)
	if err != nil {
		return Reply{}, err
	}
	req.Model, req.Prompt = cmp.Or(model, req.Model), prompt
	text, err := s.Send(ctx, req)
	return Reply{Text: text, Provider: req.Provider, Model: req.Model}, err
}
