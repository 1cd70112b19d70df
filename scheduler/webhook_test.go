package scheduler

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"switchboard/models"
)

// The edges of a webhook call: which statuses are success, where the reply
// is cut, and the JSON content type a JSON body gets unless one is set.
func TestWebhookEdges(t *testing.T) {
	var contentType atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		contentType.Store(r.Header.Get("Content-Type"))
		status, _ := strconv.Atoi(r.URL.Query().Get("status"))
		n, _ := strconv.Atoi(r.URL.Query().Get("runes"))
		w.WriteHeader(status)
		_, _ = w.Write([]byte(strings.Repeat("é", n)))
	}))
	defer srv.Close()
	st, _ := openStore(t)
	s := newService(t, st, nil)
	ctx := context.Background()
	tests := []struct {
		name, query, body      string
		headers                map[string]string
		status, summary, ctype string
	}{
		{"299 is success", "status=299&runes=1", "", nil, models.StatusSuccess, "HTTP 299: é", ""},
		{"300 is an error", "status=300&runes=1", "", nil, models.StatusError, "HTTP 300: é", ""},
		{"200 is success", "status=200&runes=0", "", nil, models.StatusSuccess, "HTTP 200: ", ""},
		{"500 runes are kept whole", "status=200&runes=500", "", nil, models.StatusSuccess, "HTTP 200: " + strings.Repeat("é", 500), ""},
		{"501 runes are cut to 500", "status=200&runes=501", "", nil, models.StatusSuccess, "HTTP 200: " + strings.Repeat("é", 500) + "…", ""},
		{"a JSON body is sent as JSON", "status=200", `{"a":1}`, nil, models.StatusSuccess, "HTTP 200: ", "application/json"},
		{"a text body is not", "status=200", `hello`, nil, models.StatusSuccess, "HTTP 200: ", ""},
		{"a set content type stays", "status=200", `{"a":1}`, map[string]string{"Content-Type": "text/plain"}, models.StatusSuccess, "HTTP 200: ", "text/plain"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "hook-" + strconv.Itoa(i)
			spec := webhookSpec(t, id, srv.URL+"/?"+tt.query, "interval", `{"hours": 1}`)
			cfg, _ := json.Marshal(models.WebhookConfig{URL: srv.URL + "/?" + tt.query, Method: "POST", Headers: tt.headers, Body: tt.body})
			spec.Job.Config = string(cfg)
			if _, err := s.Create(ctx, spec); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Trigger(ctx, id); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the call", func() bool {
				r, ok := lastRun(t, st, id)
				return ok && r.Status != models.StatusRunning
			})
			r, _ := lastRun(t, st, id)
			if r.Status != tt.status || r.ResultSummary != tt.summary || contentType.Load() != tt.ctype {
				t.Fatalf("got %s %.40q… (%d runes) content type %q; want %s %.40q… (%d runes) %q", r.Status, r.ResultSummary,
					len([]rune(r.ResultSummary)), contentType.Load(), tt.status, tt.summary, len([]rune(tt.summary)), tt.ctype)
			}
		})
	}
}
