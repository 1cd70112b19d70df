package handlers

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"switchboard/hub"
	"switchboard/views"
)

const (
	heartbeatEvery = 15 * time.Second
	writeTimeout   = 10 * time.Second // a stuck peer cannot pin the stream longer
)

// snapshotJSON is the state a new /api/stream starts from.
func (h *Handler) snapshotJSON(ctx context.Context) ([]byte, error) {
	jobs, err := h.sched.List(ctx)
	if err != nil {
		return nil, err
	}
	providers, err := h.providerList(ctx)
	if err != nil {
		return nil, err
	}
	loc := h.sched.Location()
	out := make([]jobBody, len(jobs))
	running := []map[string]any{}
	for i, j := range jobs {
		out[i] = jobJSON(j)
		if j.Running != nil {
			running = append(running, map[string]any{
				"job_id": j.ID, "run_id": j.Running.RunID, "source": j.Running.Source, "started_at": formatTime(j.Running.StartedAt, loc),
			})
		}
	}
	return json.Marshal(map[string]any{
		"jobs": out, "providers": providers, "active_provider_id": activeProviderID(providers), "running_runs": running,
	})
}

// snapshotHTML is the state a new /events stream starts from: the whole
// jobs table body and provider list, as out-of-band swaps.
func (h *Handler) snapshotHTML(ctx context.Context) ([]byte, error) {
	jobs, err := h.sched.List(ctx)
	if err != nil {
		return nil, err
	}
	providers, err := h.providerList(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]views.JobRow, len(jobs))
	for i, j := range jobs {
		rows[i] = jobRow(j)
	}
	return render(views.JobsTableBodyOOB(rows), views.ProviderListOOB(providerItems(providers)))
}

// handleStream is GET /api/stream, JSON events.
func (h *Handler) handleStream(w http.ResponseWriter, r *http.Request) error {
	return h.stream(w, r, hub.JSON, h.snapshotJSON)
}

// handleEvents is GET /events, the same changes as htmx fragments.
func (h *Handler) handleEvents(w http.ResponseWriter, r *http.Request) error {
	return h.stream(w, r, hub.HTML, h.snapshotHTML)
}

// stream sends a snapshot (or, with a Last-Event-ID the hub still holds,
// the events missed), then every change as it commits, in one format.
func (h *Handler) stream(w http.ResponseWriter, r *http.Request, format int, snapshot func(context.Context) ([]byte, error)) error {
	var last uint64
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		last, _ = strconv.ParseUint(v, 10, 64) // a bad id just means "start afresh"
	}
	sub, replay, resumed, head := h.hub.Subscribe(last)
	defer h.hub.Unsubscribe(sub)
	var first []byte
	if !resumed {
		snap, err := snapshot(r.Context())
		if err != nil {
			return err
		}
		// The snapshot carries the id of the last event before it, so a
		// reconnect with that id resumes right after it.
		first = hub.Frame(head, "snapshot", snap)
	}

	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{}) // the server's read timeout must not end a stream
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(frame []byte) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := w.Write(frame); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send([]byte("retry: 3000\n\n")) || (first != nil && !send(first)) {
		return nil
	}
	for _, e := range replay {
		if f := e.Frame(format); f != nil && !send(f) {
			return nil
		}
	}
	// An idle stream must not keep its snapshot (kilobytes) alive.
	first, replay = nil, nil
	maxAge := h.cfg.StreamMaxAge + rand.N(h.cfg.StreamMaxAge/6+1)
	age := time.NewTimer(maxAge)
	defer age.Stop()
	beat := time.NewTimer(heartbeatEvery)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-sub.Done: // too slow, or shutting down: the client reconnects
			return nil
		case <-age.C:
			return nil
		case e := <-sub.C:
			if f := e.Frame(format); f != nil && !send(f) {
				return nil
			}
			beat.Reset(heartbeatEvery)
		case <-beat.C:
			if !send(hub.Frame(0, "heartbeat", []byte("{}"))) {
				return nil
			}
			beat.Reset(heartbeatEvery)
		}
	}
}
