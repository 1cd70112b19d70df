package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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
		return "", fmt.Errorf("build request: %w", err)
	}
	for k, v := range cfg.Headers {
		req.Header.Set(k, v)
	}
	if cfg.Body != "" && req.Header.Get("Content-Type") == "" && json.Valid([]byte(cfg.Body)) {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return "", err
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
	c, err := decodeConfig[models.WebhookConfig](config)
	if err != nil {
		return nil // validated when parsed; a run reports it
	}
	if err := s.egress.CheckURL(c.URL); err != nil {
		return models.Invalid("config.url", "Invalid \"config.url\": %s.", err.Error())
	}
	return nil
}

func decodeConfig[T any](raw string) (T, error) {
	var c T
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return c, fmt.Errorf("stored config: %w", err)
	}
	return c, nil
}

// keepMaskedSecrets lets an operator send back a config as it was shown to
// them: a masked value (header, body, URL) that still matches the mask of
// the stored one keeps the stored one.
func keepMaskedSecrets(kind, oldCfg, newCfg string) string {
	if kind != models.KindWebhook {
		return newCfg
	}
	prev, err1 := decodeConfig[models.WebhookConfig](oldCfg)
	next, err2 := decodeConfig[models.WebhookConfig](newCfg)
	if err1 != nil || err2 != nil {
		return newCfg
	}
	for k, v := range next.Headers {
		if old, ok := prev.Headers[k]; ok && strings.HasPrefix(v, "****") && v == models.Mask(old) {
			next.Headers[k] = old
		}
	}
	if prev.Body != "" && next.Body == models.Mask(prev.Body) {
		next.Body = prev.Body
	}
	if next.URL != prev.URL && next.URL == models.MaskURL(prev.URL) {
		next.URL = prev.URL
	}
	b, err := json.Marshal(next)
	if err != nil {
		return newCfg
	}
	return string(b)
}
