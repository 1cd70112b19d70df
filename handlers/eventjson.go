package handlers

import (
	"encoding/json"
	"errors"
	"time"

	"switchboard/hub"
	"switchboard/scheduler"
)

// JobEventJSON renders a scheduler event as api.md's JSON event: its name
// and data. It is rendered once per event, however many clients listen.
func JobEventJSON(e scheduler.Event, loc *time.Location) (string, []byte, error) {
	var v any
	switch e.Type {
	case scheduler.EventJobUpdated:
		v = jobJSON(*e.Job)
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
func changeEventJSON(e scheduler.Event, loc *time.Location) (string, []byte, error) {
	if e.Type == scheduler.EventSettingChanged {
		data, err := json.Marshal(map[string]any{"key": e.Setting.Key, "value": e.Setting.Value})
		return e.Type, data, err
	}
	ps := providersJSON(e.Providers, loc)
	data, err := json.Marshal(map[string]any{"providers": ps, "active_provider_id": activeProviderID(ps)})
	return e.Type, data, err
}

// EncodeEvent renders an event in every wire format, once: the payloads
// are indexed by hub format. It is the one place a change becomes what
// clients receive.
func EncodeEvent(e scheduler.Event, loc *time.Location) (name string, payloads [][]byte, err error) {
	toJSON, toHTML := JobEventJSON, JobEventHTML
	if e.Type == scheduler.EventProviderChanged || e.Type == scheduler.EventSettingChanged {
		toJSON, toHTML = changeEventJSON, changeEventHTML
	}
	name, jsonData, err := toJSON(e, loc)
	if err != nil {
		return name, nil, err
	}
	admin, err := toHTML(e, loc, true)
	if err != nil {
		return name, nil, err
	}
	viewer, err := toHTML(e, loc, false)
	return name, formatPayloads(jsonData, admin, viewer), err
}

// resync is sent in place of an event too large to send: clients re-read
// the state instead of silently missing the change.
const resync = "resync"

// publish hands an event from the log to the hub under the log's id.
func (h *Handler) publish(e scheduler.Event) {
	name, payloads, err := EncodeEvent(e, h.sched.Location())
	if err == nil {
		_, err = h.hub.PublishAt(uint64(e.ID), name, payloads...)
		if errors.Is(err, hub.ErrTooLarge) {
			h.log.Warn("event too large to send; clients resync", "event", name, "id", e.ID)
			_, err = h.hub.PublishAt(uint64(e.ID), resync, []byte("{}"))
		}
	}
	if err != nil {
		h.log.Warn("event not published", "event", name, "id", e.ID, "err", err)
	}
}

func formatPayloads(jsonData, admin, viewer []byte) [][]byte {
	p := make([][]byte, hub.HTMLViewer+1)
	p[hub.JSON], p[hub.HTML], p[hub.HTMLViewer] = jsonData, admin, viewer
	return p
}
