package handlers_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

type sseEvent struct{ id, name, data string }

// sseClient reads a stream and parses it strictly: any line that is not a
// known field, a comment or a blank line is an error.
type sseClient struct {
	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex
	events []sseEvent
	err    error
	ended  error // why the stream ended, when it did
}

func (e *env) connect(t *testing.T, client *http.Client, lastID string) *sseClient {
	t.Helper()
	return e.connectTo(t, client, "/api/stream", lastID)
}

func (e *env) connectTo(t *testing.T, client *http.Client, path, lastID string) *sseClient {
	t.Helper()
	c, err := e.dial(client, path, lastID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// dial is connectTo for spawned goroutines: it returns the error instead of
// failing the test.
func (e *env) dial(client *http.Client, path, lastID string) (*sseClient, error) {
	return e.dialWith(client, path, lastID, true)
}

// dialWith is dial with the test token or, without it, only the client's
// own cookies (a signed-in browser).
func (e *env) dialWith(client *http.Client, path, lastID string, token bool) (*sseClient, error) {
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+path, nil)
	if token {
		req.Header.Set("Authorization", "Bearer "+testToken)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("stream: got %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	c := &sseClient{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		defer resp.Body.Close()
		r := bufio.NewReaderSize(resp.Body, 1<<16)
		var cur sseEvent
		var data []string
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				c.mu.Lock()
				c.ended = err
				c.mu.Unlock()
				return
			}
			line = strings.TrimSuffix(line, "\n")
			switch {
			case line == "":
				if cur.name != "" || len(data) > 0 {
					cur.data = strings.Join(data, "\n")
					c.mu.Lock()
					c.events = append(c.events, cur)
					c.mu.Unlock()
				}
				cur, data = sseEvent{}, nil
			case strings.HasPrefix(line, ":"):
			case strings.HasPrefix(line, "id: "):
				cur.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				cur.name = line[7:]
			case strings.HasPrefix(line, "data: "):
				data = append(data, line[6:])
			case strings.HasPrefix(line, "retry: "):
			default:
				c.mu.Lock()
				c.err = fmt.Errorf("malformed SSE line %q", line)
				c.mu.Unlock()
				return
			}
		}
	}()
	return c, nil
}

func (c *sseClient) close() {
	c.cancel()
	<-c.done
}

func (c *sseClient) snapshot() []sseEvent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]sseEvent(nil), c.events...)
}

func (c *sseClient) failure() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// waitEvents waits until cond holds for the events received so far.
func (c *sseClient) waitEvents(t *testing.T, what string, cond func([]sseEvent) bool) []sseEvent {
	t.Helper()
	evs, err := c.await(what, cond)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// await is waitEvents for spawned goroutines: it returns the error instead
// of failing the test.
func (c *sseClient) await(what string, cond func([]sseEvent) bool) ([]sseEvent, error) {
	deadline := time.Now().Add(20 * time.Second)
	for {
		evs := c.snapshot()
		if err := c.failure(); err != nil {
			return evs, err
		}
		if cond(evs) {
			return evs, nil
		}
		if time.Now().After(deadline) {
			last := ""
			if len(evs) > 0 {
				last = fmt.Sprintf("; the last is %s id %q: %.300s", evs[len(evs)-1].name, evs[len(evs)-1].id, evs[len(evs)-1].data)
			}
			c.mu.Lock()
			if c.ended != nil {
				last += fmt.Sprintf("; the stream ended: %v", c.ended)
			}
			c.mu.Unlock()
			return evs, fmt.Errorf("timed out waiting for %s (have %d events%s)", what, len(evs), last)
		}
		time.Sleep(time.Millisecond)
	}
}
