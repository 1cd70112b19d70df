package ai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/anthropics/anthropic-sdk-go"
	aoption "github.com/anthropics/anthropic-sdk-go/option"
	"github.com/openai/openai-go/v3"
	ooption "github.com/openai/openai-go/v3/option"
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
	c := &Client{http: httpClient, timeout: timeout}
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

func (c *Client) openAI(ctx context.Context, req Request) (string, error) {
	opts := []ooption.RequestOption{ooption.WithAPIKey(req.APIKey), ooption.WithHTTPClient(c.http), ooption.WithMaxRetries(0)}
	if req.BaseURL != "" {
		opts = append(opts, ooption.WithBaseURL(req.BaseURL))
	}
	client := openai.NewClient(opts...)
	params := openai.ChatCompletionNewParams{
		Model:    req.Model,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(req.Prompt)},
	}
	if req.Provider == Google {
		// Gemini's compatible endpoint documents max_tokens (its
		// maxOutputTokens); OpenAI's reasoning models refuse it.
		params.MaxTokens = openai.Int(req.MaxTokens)
	} else {
		params.MaxCompletionTokens = openai.Int(req.MaxTokens)
	}
	resp, err := client.Chat.Completions.New(ctx, params)
	if err != nil {
		return "", err
	}
	if len(resp.Choices) == 0 {
		return "", errors.New("the provider returned no choices")
	}
	return resp.Choices[0].Message.Content, nil
}

func (c *Client) anthropic(ctx context.Context, req Request) (string, error) {
	opts := []aoption.RequestOption{aoption.WithAPIKey(req.APIKey), aoption.WithHTTPClient(c.http), aoption.WithMaxRetries(0)}
	if req.BaseURL != "" {
		opts = append(opts, aoption.WithBaseURL(req.BaseURL))
	}
	client := anthropic.NewClient(opts...)
	resp, err := client.Messages.New(ctx, anthropic.MessageNewParams{
		Model:     anthropic.Model(req.Model),
		MaxTokens: req.MaxTokens,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(req.Prompt))},
	})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, block := range resp.Content {
		b.WriteString(block.Text)
	}
	return b.String(), nil
}

// scrub removes the key from an error's text: SDK errors may echo request
// details, and errors reach logs and API answers.
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
