package handlers

import (
	"net/http"
)

// memberBody is one instance as GET /api/cluster shows it.
type memberBody struct {
	ID          string `json:"id"`
	Leader      bool   `json:"leader"`
	StartedAt   string `json:"started_at"`
	LastSeen    string `json:"last_seen"`
	LastEventID int64  `json:"last_event_id"`
	Version     string `json:"version"`
}

// handleCluster is GET /api/cluster: the instances sharing the database,
// which one runs the schedule and how far each has read the event log.
func (h *Handler) handleCluster(w http.ResponseWriter, r *http.Request) error {
	members, err := h.sched.Members(r.Context())
	if err != nil {
		return err
	}
	loc := h.sched.Location()
	out := make([]memberBody, len(members))
	for i, m := range members {
		out[i] = memberBody{ID: m.ID, Leader: m.Leader, StartedAt: formatTime(m.StartedAt, loc),
			LastSeen: formatTime(m.LastSeen, loc), LastEventID: m.LastEventID, Version: m.Version}
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "self": h.sched.Instance(), "instances": out})
	return nil
}
