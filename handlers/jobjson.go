package handlers

import (
	"time"

	"switchboard/models"
	"switchboard/scheduler"
)

// jobBody is a job as api.md shows it.
type jobBody struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	Description     string         `json:"description"`
	Kind            string         `json:"kind"`
	System          bool           `json:"system"` // built-in housekeeping registered in code, not a job of the application
	Enabled         bool           `json:"enabled"`
	PausedReason    *string        `json:"paused_reason"`
	PausedUntil     *string        `json:"paused_until"`
	Trigger         string         `json:"trigger"`
	TriggerArgs     map[string]any `json:"trigger_args"`
	Schedule        string         `json:"schedule"`
	Timezone        string         `json:"timezone"`
	NextRun         *string        `json:"next_run"`
	LastRun         *string        `json:"last_run"`
	LastRunStatus   *string        `json:"last_run_status"`
	Running         bool           `json:"running"`
	CurrentRun      *currentRun    `json:"current_run"`
	MarketHoursOnly bool           `json:"market_hours_only"`
	TimeoutSeconds  int            `json:"timeout_seconds"`
	Config          map[string]any `json:"config"`
	Version         int64          `json:"version"`
	CreatedAt       string         `json:"created_at"`
	UpdatedAt       string         `json:"updated_at"`
}

type currentRun struct {
	RunID     int64  `json:"run_id"`
	Source    string `json:"source"`
	StartedAt string `json:"started_at"`
}

// jobJSON is a job as api.md shows it; admin decides how much of a
// webhook's config is shown (masked values, else only where it goes).
func jobJSON(j scheduler.Job, admin bool) jobBody {
	loc := j.Location
	config := models.ViewerConfig
	if admin {
		config = models.PublicConfig
	}
	b := jobBody{
		ID: j.ID, Name: j.Name, Description: j.Description, Kind: j.Kind, System: j.Kind == models.KindBuiltin, Enabled: j.Enabled,
		PausedUntil: formatTimePtr(j.PausedUntil, loc), Trigger: j.Trigger, TriggerArgs: j.Schedule.Args(),
		Schedule: j.ScheduleText(), Timezone: loc.String(), NextRun: formatTimePtr(j.NextRun, loc),
		LastRun: formatTimePtr(j.LastRunAt, loc), Running: j.Running != nil, MarketHoursOnly: j.MarketHoursOnly,
		TimeoutSeconds: int(j.Timeout() / time.Second), Config: config(j.Kind, j.Config),
		Version: j.Version, CreatedAt: formatTime(j.CreatedAt, loc), UpdatedAt: formatTime(j.UpdatedAt, loc),
	}
	if !j.Enabled && j.PausedReason != "" {
		b.PausedReason = &j.PausedReason
	}
	if j.LastRunStatus != "" {
		b.LastRunStatus = &j.LastRunStatus
	}
	if j.Running != nil {
		b.CurrentRun = &currentRun{RunID: j.Running.RunID, Source: j.Running.Source, StartedAt: formatTime(j.Running.StartedAt, loc)}
	}
	return b
}

// runBody is a run as api.md shows it.
type runBody struct {
	ID            int64   `json:"id"`
	JobID         string  `json:"job_id"`
	JobName       string  `json:"job_name"`
	Source        string  `json:"source"`
	Status        string  `json:"status"`
	StartedAt     string  `json:"started_at"`
	FinishedAt    *string `json:"finished_at"`
	DurationMs    *int64  `json:"duration_ms"`
	ResultSummary string  `json:"result_summary"`
	Error         *string `json:"error"`
	Provider      *string `json:"provider,omitempty"`
	Model         *string `json:"model,omitempty"`
	ScheduledFor  *string `json:"scheduled_for"` // the slot a scheduled run was due at; null for manual runs
	Instance      string  `json:"instance"`      // the instance that ran it
}

func runJSON(r models.JobRun, loc *time.Location) runBody {
	b := runBody{
		ID: r.ID, JobID: r.JobID, JobName: r.JobName, Source: r.Source, Status: r.Status,
		StartedAt: formatTime(r.StartedAt, loc), FinishedAt: formatTimePtr(r.FinishedAt, loc),
		DurationMs: r.DurationMs, ResultSummary: r.ResultSummary,
		ScheduledFor: formatTimePtr(r.ScheduledFor, loc), Instance: r.Instance,
	}
	if r.Error != "" {
		b.Error = &r.Error
	}
	if r.Provider != "" {
		b.Provider, b.Model = &r.Provider, &r.Model
	}
	return b
}

func runsJSON(runs []models.JobRun, loc *time.Location) []runBody {
	out := make([]runBody, len(runs))
	for i, r := range runs {
		out[i] = runJSON(r, loc)
	}
	return out
}
