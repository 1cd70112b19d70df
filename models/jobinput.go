package models

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

var jobIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ValidateJobID checks a job id against ^[A-Za-z0-9_-]{1,64}$.
func ValidateJobID(id string) error {
	if jobIDPattern.MatchString(id) {
		return nil
	}
	return Invalid("job_id", "Invalid job_id '%s'. Must be 1–64 characters: letters, digits, underscores, or hyphens.", id)
}

// JobSpec is a validated request to create a stored job.
type JobSpec struct {
	Job      Job
	Schedule Schedule
}

// JobEdit is a validated edit; nil fields stay as they are.
type JobEdit struct {
	Name            *string
	Description     *string
	Config          *string
	MarketHoursOnly *bool
	TimeoutSeconds  *int
	Version         *int64
}

// ParseVersion reads the optional "version" of a body.
func ParseVersion(body map[string]json.RawMessage) (*int64, error) {
	raw, ok := body["version"]
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, nil
	}
	n, ok := parseInt(raw)
	if !ok || n < 1 {
		return nil, Invalid("version", `Invalid "version": must be a positive integer.`)
	}
	v := int64(n)
	return &v, nil
}

// ParseJobCreate validates the body of POST /api/scheduler/jobs. Keys it does
// not know are taken as the trigger's arguments, as api.md lays them out.
func ParseJobCreate(body map[string]json.RawMessage, loc *time.Location, now time.Time) (JobSpec, error) {
	rest := make(map[string]json.RawMessage, len(body))
	for k, v := range body {
		rest[k] = v
	}
	take := func(k string) (json.RawMessage, bool) {
		v, ok := rest[k]
		delete(rest, k)
		return v, ok && !bytes.Equal(bytes.TrimSpace(v), []byte("null"))
	}
	var spec JobSpec
	j := &spec.Job
	raw, ok := take("id")
	if !ok {
		return spec, Invalid("id", `Field "id" is required.`)
	}
	if err := json.Unmarshal(raw, &j.ID); err != nil {
		return spec, Invalid("id", `Field "id" must be a string.`)
	}
	if err := ValidateJobID(j.ID); err != nil {
		return spec, err
	}
	raw, ok = take("name")
	if !ok {
		return spec, Invalid("name", `Field "name" is required.`)
	}
	if err := textField(raw, "name", 1, 200, &j.Name); err != nil {
		return spec, err
	}
	if raw, ok := take("description"); ok {
		if err := textField(raw, "description", 0, 2000, &j.Description); err != nil {
			return spec, err
		}
	}
	raw, ok = take("kind")
	if !ok {
		return spec, Invalid("kind", `Field "kind" is required: prompt or webhook.`)
	}
	if err := json.Unmarshal(raw, &j.Kind); err != nil || (j.Kind != KindPrompt && j.Kind != KindWebhook) {
		if j.Kind == KindBuiltin {
			return spec, Invalid("kind", `Jobs of kind "builtin" are registered in code and cannot be created here.`)
		}
		return spec, Invalid("kind", `Invalid "kind": must be prompt or webhook.`)
	}
	raw, _ = take("config")
	cfg, err := ValidateConfig(j.Kind, raw)
	if err != nil {
		return spec, err
	}
	j.Config = cfg
	j.Enabled = true
	if raw, ok := take("enabled"); ok {
		if err := json.Unmarshal(raw, &j.Enabled); err != nil {
			return spec, Invalid("enabled", `Field "enabled" must be true or false.`)
		}
	}
	if raw, ok := take("market_hours_only"); ok {
		if err := json.Unmarshal(raw, &j.MarketHoursOnly); err != nil {
			return spec, Invalid("market_hours_only", `Field "market_hours_only" must be true or false.`)
		}
	}
	if raw, ok := take("timeout_seconds"); ok {
		if j.TimeoutSeconds, err = parseTimeout(raw); err != nil {
			return spec, err
		}
	}
	var trigger string
	if raw, ok := take("trigger"); ok {
		if err := json.Unmarshal(raw, &trigger); err != nil {
			return spec, Invalid("trigger", MissingTriggerMessage)
		}
	}
	delete(rest, "version")
	spec.Schedule, err = ParseSchedule(trigger, rest, loc, now)
	if err != nil {
		return spec, err
	}
	j.Trigger, j.TriggerArgs = spec.Schedule.Trigger, spec.Schedule.ArgsJSON()
	return spec, nil
}

// ParseJobEdit validates the body of PUT /api/scheduler/jobs/{id} for a job
// of the given kind.
func ParseJobEdit(kind string, body map[string]json.RawMessage) (JobEdit, error) {
	var e JobEdit
	for _, k := range sortedKeys(body) {
		raw := body[k]
		switch k {
		case "name":
			var s string
			if err := textField(raw, k, 1, 200, &s); err != nil {
				return e, err
			}
			e.Name = &s
		case "description":
			var s string
			if err := textField(raw, k, 0, 2000, &s); err != nil {
				return e, err
			}
			e.Description = &s
		case "config":
			if kind == KindBuiltin {
				return e, Invalid(k, "Jobs registered in code have no config to edit.")
			}
			cfg, err := ValidateConfig(kind, raw)
			if err != nil {
				return e, err
			}
			e.Config = &cfg
		case "market_hours_only":
			var b bool
			if err := json.Unmarshal(raw, &b); err != nil || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
				return e, Invalid(k, `Field "market_hours_only" must be true or false.`)
			}
			e.MarketHoursOnly = &b
		case "timeout_seconds":
			n, err := parseTimeout(raw)
			if err != nil {
				return e, err
			}
			e.TimeoutSeconds = &n
		case "version":
			v, err := ParseVersion(body)
			if err != nil {
				return e, err
			}
			e.Version = v
		case "trigger":
			return e, Invalid(k, `Field "trigger" cannot be edited here: change the schedule with PUT /api/scheduler/jobs/{id}/schedule.`)
		default:
			return e, Invalid(k, "Unknown field %q. Editable: name, description, config, market_hours_only, timeout_seconds.", k)
		}
	}
	return e, nil
}

func parseTimeout(raw json.RawMessage) (int, error) {
	n, ok := parseInt(raw)
	if !ok || n < 1 || n > 86400 {
		return 0, Invalid("timeout_seconds", `Invalid "timeout_seconds": must be an integer from 1 to 86400.`)
	}
	return n, nil
}

func textField(raw json.RawMessage, field string, min, max int, dst *string) error {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return Invalid(field, "Field %q must be a string.", field)
	}
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n < min || n > max {
		if min > 0 && n == 0 {
			return Invalid(field, "Field %q must not be empty.", field)
		}
		return Invalid(field, "Field %q must be at most %d characters.", field, max)
	}
	*dst = s
	return nil
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

// ValidateConfig checks a kind's config object and returns it normalised.
func ValidateConfig(kind string, raw json.RawMessage) (string, error) {
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return "", Invalid("config", `Field "config" must be a JSON object.`)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var out any
	switch kind {
	case KindPrompt:
		var c PromptConfig
		if err := dec.Decode(&c); err != nil {
			return "", Invalid("config", `Invalid "config" for a prompt job: expected {"prompt": "<text>", "model": "<optional model>"}.`)
		}
		c.Prompt = strings.TrimSpace(c.Prompt)
		if c.Prompt == "" || utf8.RuneCountInString(c.Prompt) > 20000 {
			return "", Invalid("config.prompt", `Invalid "config.prompt": must be 1 to 20,000 characters.`)
		}
		if len(c.Model) > 100 || strings.ContainsAny(c.Model, " \t\r\n") {
			return "", Invalid("config.model", `Invalid "config.model": at most 100 characters, no spaces.`)
		}
		out = c
	case KindWebhook:
		var c WebhookConfig
		if err := dec.Decode(&c); err != nil {
			return "", Invalid("config", `Invalid "config" for a webhook job: expected {"url", "method", "headers", "body"}.`)
		}
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(c.URL) > 2000 {
			return "", Invalid("config.url", `Invalid "config.url": must be an http or https URL.`)
		}
		c.Method = strings.ToUpper(c.Method)
		if c.Method == "" {
			c.Method = http.MethodPost
		}
		if !slices.Contains(webhookMethods[:], c.Method) {
			return "", Invalid("config.method", `Invalid "config.method": must be one of GET, POST, PUT, PATCH, DELETE.`)
		}
		if len(c.Headers) > 50 {
			return "", Invalid("config.headers", `Invalid "config.headers": at most 50 headers.`)
		}
		for k, v := range c.Headers {
			if !headerName.MatchString(k) || len(v) > 4096 || strings.ContainsAny(v, "\r\n\x00") {
				return "", Invalid("config.headers", "Invalid header %q in \"config.headers\".", k)
			}
		}
		if len(c.Body) > 32*1024 {
			return "", Invalid("config.body", `Invalid "config.body": at most 32 KiB.`)
		}
		out = c
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
