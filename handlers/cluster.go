package handlers

import (
	"context"
	"fmt"
	"net/http"

	"switchboard/views"
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

// clusterViews maps the members to the settings page's rows, and the
// header's badge: "3 instances · all at event 1234" (or the range of events
// they are at), empty when this instance is alone.
func (h *Handler) clusterViews(ctx context.Context) ([]views.Instance, string) {
	members, err := h.sched.Members(ctx)
	if err != nil {
		h.log.WarnContext(ctx, "cannot list the cluster", "err", err)
		return nil, ""
	}
	loc := h.sched.Location()
	out := make([]views.Instance, len(members))
	lo, hi := int64(-1), int64(-1)
	for i, m := range members {
		out[i] = views.Instance{ID: m.ID, StartedAt: formatClock(m.StartedAt, loc), LastSeen: formatClock(m.LastSeen, loc),
			Version: m.Version, LastEventID: m.LastEventID, Leader: m.Leader, Self: m.ID == h.sched.Instance()}
		if lo < 0 || m.LastEventID < lo {
			lo = m.LastEventID
		}
		hi = max(hi, m.LastEventID)
	}
	if len(members) < 2 {
		return out, ""
	}
	if lo == hi {
		return out, fmt.Sprintf("%d instances · all at event %d", len(members), hi)
	}
	return out, fmt.Sprintf("%d instances · events %d–%d", len(members), lo, hi)
}
