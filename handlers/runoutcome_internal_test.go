package handlers

import (
	"testing"

	"switchboard/models"
)

// "Run now" tells what became of a run that ended at once, not "Started".
func TestRunToastSaysHowTheRunEnded(t *testing.T) {
	for _, c := range []struct {
		run         models.JobRun
		level, text string
	}{
		{models.JobRun{Status: models.StatusSkipped, ResultSummary: "no active AI provider"}, "warn", "Digest was skipped: no active AI provider."},
		{models.JobRun{Status: models.StatusSkipped}, "warn", "Digest was skipped."},
		{models.JobRun{Status: models.StatusError, Error: "HTTP 500 from https://example.com/hook"}, "error", "Digest failed: HTTP 500 from https://example.com/hook"},
		{models.JobRun{Status: models.StatusError}, "error", "Digest failed."},
		{models.JobRun{Status: models.StatusSuccess, ResultSummary: "ok"}, "ok", "Digest ran successfully."},
	} {
		level, text := runToast("Digest", c.run)
		if level != c.level || text != c.text {
			t.Errorf("%s run: %s %q, want %s %q", c.run.Status, level, text, c.level, c.text)
		}
	}
}
