package providers

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"switchboard/ai"
	"switchboard/models"
	"switchboard/models/modeltest"
	"switchboard/secrets"
)

// fakeClient answers "pong" (or fails with err) and keeps the last
// request and how many it was sent. The tests call it from one goroutine.
type fakeClient struct {
	err   error
	last  ai.Request
	calls int
}

func (f *fakeClient) Complete(_ context.Context, req ai.Request) (string, error) {
	f.last, f.calls = req, f.calls+1
	if f.err != nil {
		return "", f.err
	}
	return "pong", nil
}

// newStore opens a store that can seal keys. The service's rules do not
// depend on the dialect (the store's own tests run on both); SQLite suffices.
func newStore(t *testing.T) *models.Store {
	t.Helper()
	box, err := secrets.New(bytes.Repeat([]byte{42}, secrets.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	store, err := models.Open(modeltest.Location(t, "sqlite"), models.WithCipher(box))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

func save(t *testing.T, store *models.Store, in models.ProviderInput) {
	t.Helper()
	if _, err := store.UpsertProvider(context.Background(), in); err != nil {
		t.Fatalf("save %s: %v", in.Provider, err)
	}
}

func TestWithoutProviders(t *testing.T) {
	ctx := context.Background()
	client := &fakeClient{}
	s := New(newStore(t), client)
	if _, err := s.Active(ctx); !errors.Is(err, ErrNoActive) {
		t.Errorf("Active: got %v, want ErrNoActive", err)
	}
	if _, err := s.Prompt(ctx, "", "ping"); !errors.Is(err, ErrNoActive) {
		t.Errorf("Prompt: got %v, want ErrNoActive", err)
	}
	for name, want := range map[string]string{ai.OpenAI: ai.OpenAI, "grok": ai.XAI} {
		var nc *NotConfiguredError
		if _, err := s.Named(ctx, name); !errors.As(err, &nc) || nc.Provider != want {
			t.Errorf("Named(%q): got %v, want not configured for %s", name, err, want)
		}
	}
	if _, err := s.Named(ctx, "mistral"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Named(mistral): got %v, want ErrUnsupported", err)
	}
	if client.calls != 0 {
		t.Fatalf("the client was called %d times, want never", client.calls)
	}
}

func TestResolvesKeyModelAndAddress(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	save(t, store, models.ProviderInput{Provider: ai.Anthropic, APIKey: "ant-stored-key-0001"})
	save(t, store, models.ProviderInput{Provider: ai.OpenAI, APIKey: "sk-stored-key-0002", Model: "gpt-5", BaseURL: "http://127.0.0.1:9/v1/", SetActive: true})
	save(t, store, models.ProviderInput{Provider: ai.XAI, APIKey: "xai-stored-key-0003"})
	s := New(store, &fakeClient{})

	active, err := s.Active(ctx)
	want := ai.Request{Provider: ai.OpenAI, APIKey: "sk-stored-key-0002", Model: "gpt-5", BaseURL: "http://127.0.0.1:9/v1/"}
	if err != nil || active != want {
		t.Fatalf("Active: got %+v %v, want %+v", active, err, want)
	}
	tests := []struct {
		name string
		want ai.Request
	}{
		{ai.Anthropic, ai.Request{Provider: ai.Anthropic, APIKey: "ant-stored-key-0001", Model: "claude-sonnet-4-5"}}, // no model stored: the default
		{"grok", ai.Request{Provider: ai.XAI, APIKey: "xai-stored-key-0003", Model: "grok-4-fast"}},
		{ai.OpenAI, want},
	}
	for _, tt := range tests {
		if got, err := s.Named(ctx, tt.name); err != nil || got != tt.want {
			t.Errorf("Named(%q): got %+v %v, want %+v", tt.name, got, err, tt.want)
		}
	}
}

func TestPromptUsesTheJobsModelElseTheProviders(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	save(t, store, models.ProviderInput{Provider: ai.Anthropic, APIKey: "ant-stored-key-0001", SetActive: true})
	client := &fakeClient{}
	s := New(store, client)
	for model, want := range map[string]string{"": "claude-sonnet-4-5", "claude-haiku-4-5": "claude-haiku-4-5"} {
		r, err := s.Prompt(ctx, model, "ping")
		if err != nil || r != (Reply{Text: "pong", Provider: ai.Anthropic, Model: want}) {
			t.Errorf("Prompt(%q): got %+v %v, want pong from %s %s", model, r, err, ai.Anthropic, want)
		}
		sent := client.last
		if sent.Model != want || sent.APIKey != "ant-stored-key-0001" || sent.Prompt != "ping" {
			t.Errorf("Prompt(%q) sent %+v, want model %s, the stored key and the prompt", model, sent, want)
		}
	}
}

// A failed call still says who was asked, and its error never holds the
// key, even from a client that lets it through.
func TestFailuresNameTheProviderAndHideTheKey(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	const key = "sk-CANARY-key-0002"
	save(t, store, models.ProviderInput{Provider: ai.OpenAI, APIKey: key, SetActive: true})
	client := &fakeClient{err: errors.New("401: bad key " + key)}
	s := New(store, client)
	r, err := s.Prompt(ctx, "", "ping")
	if err == nil || strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), "bad key ****") {
		t.Fatalf("Prompt: got %v, want the client's error with the key masked", err)
	}
	if r.Provider != ai.OpenAI || r.Model != "gpt-5-mini" {
		t.Fatalf("Prompt: got %+v, want it to name %s gpt-5-mini", r, ai.OpenAI)
	}
	// An error without the key is passed on as it is, still matchable.
	client.err = context.DeadlineExceeded
	if _, err := s.Send(ctx, ai.Request{Provider: ai.OpenAI, APIKey: key}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send: got %v, want context.DeadlineExceeded", err)
	}
}
