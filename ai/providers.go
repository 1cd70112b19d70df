// Package ai talks to AI providers through their official Go SDKs (Google
// Gemini through its OpenAI-compatible endpoint and OpenAI's SDK): a tiny
// prompt to test a connection, and the prompts of prompt jobs.
package ai

// Provider names.
const (
	Anthropic        = "anthropic"
	OpenAI           = "openai"
	Google           = "google"
	XAI              = "xai"
	OpenAICompatible = "openai_compatible"
)

// geminiOpenAIBaseURL is Gemini's OpenAI-compatible endpoint. Google goes
// through the OpenAI SDK there (API key as bearer) rather than through
// google.golang.org/genai, which linked gRPC, OpenTelemetry and Google Cloud
// auth into the binary: 6.2 MB of its 81 MB.
const geminiOpenAIBaseURL = "https://generativelanguage.googleapis.com/v1beta/openai/"

// Provider describes a supported provider.
type Provider struct {
	Name           string
	DisplayName    string
	Models         []string
	DefaultModel   string
	DefaultBaseURL string // empty: the SDK's own
	NeedsBaseURL   bool
}

// Providers lists every supported provider, in display order.
var Providers = []Provider{
	{Name: Anthropic, DisplayName: "Anthropic", DefaultModel: "claude-sonnet-4-5",
		Models: []string{"claude-opus-4-1", "claude-sonnet-4-5", "claude-haiku-4-5"}},
	{Name: OpenAI, DisplayName: "OpenAI", DefaultModel: "gpt-5-mini",
		Models: []string{"gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-4.1"}},
	{Name: Google, DisplayName: "Google Gemini", DefaultModel: "gemini-2.5-flash", DefaultBaseURL: geminiOpenAIBaseURL,
		Models: []string{"gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite"}},
	{Name: XAI, DisplayName: "xAI Grok", DefaultModel: "grok-4-fast", DefaultBaseURL: "https://api.x.ai/v1",
		Models: []string{"grok-4", "grok-4-fast", "grok-3-mini"}},
	{Name: OpenAICompatible, DisplayName: "OpenAI-compatible server", NeedsBaseURL: true},
}

// aliases are other names clients use for a provider: the original
// system's legacy dashboard calls xAI "grok".
var aliases = map[string]string{"grok": XAI}

// Canonical is the provider name for name, which may be an alias; any
// other name is returned as it is.
func Canonical(name string) string {
	if c, ok := aliases[name]; ok {
		return c
	}
	return name
}

// Lookup finds a provider by its name (not an alias: see Canonical).
func Lookup(name string) (Provider, bool) {
	for _, p := range Providers {
		if p.Name == name {
			return p, true
		}
	}
	return Provider{}, false
}
