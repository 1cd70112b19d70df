package handlers

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/a-h/templ"

	"switchboard/ai"
	"switchboard/models"
	"switchboard/scheduler"
	"switchboard/views"
)

// render renders components into one buffer: a fragment is complete or not
// sent at all.
func render(cs ...templ.Component) ([]byte, error) {
	var buf bytes.Buffer
	for _, c := range cs {
		if err := c.Render(context.Background(), &buf); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func jobRow(j scheduler.Job, canWrite bool) views.JobRow {
	b := jobJSON(j, false)
	row := views.JobRow{
		ID: b.ID, Name: b.Name, Description: b.Description, Schedule: b.Schedule, Timezone: b.Timezone,
		NextRun: deref(b.NextRun), LastRun: deref(b.LastRun), LastStatus: deref(b.LastRunStatus),
		Enabled: b.Enabled, Running: b.Running, PausedReason: deref(b.PausedReason), PausedUntil: deref(b.PausedUntil),
		Version: b.Version, CanWrite: canWrite,
	}
	if b.CurrentRun != nil {
		row.RunningSince = b.CurrentRun.StartedAt
	}
	operatorHints(&row, j)
	return row
}

func runRow(r models.JobRun, loc *time.Location) views.RunRow {
	b := runJSON(r, loc)
	row := views.RunRow{ID: b.ID, JobID: b.JobID, JobName: b.JobName, Source: b.Source, Status: b.Status,
		StartedAt: b.StartedAt, FinishedAt: deref(b.FinishedAt), Summary: b.ResultSummary, Error: deref(b.Error),
		Provider: deref(b.Provider), Model: deref(b.Model), Duration: "—"}
	if b.DurationMs != nil {
		row.Duration = formatDuration(time.Duration(*b.DurationMs) * time.Millisecond)
	}
	return row
}

// formatDuration shows a run's length the way an operator reads it.
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
}

// JobEventHTML renders a scheduler event as the htmx fragment of GET
// /events, once per event and role: canWrite adds the action buttons.
func JobEventHTML(e scheduler.Event, loc *time.Location, canWrite bool) ([]byte, error) {
	switch e.Type {
	case scheduler.EventJobUpdated:
		row := jobRow(*e.Job, canWrite)
		return render(views.JobRowOOB(row), views.JobSummaryOOB(row))
	case scheduler.EventJobDeleted:
		return render(views.JobRemovedOOB(e.JobID))
	case scheduler.EventJobStarted:
		return render(views.Announcement(fmt.Sprintf("Job %s started.", e.JobID)))
	case scheduler.EventJobCompleted:
		return render(views.Announcement(fmt.Sprintf("Job %s finished: %s.", e.Run.JobName, e.Run.Status)),
			views.RunAddedOOB(runRow(*e.Run, loc)))
	}
	return nil, fmt.Errorf("unknown event %q", e.Type)
}

func providerItems(ps []providerBody) []views.ProviderItem {
	items := make([]views.ProviderItem, len(ps))
	for i, p := range ps {
		items[i] = views.ProviderItem{Name: p.Name, DisplayName: p.DisplayName, Status: p.Status, Active: p.IsActive,
			KeyMasked: deref(p.APIKeyMasked), Model: deref(p.Model)}
	}
	return items
}

func providerCards(ps []providerBody, canWrite bool) []views.ProviderCard {
	cards := make([]views.ProviderCard, len(ps))
	for i, p := range ps {
		// The placeholder is the model runs use when none is saved.
		meta, _ := ai.Lookup(p.Name)
		cards[i] = views.ProviderCard{Name: p.Name, DisplayName: p.DisplayName, Status: p.Status, Configured: p.Configured,
			Active: p.IsActive, KeyMasked: deref(p.APIKeyMasked), Model: deref(p.Model), BaseURL: deref(p.BaseURL),
			Models: p.Models, DefaultModel: meta.DefaultModel, NeedsBaseURL: p.NeedsBaseURL, CanWrite: canWrite}
	}
	return cards
}

func activeProviderForm(ps []providerBody, canWrite bool) views.ActiveProviderForm {
	f := views.ActiveProviderForm{CanWrite: canWrite}
	for _, it := range providerItems(ps) {
		if it.Status != "unconfigured" {
			f.Options = append(f.Options, it)
		}
	}
	return f
}

// ChangeEventHTML renders a provider or setting change for GET /events.
func changeEventHTML(e scheduler.Event, loc *time.Location, canWrite bool) ([]byte, error) {
	if e.Type == scheduler.EventSettingChanged {
		return render(views.SettingValueOOB(e.Setting.Key, e.Setting.Value))
	}
	ps := providersJSON(e.Providers, loc)
	text := "No AI provider is active."
	for _, p := range ps {
		if p.IsActive {
			text = "Active AI provider: " + p.DisplayName + "."
		}
	}
	return render(views.ProviderListOOB(providerItems(ps)), views.ActiveProviderOOB(activeProviderForm(ps, canWrite)),
		views.ProviderStatusesOOB(providerCards(ps, canWrite)), views.Announcement(text))
}
