package handlers_test

import (
	"errors"
	"strings"
	"testing"

	"switchboard/handlers"
)

// POST /api/settings/test-ai is the legacy dashboard's "test" button.
func TestSettingsTestAI(t *testing.T) {
	fake := &fakeCompleter{}
	e := newEnvWith(t, envOptions{cfg: handlers.Config{APIToken: testToken}, ai: fake})
	for _, body := range []string{
		`{"provider":"anthropic","api_key":"ant-stored-key-0001","set_active":false}`,
		`{"provider":"openai","api_key":"sk-stored-key-0002","model":"gpt-5"}`,
	} {
		if status, m := e.do("POST", "/api/settings/ai-provider", body); status != 200 {
			t.Fatalf("add provider: %d %v", status, m)
		}
	}
	tests := []struct {
		name       string
		body       string
		fail       bool
		wantStatus int
		want       map[string]any // fields of the answer
		wantKey    string         // the key the provider was sent
	}{
		{"no body tests the active provider", "", false, 200,
			map[string]any{"success": true, "provider": "openai", "model": "gpt-5"}, "sk-stored-key-0002"},
		{"an empty object tests the active provider", "{}", false, 200,
			map[string]any{"success": true, "provider": "openai"}, "sk-stored-key-0002"},
		{"a provider without a key tests its stored key", `{"provider":"anthropic"}`, false, 200,
			map[string]any{"success": true, "provider": "anthropic", "model": "claude-sonnet-4-5"}, "ant-stored-key-0001"},
		{"a key sent is tested (and not stored); grok is xai", `{"provider":"grok","model":"grok-4","api_key":"xai-typed-key-0003"}`, false, 200,
			map[string]any{"success": true, "provider": "xai", "model": "grok-4"}, "xai-typed-key-0003"},
		{"a failing provider is an answer, without the key", `{"provider":"grok","api_key":"xai-typed-key-0003"}`, true, 200,
			map[string]any{"success": false, "provider": "xai", "error": "rejected ****"}, "xai-typed-key-0003"},
		{"an unconfigured provider without a key", `{"provider":"google"}`, false, 404,
			map[string]any{"success": false, "error_code": "NOT_FOUND"}, ""},
		{"an unknown provider", `{"provider":"mistral","api_key":"mistral-key-0004"}`, false, 400,
			map[string]any{"success": false, "error_code": "VALIDATION_ERROR"}, ""},
		{"a malformed key", `{"provider":"openai","api_key":"short"}`, false, 400,
			map[string]any{"success": false, "error_code": "VALIDATION_ERROR"}, ""},
		{"a key without a provider", `{"api_key":"sk-orphan-key-0005"}`, false, 400,
			map[string]any{"success": false, "error": `Field "provider" is required with "api_key".`}, ""},
		{"an unknown field", `{"provider":"openai","colour":"red"}`, false, 400,
			map[string]any{"success": false, "error_code": "VALIDATION_ERROR"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake.mu.Lock()
			fake.reqs, fake.err = nil, nil
			if tt.fail {
				fake.err = errors.New("rejected xai-typed-key-0003")
			}
			fake.mu.Unlock()
			status, m := e.do("POST", "/api/settings/test-ai", tt.body)
			if status != tt.wantStatus {
				t.Fatalf("got %d %v, want %d", status, m, tt.wantStatus)
			}
			for k, v := range tt.want {
				if m[k] != v {
					t.Errorf("%s: got %v, want %v (answer %v)", k, m[k], v, m)
				}
			}
			if got := fake.last().APIKey; got != tt.wantKey {
				t.Errorf("key sent to the provider: got %q, want %q", got, tt.wantKey)
			}
		})
	}
	// Testing a key stores nothing.
	for _, p := range e.providers() {
		if p["name"] == "xai" && p["configured"] != false {
			t.Fatalf("testing a key configured xai: %v", p)
		}
	}

	none := newEnvWith(t, envOptions{cfg: handlers.Config{APIToken: testToken}, ai: fake})
	status, m := none.do("POST", "/api/settings/test-ai", "")
	wantError(t, status, m, 404, "NOT_FOUND", "No active AI provider.")
}

// The legacy dashboard names xAI "grok": accepted on input, answered as xai.
func TestProviderGrokAlias(t *testing.T) {
	fake := &fakeCompleter{}
	e := newEnvWith(t, envOptions{cfg: handlers.Config{APIToken: testToken}, ai: fake})
	status, m := e.do("POST", "/api/settings/ai-provider", `{"provider":"grok","api_key":"xai-key-00000001","model":"grok-4"}`)
	if status != 200 || m["provider"] != "xai" {
		t.Fatalf("add grok: got %d %v, want provider xai", status, m)
	}
	status, m = e.do("POST", "/api/settings/ai-provider/grok/test", "")
	if status != 200 || m["provider"] != "xai" || m["success"] != true {
		t.Fatalf("test grok: got %d %v, want a test of xai", status, m)
	}
	raw := string(must(e.doRaw("GET", "/api/settings/ai-providers", "", map[string]string{"Authorization": "Bearer " + testToken})))
	if strings.Contains(raw, `"grok"`) {
		t.Fatalf("the list answers the alias: %s", raw)
	}
	_, m = e.do("GET", "/api/settings/ai-provider/active", "")
	if p, _ := m["provider"].(map[string]any); p["name"] != "xai" {
		t.Fatalf("active: got %v, want xai", m)
	}
}

// default_model is what the original answered: the stored model when one
// is saved, else the first of the provider's list; model stays as stored.
func TestProviderDefaultModel(t *testing.T) {
	e := newEnv(t, nil)
	e.do("POST", "/api/settings/ai-provider", `{"provider":"anthropic","api_key":"ant-key-00000001","model":"claude-haiku-4-5"}`)
	e.do("POST", "/api/settings/ai-provider", `{"provider":"openai","api_key":"sk-key-000000001","set_active":false}`)
	tests := []struct {
		provider  string
		wantModel any // the stored model, null when unconfigured
		wantDef   string
	}{
		{"anthropic", "claude-haiku-4-5", "claude-haiku-4-5"}, // stored
		{"openai", "", "gpt-5-mini"},                          // configured without a model: the one it runs with
		{"google", nil, "gemini-2.5-pro"},                     // unconfigured: the first of its list
		{"xai", nil, "grok-4"},
	}
	ps := e.providers()
	for _, tt := range tests {
		t.Run(tt.provider, func(t *testing.T) {
			for _, p := range ps {
				if p["name"] == tt.provider {
					if p["default_model"] != tt.wantDef || p["model"] != tt.wantModel {
						t.Fatalf("got default_model %v model %v, want %s and %v", p["default_model"], p["model"], tt.wantDef, tt.wantModel)
					}
					return
				}
			}
			t.Fatalf("%s not listed", tt.provider)
		})
	}
}

func must(_ int, raw []byte) []byte { return raw }
