package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"switchboard/models"
)

const webhookSnippet = 500

// callWebhook makes the job's HTTP call: a 2xx is success; anything else is
// an error carrying the status and the start of the reply.
func (s *Service) callWebhook(ctx context.Context, cfg models.WebhookConfig) (string, error) {
	var body io.Reader
	if cfg.Body != "" {
		body = strings.NewReader(cfg.Body)
	}
	req, err := http.NewRequestWithContext(ctx, cfg.Method, cfg.URL, body)
	if err != nil {
		return "", fmt.Errorf("build request: %w", withoutURL(err, cfg.URL))
	}
	for k, v := range cfg.Headers {
		req.Header.Set(k, v)
	}
	if cfg.Body != "" && req.Header.Get("Content-Type") == "" && json.Valid([]byte(cfg.Body)) {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return "", withoutURL(err, cfg.URL)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64*1024))
	snippet := strings.ToValidUTF8(string(raw), "")
	if utf8.RuneCountInString(snippet) > webhookSnippet {
		snippet = string([]rune(snippet)[:webhookSnippet]) + "…"
	}
	summary := fmt.Sprintf("HTTP %d: %s", resp.StatusCode, snippet)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return summary, fmt.Errorf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return summary, nil
}

// checkEgress refuses a webhook whose URL names an address the egress
// policy refuses, when it is saved; names are checked when dialled.
func (s *Service) checkEgress(kind, config string) error {
	if kind != models.KindWebhook {
		return nil
	}
	c, err := models.StoredConfig[models.WebhookConfig](config)
	if err != nil {
		return nil // validated when parsed; a run reports it
	}
	if err := s.egress.CheckURL(c.URL); err != nil {
		return models.Invalid("config.url", "Invalid \"config.url\": %s.", err.Error())
	}
	return nil
}

// withoutURL rewrites an error that quotes the whole URL (net/http's
// *url.Error hides only a password): run errors are shown to read-only
// users, so they name the URL as those users may see it.
func withoutURL(err error, raw string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %q: %w", ue.Op, models.ViewerURL(raw), ue.Err)
	}
	return err
}

// keepMaskedSecrets lets an operator send back a config as it was shown to
// them: a masked value (header, body, URL) that still matches the mask of
// the stored one keeps the stored one. A mask that matches nothing stored
// (the URL edited around its masked token, a masked header renamed) is
// refused rather than saved as the literal "****…" it is.
func keepMaskedSecrets(kind, oldCfg, newCfg string) (string, error) {
	if kind != models.KindWebhook {
		return newCfg, nil
	}
	prev, err1 := models.StoredConfig[models.WebhookConfig](oldCfg)
	next, err2 := models.StoredConfig[models.WebhookConfig](newCfg)
	if err1 != nil || err2 != nil {
		return newCfg, nil
	}
	masked := func(field string) error {
		return models.Invalid(field, "Invalid %q: it still holds a masked value (****) that matches nothing stored. Reveal the values and type the secret again, or send it back exactly as shown.", field)
	}
	for k, v := range next.Headers {
		old, ok := prev.Headers[k]
		switch {
		case ok && v == old:
		case ok && strings.HasPrefix(v, "****") && v == models.Mask(old):
			next.Headers[k] = old
		case strings.HasPrefix(v, "****"):
			return "", masked("config.headers." + k)
		}
	}
	switch {
	case next.Body == prev.Body:
	case prev.Body != "" && next.Body == models.Mask(prev.Body):
		next.Body = prev.Body
	case strings.HasPrefix(next.Body, "****"):
		return "", masked("config.body")
	}
	switch {
	case next.URL == prev.URL:
	case next.URL == models.MaskURL(prev.URL):
		next.URL = prev.URL
	case strings.Contains(next.URL, "****"):
		return "", masked("config.url")
	}
	b, err := json.Marshal(next)
	if err != nil {
		return newCfg, nil
	}
	return string(b), nil
}
