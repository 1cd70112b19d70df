package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"

	"switchboard/hub"
	"switchboard/scheduler"
	"switchboard/views"
)

// writeTimeout bounds each write: a stuck peer cannot pin a stream longer.
const writeTimeout = 10 * time.Second

// liveState is what a snapshot shows: every job and every provider.
func (h *Handler) liveState(ctx context.Context) ([]scheduler.Job, []providerEntry, error) {
	jobs, err := h.sched.List(ctx)
	if err != nil {
		return nil, nil, err
	}
	providers, err := h.providerList(ctx)
	return jobs, providers, err
}

// snapshotJSON is the state a new /api/stream starts from.
func (h *Handler) snapshotJSON(admin bool) func(context.Context) ([]byte, error) {
	return func(ctx context.Context) ([]byte, error) { return h.snapshotJSONFor(ctx, admin) }
}

func (h *Handler) snapshotJSONFor(ctx context.Context, admin bool) ([]byte, error) {
	jobs, providers, err := h.liveState(ctx)
	if err != nil {
		return nil, err
	}
	loc := h.sched.Location()
	out := make([]jobBody, len(jobs))
	running := []map[string]any{}
	for i, j := range jobs {
		out[i] = jobJSON(j, admin)
		if j.Running != nil {
			running = append(running, map[string]any{
				"job_id": j.ID, "run_id": j.Running.RunID, "source": j.Running.Source, "started_at": formatTime(j.Running.StartedAt, loc),
			})
		}
	}
	return json.Marshal(map[string]any{
		"jobs": out, "providers": providersJSON(providers, loc), "active_provider_id": activeProviderID(providers), "running_runs": running,
	})
}

// snapshotHTML is the state a new /events stream starts from, as
// out-of-band swaps of what the page (?view=) shows: the jobs table body
// (the page's rows, see jobsPageEvents), one job's summary, the provider
// list and cards. Without a view it sends the first page of the jobs table
// and the provider list.
func (h *Handler) snapshotHTML(r *http.Request, canWrite bool) func(context.Context) ([]byte, error) {
	view, id := r.URL.Query().Get("view"), r.URL.Query().Get("id")
	// The jobs table shows a page of what its filter and search match: the
	// snapshot carries the rows of that page (the first when none is named
	// or the query is not one the page makes).
	jq, err := parseJobsQuery(r.URL.Query())
	if err != nil {
		jq = jobsQuery{page: 1}
	}
	return func(ctx context.Context) ([]byte, error) {
		switch view {
		case "history":
			return []byte("<!-- history takes runs live; nothing to refresh -->"), nil
		case "overview", "run":
			return []byte("<!-- the page asks for itself again (app.js) -->"), nil
		case "job":
			j, err := h.sched.Get(ctx, id)
			if err != nil {
				return []byte("<!-- no such job -->"), nil
			}
			return render(views.JobSummaryOOB(jobRow(j, canWrite, h.now())))
		case "settings", "providers":
			ps, err := h.providerList(ctx)
			if err != nil {
				return nil, err
			}
			return render(views.ProviderListOOB(providerItems(ps)), views.ActiveProviderOOB(activeProviderForm(ps, canWrite)),
				views.ProviderStatusesOOB(providerCards(ps, canWrite)))
		}
		jobs, err := h.sched.List(ctx)
		if err != nil {
			return nil, err
		}
		rows := jobRows(sliceJobs(jobs, jq).jobs, canWrite, h.now())
		if view == "jobs" {
			return render(views.JobsTableBodyOOB(rows))
		}
		ps, err := h.providerList(ctx)
		if err != nil {
			return nil, err
		}
		return render(views.JobsTableBodyOOB(rows), views.ProviderListOOB(providerItems(ps)))
	}
}

// handleStream is GET /api/stream, JSON events.
func (h *Handler) handleStream(w http.ResponseWriter, r *http.Request) error {
	if canWrite(r) {
		return h.stream(w, r, classJSON, h.snapshotJSON(true))
	}
	return h.stream(w, r, classJSONViewer, h.snapshotJSON(false))
}

// handleEvents is GET /events, the same changes as htmx fragments, with
// action buttons only for a caller who may use them. A page always starts
// from a fresh snapshot, even when its EventSource reconnects with a
// Last-Event-ID: the snapshot is what the page shows, not what it missed.
func (h *Handler) handleEvents(w http.ResponseWriter, r *http.Request) error {
	class, write := classHTMLViewer, canWrite(r)
	if write {
		class = classHTML
	}
	r.Header.Del("Last-Event-ID")
	return h.stream(w, r, class, h.snapshotHTML(r, write))
}

// stream sends a snapshot (or, with a Last-Event-ID the hub still holds,
// the events missed), then every change as it commits, as class sees it.
//
// An idle stream should cost little: where it can, stream takes the
// connection over (Hijack) and hands it to a goroutine of its own with a
// shallow stack, so net/http's per-connection buffers and the deep stack of
// the request goroutine are freed while the stream lasts. The handler owns
// that goroutine: WaitStreams waits for it.
func (h *Handler) stream(w http.ResponseWriter, r *http.Request, class hub.Class, snapshot func(context.Context) ([]byte, error)) error {
	var last uint64
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		last, _ = strconv.ParseUint(v, 10, 64) // a bad id just means "start afresh"
	}
	// Let this instance catch up with the log first, so what it sends
	// includes every change committed before the client asked, wherever.
	newest, err := h.store.LastEventID(r.Context())
	if err != nil {
		return err
	}
	h.sched.WaitApplied(r.Context(), newest, 2*time.Second)
	if last > uint64(newest) {
		last = 0 // an id the log never handed out: start afresh
	}
	sub, replay, resumed, head, _ := h.hub.Subscribe(last)
	opening := [][]byte{[]byte("retry: 3000\n\n")}
	sent := last
	if last > 0 && !resumed {
		// Older than this instance's memory (it restarted, or the client
		// read on another instance): the log has it, unless pruned.
		frames, upTo, ok := h.replayFromLog(r.Context(), last, class)
		if ok {
			opening, sent, resumed = append(opening, frames...), upTo, true
		}
	}
	if !resumed {
		snap, err := snapshot(r.Context())
		if err != nil {
			h.hub.Unsubscribe(sub)
			return err
		}
		// The snapshot carries the id of the last event before it, so a
		// reconnect with that id resumes right after it.
		opening = append(opening, hub.Frame(head, "snapshot", snap))
		sent = head
	}
	for _, e := range replay {
		if f := e.Frame(class); f != nil && e.ID > sent {
			opening = append(opening, f)
			sent = e.ID
		}
	}
	p := &pump{sub: sub, class: class, opening: opening, heartbeat: h.cfg.Heartbeat, sent: sent,
		maxAge: h.cfg.StreamMaxAge + rand.N(h.cfg.StreamMaxAge/6+1)}

	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Accel-Buffering", "no")
	p.header = hdr.Clone()

	rc := http.NewResponseController(w)
	if conn, _, err := rc.Hijack(); err == nil {
		h.streams.Add(1)
		go func() {
			defer h.streams.Done()
			defer h.hub.Unsubscribe(sub)
			p.runConn(conn, requestID(r.Context()))
		}()
		return nil
	}
	// HTTP/2, or a writer that cannot be taken over: stream in place.
	defer h.hub.Unsubscribe(sub)
	_ = rc.SetReadDeadline(time.Time{}) // the server's read timeout must not end a stream
	w.WriteHeader(http.StatusOK)
	p.run(r.Context().Done(), func(frame []byte) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := w.Write(frame); err != nil {
			return false
		}
		return rc.Flush() == nil
	})
	return nil
}

// maxReplay bounds a replay from the log; a client further behind starts
// from a snapshot, which is smaller.
const maxReplay = 10000

// replayFromLog renders the logged events after last for class and returns
// them with the newest id; ok is false when some are no longer kept.
func (h *Handler) replayFromLog(ctx context.Context, last uint64, class hub.Class) (frames [][]byte, upTo uint64, ok bool) {
	kept, err := h.store.Replayable(ctx, int64(last))
	if err != nil || !kept {
		return nil, 0, false
	}
	rows, err := h.store.EventsAfter(ctx, int64(last), maxReplay+1)
	if err != nil || len(rows) > maxReplay {
		return nil, 0, false
	}
	upTo = last
	loc := h.sched.Location()
	for _, row := range rows {
		upTo = uint64(row.ID)
		e, err := h.sched.Decode(row)
		if err != nil {
			return nil, 0, false
		}
		name, payloads, err := EncodeEvent(e, loc, h.now())
		if err != nil {
			return nil, 0, false
		}
		if p := payloads[class]; p != nil {
			if len(p) > hub.MaxPayload {
				name, p = resync, []byte(resyncData)
			}
			frames = append(frames, hub.Frame(upTo, name, p))
		}
	}
	return frames, upTo, true
}

// WaitStreams waits until every taken-over stream has ended (close the hub
// first) or ctx ends.
func (h *Handler) WaitStreams(ctx context.Context) error {
	done := make(chan struct{})
	go func() { h.streams.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// pump moves one subscriber's events to one client.
type pump struct {
	sub       *hub.Subscription
	class     hub.Class
	sent      uint64   // the newest id sent: anything older from C was already sent
	opening   [][]byte // sent first, then dropped: an idle stream keeps no snapshot
	maxAge    time.Duration
	heartbeat time.Duration
	header    http.Header // the middleware's response headers (security, CORS), for runConn's head
}

// runConn streams over a taken-over HTTP/1.1 connection: a plain response
// whose body ends when the connection closes. A small reader notices the
// client leaving.
func (p *pump) runConn(conn net.Conn, requestID string) {
	defer conn.Close()
	gone := make(chan struct{})
	go func() {
		var b [1]byte
		_, _ = conn.Read(b[:]) // returns when the client closes (or sends junk)
		close(gone)
	}()
	_ = conn.SetDeadline(time.Time{})
	send := func(frame []byte) bool {
		_ = conn.SetWriteDeadline(time.Now().Add(writeTimeout))
		_, err := conn.Write(frame)
		return err == nil
	}
	// The head carries every header set before the takeover: the stream's
	// own, the request id, and the middleware's security and CORS headers.
	hdr := p.header.Clone()
	if hdr == nil {
		hdr = http.Header{"Content-Type": {"text/event-stream"}}
	}
	hdr.Set("X-Request-Id", requestID)
	hdr.Set("Connection", "close")
	var head bytes.Buffer
	head.WriteString("HTTP/1.1 200 OK\r\n")
	_ = hdr.Write(&head)
	head.WriteString("\r\n")
	if send(head.Bytes()) {
		p.run(gone, send)
	}
}

// run sends the opening frames, then events and heartbeats, until the
// client goes, the hub drops the subscriber, or the stream reaches its age.
func (p *pump) run(gone <-chan struct{}, send func([]byte) bool) {
	for _, f := range p.opening {
		if !send(f) {
			return
		}
	}
	p.opening = nil
	age := time.NewTimer(p.maxAge)
	defer age.Stop()
	beat := time.NewTimer(p.heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-gone:
			return
		case <-p.sub.Done: // too slow, or shutting down: the client reconnects
			return
		case <-age.C:
			return
		case e := <-p.sub.C:
			if e.ID <= p.sent {
				continue // replayed from the log already, or read on another instance
			}
			p.sent = e.ID
			if f := e.Frame(p.class); f != nil && !send(f) {
				return
			}
			beat.Reset(p.heartbeat)
		case <-beat.C:
			if !send(hub.Frame(0, "heartbeat", []byte("{}"))) {
				return
			}
			beat.Reset(p.heartbeat)
		}
	}
}
