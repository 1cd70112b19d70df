package handlers

import (
	"encoding/json"
	"time"

	"switchboard/hub"
	"switchboard/scheduler"
)

// The classes of live-stream subscriber. Each event is rendered once per
// class, and each stream reads the frame of its own class (hub.Event.Frame).
const (
	classJSON       hub.Class = iota // GET /api/stream for a user who may change things
	classHTML                        // GET /events for a user who may change things
	classHTMLViewer                  // GET /events for a read-only user: no action buttons
	classJSONViewer                  // GET /api/stream for a read-only user: no webhook secrets
	classCount
)

// StreamClasses is how many classes of subscriber the live streams have:
// the hub the handlers publish to must be made with it (hub.New).
const StreamClasses = int(classCount)

// JobEventJSON renders a scheduler event as api.md's JSON event: its name
// and data. It is rendered once per event, however many clients listen.
func JobEventJSON(e scheduler.Event, loc *time.Location, admin bool) (string, []byte, error) {
	var v any
	switch e.Type {
	case scheduler.EventJobUpdated:
		v = jobJSON(*e.Job, admin)
	case scheduler.EventJobDeleted:
		v = map[string]any{"job_id": e.JobID}
	case scheduler.EventJobStarted:
		v = map[string]any{"job_id": e.JobID, "run_id": e.Run.ID, "source": e.Run.Source, "started_at": formatTime(e.Run.StartedAt, loc)}
	case scheduler.EventJobCompleted:
		v = map[string]any{
			"job_id": e.JobID, "job_name": e.Run.JobName, "run_id": e.Run.ID, "status": e.Run.Status,
			"result_summary": e.Run.ResultSummary, "duration_ms": e.Run.DurationMs,
			"completed_at": formatTimePtr(e.Run.FinishedAt, loc),
		}
	}
	data, err := json.Marshal(v)
	return e.Type, data, err
}

// changeEventJSON renders a provider or setting change.
func changeEventJSON(e scheduler.Event, loc *time.Location, _ bool) (string, []byte, error) {
	if e.Type == scheduler.EventSettingChanged {
		data, err := json.Marshal(map[string]any{"key": e.Setting.Key, "value": e.Setting.Value})
		return e.Type, data, err
	}
	es := providerEntries(e.Providers)
	data, err := json.Marshal(map[string]any{"providers": providersJSON(es, loc), "active_provider_id": activeProviderID(es)})
	return e.Type, data, err
}

// EncodeEvent renders an event in every wire format, once: the payloads
// are indexed by class of subscriber. It is the one place a change becomes
// what clients receive.
func EncodeEvent(e scheduler.Event, loc *time.Location, now time.Time) (name string, payloads [][]byte, err error) {
	toJSON, toHTML := JobEventJSON, JobEventHTML
	if e.Type == scheduler.EventProviderChanged || e.Type == scheduler.EventSettingChanged {
		toJSON, toHTML = changeEventJSON, changeEventHTML
	}
	name, jsonData, err := toJSON(e, loc, true)
	if err != nil {
		return name, nil, err
	}
	_, jsonViewer, err := toJSON(e, loc, false)
	if err != nil {
		return name, nil, err
	}
	admin, err := toHTML(e, loc, true, now)
	if err != nil {
		return name, nil, err
	}
	viewer, err := toHTML(e, loc, false, now)
	return name, classPayloads(jsonData, jsonViewer, admin, viewer), err
}

// resync is sent in place of an event too large to send: clients re-read
// the state instead of silently missing the change.
const resync = "resync"

// resyncData is api.md's resync payload; a console page reloads on it (static/app.js).
const resyncData = `{}`

// publish hands an event from the log to the hub under the log's id.
func (h *Handler) publish(e scheduler.Event) {
	name, payloads, err := EncodeEvent(e, h.sched.Location(), h.now())
	if err == nil {
		id := uint64(e.ID)
		frames := make([][]byte, len(payloads))
		for c, p := range payloads {
			switch {
			case p == nil:
			case len(p) > hub.MaxPayload:
				// Too large for this class only: its clients re-read the
				// state; the others still get the change itself.
				h.log.Warn("event too large to send; clients resync", "event", name, "id", e.ID, "class", c, "bytes", len(p))
				frames[c] = hub.Frame(id, resync, []byte(resyncData))
			default:
				frames[c] = hub.Frame(id, name, p)
			}
		}
		_, err = h.hub.PublishFrames(id, name, frames)
	}
	if err != nil {
		h.log.Warn("event not published", "event", name, "id", e.ID, "err", err)
	}
}

func classPayloads(jsonData, jsonViewer, admin, viewer []byte) [][]byte {
	p := make([][]byte, classCount)
	p[classJSON], p[classJSONViewer], p[classHTML], p[classHTMLViewer] = jsonData, jsonViewer, admin, viewer
	return p
}
