package ai

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const testKey = "sk-test-SECRET-9f8e7d6c"

// fakeProvider speaks one provider's wire protocol on loopback.
func fakeProvider(t *testing.T, path, keyHeader, reply string, status int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != "POST" || r.URL.Path != path {
			http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusNotFound)
			return
		}
		if got := r.Header.Get(keyHeader); !strings.Contains(got, testKey) {
			http.Error(w, `{"error":{"message":"missing key"}}`, http.StatusUnauthorized)
			return
		}
		if !strings.Contains(string(body), "ping") {
			http.Error(w, `{"error":{"message":"prompt not sent"}}`, 400)
			return
		}
		if reply == "hang" {
			<-r.Context().Done()
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, reply)
	}))
	t.Cleanup(srv.Close)
	return srv
}

const (
	openAIReply    = `{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"pong"},"finish_reason":"stop"}]}`
	anthropicReply = `{"id":"m1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"pong"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}`
	leakyError     = `{"error":{"type":"authentication_error","message":"Incorrect API key provided: ` + testKey + `"}}`
)

func TestCompleteSpeaksEachProtocol(t *testing.T) {
	tests := []struct {
		provider, path, header, reply, suffix string
	}{
		{OpenAI, "/v1/chat/completions", "Authorization", openAIReply, "/v1/"},
		{XAI, "/v1/chat/completions", "Authorization", openAIReply, "/v1/"},
		{OpenAICompatible, "/v1/chat/completions", "Authorization", openAIReply, "/v1/"},
		{Anthropic, "/v1/messages", "X-Api-Key", anthropicReply, "/"},
		{Google, "/v1beta/openai/chat/completions", "Authorization", openAIReply, "/v1beta/openai/"},
	}
	c := NewClient(nil, 5*time.Second)
	for _, tt := range tests {
		t.Run(tt.provider, func(t *testing.T) {
			srv := fakeProvider(t, tt.path, tt.header, tt.reply, 200)
			model := ""
			if tt.provider == OpenAICompatible {
				model = "llama3"
			}
			text, err := c.Complete(context.Background(), Request{Provider: tt.provider, APIKey: testKey, Model: model, BaseURL: srv.URL + tt.suffix, Prompt: "ping"})
			if err != nil || text != "pong" {
				t.Fatalf("got %q %v, want pong", text, err)
			}
		})
	}
}

func TestCompleteErrorsNeverHoldTheKey(t *testing.T) {
	tests := []struct {
		provider, path, header, suffix string
	}{
		{OpenAI, "/v1/chat/completions", "Authorization", "/v1/"},
		{Anthropic, "/v1/messages", "X-Api-Key", "/"},
		{Google, "/v1beta/openai/chat/completions", "Authorization", "/v1beta/openai/"},
	}
	for _, tt := range tests {
		t.Run(tt.provider, func(t *testing.T) {
			srv := fakeProvider(t, tt.path, tt.header, leakyError, 401)
			_, err := NewClient(nil, 5*time.Second).Complete(context.Background(), Request{Provider: tt.provider, APIKey: testKey, BaseURL: srv.URL + tt.suffix, Prompt: "ping"})
			if err == nil {
				t.Fatal("got no error for a 401")
			}
			if strings.Contains(err.Error(), testKey) {
				t.Fatalf("error leaks the key: %v", err)
			}
			if !strings.Contains(err.Error(), "401") && !strings.Contains(strings.ToLower(err.Error()), "api key") {
				t.Fatalf("error does not say what went wrong: %v", err)
			}
		})
	}
}

func TestCompleteTimesOut(t *testing.T) {
	srv := fakeProvider(t, "/v1/chat/completions", "Authorization", "hang", 200)
	start := time.Now()
	_, err := NewClient(nil, 200*time.Millisecond).Complete(context.Background(), Request{Provider: OpenAI, APIKey: testKey, BaseURL: srv.URL + "/v1/", Prompt: "ping"})
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("got %v, want a timeout", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("the timeout did not bound the call")
	}
}

func TestCompleteRejectsUnknownProvider(t *testing.T) {
	if _, err := NewClient(nil, time.Second).Complete(context.Background(), Request{Provider: "grok"}); err == nil {
		t.Fatal("accepted an unknown provider name")
	}
}

// roundTripFunc answers requests in process, for checking what is sent to a
// provider's real address without reaching it.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestCompleteSendsToEachProvidersAddress(t *testing.T) {
	tests := []struct {
		provider, reply, url, header, value string
		body                                []string
	}{
		{OpenAI, openAIReply, "https://api.openai.com/v1/chat/completions", "Authorization", "Bearer " + testKey,
			[]string{`"model":"gpt-5-mini"`, `"max_completion_tokens":1024`}},
		{Google, openAIReply, "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions", "Authorization", "Bearer " + testKey,
			[]string{`"model":"gemini-2.5-flash"`, `"max_tokens":1024`}},
		{XAI, openAIReply, "https://api.x.ai/v1/chat/completions", "Authorization", "Bearer " + testKey,
			[]string{`"model":"grok-4-fast"`}},
		{Anthropic, anthropicReply, "https://api.anthropic.com/v1/messages", "X-Api-Key", testKey,
			[]string{`"model":"claude-sonnet-4-5"`, `"max_tokens":1024`}},
	}
	for _, tt := range tests {
		t.Run(tt.provider, func(t *testing.T) {
			var url, value, body string
			hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				b, _ := io.ReadAll(r.Body)
				url, value, body = r.URL.String(), r.Header.Get(tt.header), string(b)
				return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
					Body: io.NopCloser(strings.NewReader(tt.reply)), Request: r}, nil
			})}
			text, err := NewClient(hc, 5*time.Second).Complete(context.Background(), Request{Provider: tt.provider, APIKey: testKey, Prompt: "ping"})
			if err != nil || text != "pong" {
				t.Fatalf("got %q %v, want pong", text, err)
			}
			if url != tt.url {
				t.Errorf("got URL %s, want %s", url, tt.url)
			}
			if value != tt.value {
				t.Errorf("got %s %q, want %q", tt.header, value, tt.value)
			}
			for _, want := range append(tt.body, `"content":"ping"`) {
				if !strings.Contains(body, want) {
					t.Errorf("got body %s, want it to hold %s", body, want)
				}
			}
		})
	}
}

func TestProviderMessage(t *testing.T) {
	tests := []struct{ reply, want string }{
		{`{"error":{"type":"authentication_error","message":"invalid x-api-key"}}`, "invalid x-api-key"},
		{`[{"error":{"code":400,"message":"API key not valid.","status":"INVALID_ARGUMENT"}}]`, "API key not valid."},
		{"upstream connect error\n", "upstream connect error"},
		{strings.Repeat("x", 300), strings.Repeat("x", 200) + "…"},
	}
	for _, tt := range tests {
		if got := providerMessage([]byte(tt.reply)); got != tt.want {
			t.Errorf("providerMessage(%.40q) = %q, want %q", tt.reply, got, tt.want)
		}
	}
}

// A provider address that redirects to another host never gets the key
// sent on (net/http keeps x-api-key across hosts).
func TestCompleteRefusesRedirectsElsewhere(t *testing.T) {
	var leaked atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != "" || r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
	}))
	defer other.Close()
	bounce := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer bounce.Close()
	c := NewClient(nil, 5*time.Second)
	for _, provider := range []string{Anthropic, OpenAICompatible} {
		_, err := c.Complete(context.Background(), Request{Provider: provider, APIKey: "sk-redirect-test-key", Model: "m", BaseURL: bounce.URL + "/v1", Prompt: "ping"})
		if err == nil || !strings.Contains(err.Error(), "another address") {
			t.Errorf("%s: %v, want the redirect refused", provider, err)
		}
	}
	if leaked.Load() != 0 {
		t.Fatalf("the key reached the other host %d times", leaked.Load())
	}
}
