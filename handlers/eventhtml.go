package handlers

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/a-h/templ"

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

func jobRow(j scheduler.Job) views.JobRow {
	b := jobJSON(j)
	deref := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	return views.JobRow{
		ID: b.ID, Name: b.Name, Description: b.Description, Schedule: b.Schedule, Timezone: b.Timezone,
		NextRun: deref(b.NextRun), LastRun: deref(b.LastRun), LastStatus: deref(b.LastRunStatus),
		Enabled: b.Enabled, Running: b.Running, PausedReason: deref(b.PausedReason), PausedUntil: deref(b.PausedUntil),
		Version: b.Version,
	}
}

// JobEventHTML renders a scheduler event as the htmx fragment of GET
// /events, once per event.
func JobEventHTML(e scheduler.Event, _ *time.Location) ([]byte, error) {
	switch e.Type {
	case scheduler.EventJobUpdated:
		return render(views.JobRowOOB(jobRow(*e.Job)))
	case scheduler.EventJobDeleted:
		return render(views.JobRemovedOOB(e.JobID))
	case scheduler.EventJobStarted:
		return render(views.Announcement(fmt.Sprintf("Job %s started.", e.JobID)))
	case scheduler.EventJobCompleted:
		return render(views.Announcement(fmt.Sprintf("Job %s finished: %s.", e.Run.JobName, e.Run.Status)))
	}
	return nil, fmt.Errorf("unknown event %q", e.Type)
}

func providerItems(ps []providerBody) []views.ProviderItem {
	items := make([]views.ProviderItem, len(ps))
	for i, p := range ps {
		items[i] = views.ProviderItem{Name: p.Name, DisplayName: p.DisplayName, Status: p.Status, Active: p.IsActive}
		if p.APIKeyMasked != nil {
			items[i].KeyMasked = *p.APIKeyMasked
		}
		if p.Model != nil {
			items[i].Model = *p.Model
		}
	}
	return items
}

// ChangeEventHTML renders a provider or setting change for GET /events.
func ChangeEventHTML(c models.Change, loc *time.Location) ([]byte, error) {
	if c.Kind == models.ChangeSetting {
		return render(views.SettingValueOOB(c.Key, c.Value))
	}
	ps := providersJSON(c.Providers, loc)
	text := "No AI provider is active."
	for _, p := range ps {
		if p.IsActive {
			text = "Active AI provider: " + p.DisplayName + "."
		}
	}
	return render(views.ProviderListOOB(providerItems(ps)), views.Announcement(text))
}
