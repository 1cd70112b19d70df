package ai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Request is one prompt to one provider.
type Request struct {
	Provider  string
	APIKey    string
	Model     string
	BaseURL   string // empty: the provider's default
	Prompt    string
	MaxTokens int64
}

// Client sends prompts. It is safe for concurrent use.
type Client struct {
	http    *http.Client
	timeout time.Duration
	observe func(provider string, d time.Duration, err error)
}

// Option configures a Client.
type Option func(*Client)

// WithObserver is told the provider, duration and outcome of every call.
func WithObserver(fn func(provider string, d time.Duration, err error)) Option {
	return func(c *Client) { c.observe = fn }
}

// NewClient returns a client whose every call ends after timeout.
func NewClient(httpClient *http.Client, timeout time.Duration, opts ...Option) *Client {
	if httpClient == nil {
		httpClient = &http.Client{}
	}
	// net/http drops Authorization on a redirect to another host but not
	// x-api-key: a provider address that redirects elsewhere must not
	// carry the key along.
	hc := *httpClient
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("stopped after 5 redirects")
		}
		if req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme {
			return fmt.Errorf("refused a redirect to another address (%s)", req.URL.Host)
		}
		return nil
	}
	c := &Client{http: &hc, timeout: timeout}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Complete sends the prompt and returns the reply's text. Errors never
// contain the API key.
func (c *Client) Complete(ctx context.Context, req Request) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	p, ok := Lookup(req.Provider)
	if !ok {
		return "", fmt.Errorf("unsupported provider %q", req.Provider)
	}
	if req.Model == "" {
		req.Model = p.DefaultModel
	}
	if req.Model == "" {
		return "", errors.New("no model set for this provider")
	}
	if req.BaseURL == "" {
		req.BaseURL = p.DefaultBaseURL
	}
	if req.MaxTokens == 0 {
		req.MaxTokens = 1024
	}
	var text string
	var err error
	if c.observe != nil {
		start := time.Now()
		defer func() { c.observe(req.Provider, time.Since(start), err) }()
	}
	switch req.Provider {
	case Anthropic:
		text, err = c.anthropic(ctx, req)
	default: // OpenAI's chat completions: OpenAI, xAI, Gemini's compatible endpoint, any compatible server
		text, err = c.openAI(ctx, req)
	}
	if err != nil {
		return "", scrub(err, req.APIKey)
	}
	return text, nil
}

// maxReply bounds how much of a provider's answer is read: a reply to one
// prompt is far smaller.
const maxReply = 4 << 20

// openAI speaks OpenAI's chat completions.
func (c *Client) openAI(ctx context.Context, req Request) (string, error) {
	body := map[string]any{
		"model":    req.Model,
		"messages": []map[string]string{{"role": "user", "content": req.Prompt}},
	}
	if req.Provider == Google {
		// Gemini's compatible endpoint documents max_tokens (its
		// maxOutputTokens); OpenAI's reasoning models refuse it.
		body["max_tokens"] = req.MaxTokens
	} else {
		body["max_completion_tokens"] = req.MaxTokens
	}
	header := http.Header{}
	if req.APIKey != "" {
		header.Set("Authorization", "Bearer "+req.APIKey)
	}
	var resp struct {
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
		} `json:"choices"`
	}
	if err := c.post(ctx, req.BaseURL, "chat/completions", header, body, &resp); err != nil {
		return "", err
	}
	if len(resp.Choices) == 0 {
		return "", errors.New("the provider returned no choices")
	}
	return resp.Choices[0].Message.Content, nil
}

// anthropic speaks Anthropic's messages API.
func (c *Client) anthropic(ctx context.Context, req Request) (string, error) {
	body := map[string]any{
		"model":      req.Model,
		"max_tokens": req.MaxTokens,
		"messages":   []map[string]string{{"role": "user", "content": req.Prompt}},
	}
	header := http.Header{"X-Api-Key": {req.APIKey}, "Anthropic-Version": {"2023-06-01"}}
	var resp struct {
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
	}
	if err := c.post(ctx, req.BaseURL, "v1/messages", header, body, &resp); err != nil {
		return "", err
	}
	var b strings.Builder
	for _, block := range resp.Content {
		b.WriteString(block.Text)
	}
	return b.String(), nil
}

// post sends body as JSON to path under baseURL and decodes a 2xx answer
// into out. Any other status is an error naming it and the provider's own
// message ({"error": {"message"}} for OpenAI, xAI and Anthropic), else the
// start of the body.
func (c *Client) post(ctx context.Context, baseURL, path string, header http.Header, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	url := strings.TrimSuffix(baseURL, "/") + "/" + path
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	r.Header = header
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return fmt.Errorf("POST %s: reading the answer: %w", url, err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %s: %s", url, resp.Status, providerMessage(reply))
	}
	if err := json.Unmarshal(reply, out); err != nil {
		return fmt.Errorf("POST %s: the answer is not the expected JSON: %w", url, err)
	}
	return nil
}

// providerMessage is the message of an error answer: its error.message (an
// object, or the first of a list as Gemini sends), else its first 200 bytes.
func providerMessage(reply []byte) string {
	var one struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	var list []struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	switch {
	case json.Unmarshal(reply, &one) == nil && one.Error.Message != "":
		return one.Error.Message
	case json.Unmarshal(reply, &list) == nil && len(list) > 0 && list[0].Error.Message != "":
		return list[0].Error.Message
	}
	text := strings.TrimSpace(string(reply))
	if len(text) > 200 {
		text = strings.ToValidUTF8(text[:200], "") + "…"
	}
	return text
}

// scrub removes the key from an error's text: providers' answers may echo
// it, and errors reach logs and API answers.
func scrub(err error, key string) error {
	msg := err.Error()
	if key != "" {
		msg = strings.ReplaceAll(msg, key, "****")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		msg = "timed out: " + msg
	}
	return errors.New(msg)
}
