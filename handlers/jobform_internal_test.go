package handlers

import (
	"testing"

	"switchboard/models"
	"switchboard/scheduler"
)

// TestJobFormRefusesAStoredConfigItCannotRead: a stored config that does
// not decode is an error for the page (it was validated when saved, so
// something else wrote it), never an empty form that a save would then
// write back over the row (issue 14, item 6).
func TestJobFormRefusesAStoredConfigItCannotRead(t *testing.T) {
	for _, kind := range []string{models.KindPrompt, models.KindWebhook} {
		t.Run(kind, func(t *testing.T) {
			j := scheduler.Job{Job: models.Job{ID: "j", Name: "J", Kind: kind, Config: `{"prompt": 5, "url": [`}}
			if _, err := jobFormOf(j); err == nil {
				t.Error("jobFormOf: no error for an unreadable config")
			}
			if _, err := jobEdit(j, nil); err == nil && kind == models.KindWebhook {
				t.Error("jobEdit: no error for an unreadable webhook config (its headers are kept from it)")
			}
		})
	}
	ok := scheduler.Job{Job: models.Job{ID: "j", Name: "J", Kind: models.KindPrompt, Config: `{"prompt":"hi","model":"m"}`}}
	if f, err := jobFormOf(ok); err != nil || f.Prompt != "hi" || f.Model != "m" {
		t.Errorf("a readable config: %+v %v", f, err)
	}
}
