package handlers

import (
	"encoding/json"
	"time"

	"switchboard/hub"
	"switchboard/models"
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

// ChangeEventJSON renders a provider or setting change.
func ChangeEventJSON(c models.Change, loc *time.Location) (string, []byte, error) {
	if c.Kind == models.ChangeSetting {
		data, err := json.Marshal(map[string]any{"key": c.Key, "value": c.Value})
		return "setting_changed", data, err
	}
	ps := providersJSON(c.Providers, loc)
	data, err := json.Marshal(map[string]any{"providers": ps, "active_provider_id": activeProviderID(ps)})
	return "provider_changed", data, err
}

// EncodeJobEvent renders a scheduler event in every wire format, once:
// the payloads are indexed by hub format.
func EncodeJobEvent(e scheduler.Event, loc *time.Location) (name string, payloads [][]byte, err error) {
	name, jsonData, err := JobEventJSON(e, loc)
	if err != nil {
		return name, nil, err
	}
	admin, err := JobEventHTML(e, loc, true)
	if err != nil {
		return name, nil, err
	}
	viewer, err := JobEventHTML(e, loc, false)
	return name, formatPayloads(jsonData, admin, viewer), err
}

// EncodeChange renders a provider or setting change in every wire format.
func EncodeChange(c models.Change, loc *time.Location) (name string, payloads [][]byte, err error) {
	name, jsonData, err := ChangeEventJSON(c, loc)
	if err != nil {
		return name, nil, err
	}
	admin, err := ChangeEventHTML(c, loc, true)
	if err != nil {
		return name, nil, err
	}
	viewer, err := ChangeEventHTML(c, loc, false)
	return name, formatPayloads(jsonData, admin, viewer), err
}

func formatPayloads(jsonData, admin, viewer []byte) [][]byte {
	p := make([][]byte, hub.HTMLViewer+1)
	p[hub.JSON], p[hub.HTML], p[hub.HTMLViewer] = jsonData, admin, viewer
	return p
}
