package handlers

import (
	"context"
	"fmt"
	"time"

	"switchboard/models"
)

// runSettle is how long "Run now" waits for its run to end before saying
// it started: a run skipped or failed at once is told as such, not as
// started.
const runSettle = time.Second

// runOutcome waits up to runSettle for run id of job to end and says what
// happened, with the toast's level ("ok", "warn" or "error"); ended says
// whether it did.
func (h *Handler) runOutcome(ctx context.Context, jobID, name string, id int64) (level, text string, ended bool) {
	ctx, cancel := context.WithTimeout(ctx, runSettle)
	defer cancel()
	for wait := 10 * time.Millisecond; ; wait = min(wait*2, 100*time.Millisecond) {
		if r, ok := h.finishedRun(ctx, jobID, id); ok {
			level, text = runToast(name, r)
			return level, text, true
		}
		select {
		case <-ctx.Done():
			return "ok", fmt.Sprintf("Started %s.", name), false
		case <-time.After(wait):
		}
	}
}

// finishedRun finds run id among the job's newest runs, once it has ended.
func (h *Handler) finishedRun(ctx context.Context, jobID string, id int64) (models.JobRun, bool) {
	runs, _, err := h.store.ListRuns(ctx, models.RunFilter{JobID: jobID, Limit: 5})
	if err != nil {
		return models.JobRun{}, false
	}
	for _, r := range runs {
		if r.ID == id && r.Status != models.StatusRunning {
			return r, true
		}
	}
	return models.JobRun{}, false
}

// runToast tells how a run ended.
func runToast(name string, r models.JobRun) (level, text string) {
	switch r.Status {
	case models.StatusSkipped:
		if r.ResultSummary != "" {
			return "warn", fmt.Sprintf("%s was skipped: %s.", name, r.ResultSummary)
		}
		return "warn", fmt.Sprintf("%s was skipped.", name)
	case models.StatusError:
		if r.Error != "" {
			return "error", fmt.Sprintf("%s failed: %s", name, r.Error)
		}
		return "error", fmt.Sprintf("%s failed.", name)
	}
	return "ok", fmt.Sprintf("%s ran successfully.", name)
}
