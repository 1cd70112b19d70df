// Package ai talks to AI providers over their HTTP APIs: a tiny prompt to
// test a connection, and the prompts of prompt jobs. Two protocols cover
// every provider: OpenAI's chat completions (OpenAI, xAI, Google Gemini's
// OpenAI-compatible endpoint, any compatible server) and Anthropic's
// messages.
//
// Both are a JSON POST written here with net/http rather than through the
// providers' Go SDKs, for memory: with gorm in the binary (its
// reflect.Value.MethodByName keeps every exported method of every linked
// type), openai-go linked 30 MB and anthropic-sdk-go 12.6 MB of the 74.7 MB
// binary, and google.golang.org/genai 6.2 MB more with gRPC, OpenTelemetry
// and Google Cloud auth. Without them the binary is 32.3 MB and idle RSS
// 31.4 MB instead of 61.3 MB (go run ./cmd/bench -only startup).
package ai

// Provider names.
const (
	Anthropic        = "anthropic"
	OpenAI           = "openai"
	Google           = "google"
	XAI              = "xai"
	OpenAICompatible = "openai_compatible"
)

// geminiOpenAIBaseURL is Gemini's OpenAI-compatible endpoint, where Google
// is sent chat completions with its API key as bearer.
const geminiOpenAIBaseURL = "https://generativelanguage.googleapis.com/v1beta/openai/"

// Provider describes a supported provider.
type Provider struct {
	Name           string
	DisplayName    string
	Models         []string
	DefaultModel   string
	DefaultBaseURL string // empty only where NeedsBaseURL
	NeedsBaseURL   bool
}

// Providers lists every supported provider, in display order. Each call
// builds a fresh list, Models included: a caller may change what it gets
// without changing what anyone else sees.
func Providers() []Provider {
	return []Provider{
		{Name: Anthropic, DisplayName: "Anthropic", DefaultModel: "claude-sonnet-4-5", DefaultBaseURL: "https://api.anthropic.com",
			Models: []string{"claude-opus-4-1", "claude-sonnet-4-5", "claude-haiku-4-5"}},
		{Name: OpenAI, DisplayName: "OpenAI", DefaultModel: "gpt-5-mini", DefaultBaseURL: "https://api.openai.com/v1",
			Models: []string{"gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-4.1"}},
		{Name: Google, DisplayName: "Google Gemini", DefaultModel: "gemini-2.5-flash", DefaultBaseURL: geminiOpenAIBaseURL,
			Models: []string{"gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite"}},
		{Name: XAI, DisplayName: "xAI Grok", DefaultModel: "grok-4-fast", DefaultBaseURL: "https://api.x.ai/v1",
			Models: []string{"grok-4", "grok-4-fast", "grok-3-mini"}},
		{Name: OpenAICompatible, DisplayName: "OpenAI-compatible server", NeedsBaseURL: true},
	}
}

// Canonical is the provider name for name, which may be an alias; any
// other name is returned as it is. The only alias is the original system's
// legacy dashboard's name for xAI, "grok".
func Canonical(name string) string {
	if name == "grok" {
		return XAI
	}
	return name
}

// Lookup finds a provider by its name (not an alias: see Canonical).
func Lookup(name string) (Provider, bool) {
	for _, p := range Providers() {
		if p.Name == name {
			return p, true
		}
	}
	return Provider{}, false
}
