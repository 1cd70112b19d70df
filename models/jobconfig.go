package models

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// A job's config: its kinds' shapes, their rules, and how each audience
// sees a stored one (masked, or for a viewer only where it goes).

// StoredConfig decodes a job's stored config (validated when it was
// saved, so an error means the row was written by something else).
func StoredConfig[C PromptConfig | WebhookConfig](config string) (C, error) {
	var c C
	if err := json.Unmarshal([]byte(config), &c); err != nil {
		return c, fmt.Errorf("stored config: %w", err)
	}
	return c, nil
}

// PromptConfig is the config of a prompt job.
type PromptConfig struct {
	Prompt string `json:"prompt"`
	Model  string `json:"model,omitempty"`
}

// WebhookConfig is the config of a webhook job.
type WebhookConfig struct {
	URL     string            `json:"url"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
}

var headerName = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$")

var webhookMethods = [...]string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// validate checks the settings of a job of the given kind and returns
// them normalised, as stored.
func (c *JobConfig) validate(kind string) (string, error) {
	if c != nil && c.Unreadable != nil {
		return "", c.Unreadable
	}
	var out any
	switch kind {
	case KindPrompt:
		if c == nil || c.Prompt == nil {
			return "", Invalid("config", ConfigNotObject)
		}
		p := *c.Prompt
		p.Prompt = strings.TrimSpace(p.Prompt)
		if p.Prompt == "" || utf8.RuneCountInString(p.Prompt) > 20000 {
			return "", Invalid("config.prompt", `Invalid "config.prompt": must be 1 to 20,000 characters.`)
		}
		if len(p.Model) > 100 || strings.ContainsAny(p.Model, " \t\r\n") {
			return "", Invalid("config.model", `Invalid "config.model": at most 100 characters, no spaces.`)
		}
		out = p
	case KindWebhook:
		if c == nil || c.Webhook == nil {
			return "", Invalid("config", ConfigNotObject)
		}
		w := *c.Webhook
		u, err := url.Parse(w.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(w.URL) > 2000 {
			return "", Invalid("config.url", `Invalid "config.url": must be an http or https URL.`)
		}
		w.Method = strings.ToUpper(w.Method)
		if w.Method == "" {
			w.Method = http.MethodPost
		}
		if !slices.Contains(webhookMethods[:], w.Method) {
			return "", Invalid("config.method", `Invalid "config.method": must be one of GET, POST, PUT, PATCH, DELETE.`)
		}
		if len(w.Headers) > 50 {
			return "", Invalid("config.headers", `Invalid "config.headers": at most 50 headers.`)
		}
		for k, v := range w.Headers {
			if !headerName.MatchString(k) || len(v) > 4096 || strings.ContainsAny(v, "\r\n\x00") {
				return "", Invalid("config.headers", "Invalid header %q in \"config.headers\".", k)
			}
		}
		if len(w.Body) > 32*1024 {
			return "", Invalid("config.body", `Invalid "config.body": at most 32 KiB.`)
		}
		out = w
	default:
		return "{}", nil
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// PublicConfig returns a job's config as an admin sees it by default: a
// webhook's header values, body, URL credentials and query values are
// masked to their last four characters (RevealConfig shows them).
func PublicConfig(kind, config string) map[string]any {
	return shownConfig(kind, config, func(c WebhookConfig) map[string]any {
		headers := map[string]any{}
		for k, v := range c.Headers {
			headers[k] = Mask(v)
		}
		out := map[string]any{"url": MaskURL(c.URL), "method": c.Method, "headers": headers}
		if c.Body != "" {
			out["body"] = Mask(c.Body)
		}
		return out
	})
}

// shownConfig is a config as some audience sees it: other kinds as
// stored, a webhook's through show (an unreadable one as {}).
func shownConfig(kind, config string, show func(WebhookConfig) map[string]any) map[string]any {
	if kind != KindWebhook {
		return decodeObjectOrEmpty(config)
	}
	var c WebhookConfig
	if json.Unmarshal([]byte(config), &c) != nil {
		return map[string]any{}
	}
	return show(c)
}

// ViewerConfig returns a job's config as a read-only user sees it: for a
// webhook only the method and the URL's scheme, host and path.
func ViewerConfig(kind, config string) map[string]any {
	return shownConfig(kind, config, func(c WebhookConfig) map[string]any {
		return map[string]any{"url": ViewerURL(c.URL), "method": c.Method}
	})
}

// ViewerURL is a webhook URL as a read-only user sees it: scheme, host and
// path; no credentials, query or fragment.
func ViewerURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	shown := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return shown.String()
}

// RevealConfig returns a job's config as stored, every value shown.
func RevealConfig(config string) map[string]any { return decodeObjectOrEmpty(config) }

func decodeObjectOrEmpty(config string) map[string]any {
	out := map[string]any{}
	if err := json.Unmarshal([]byte(config), &out); err != nil {
		return map[string]any{}
	}
	return out
}

// MaskURL masks a URL's credentials and query values; sent back unchanged
// it keeps the stored URL (see the scheduler's keepMaskedSecrets).
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "****"
	}
	hadUser := u.User != nil
	u.User = nil
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, part := range parts {
			k, v, ok := strings.Cut(part, "=")
			if !ok { // a bare token: ?abcdef123
				parts[i] = "****" + url.QueryEscape(strings.TrimPrefix(Mask(k), "****"))
				continue
			}
			if plain, err := url.QueryUnescape(v); err == nil {
				v = plain
			}
			parts[i] = k + "=****" + url.QueryEscape(strings.TrimPrefix(Mask(v), "****"))
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	if hadUser { // url.User would escape the asterisks
		return strings.Replace(u.String(), "://", "://****@", 1)
	}
	return u.String()
}

// Mask shows a secret as **** and its last four characters.
func Mask(secret string) string {
	if utf8.RuneCountInString(secret) <= 4 {
		return "****"
	}
	return "****" + lastChars(secret, 4)
}
