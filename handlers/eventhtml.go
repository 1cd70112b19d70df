package handlers

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/a-h/templ"

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

// JobEventHTML renders a scheduler event as the htmx fragment of GET
// /events, once per event and role: canWrite adds the action buttons.
func JobEventHTML(e scheduler.Event, loc *time.Location, canWrite bool, now time.Time) ([]byte, error) {
	switch e.Type {
	case scheduler.EventJobUpdated:
		row := jobRow(*e.Job, canWrite, now)
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

// ChangeEventHTML renders a provider or setting change for GET /events.
func changeEventHTML(e scheduler.Event, loc *time.Location, canWrite bool, _ time.Time) ([]byte, error) {
	if e.Type == scheduler.EventSettingChanged {
		return render(views.SettingValueOOB(e.Setting.Key, e.Setting.Value))
	}
	ps := providerEntries(e.Providers)
	text := "No AI provider is active."
	for _, p := range ps {
		if p.active() {
			text = "Active AI provider: " + p.DisplayName + "."
		}
	}
	return render(views.ProviderListOOB(providerItems(ps)), views.ActiveProviderOOB(activeProviderForm(ps, canWrite)),
		views.ProviderStatusesOOB(providerCards(ps, canWrite)), views.Announcement(text))
}
