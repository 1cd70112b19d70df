package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"switchboard/models"
	"switchboard/providers"
	"switchboard/scheduler"
)

// promptRunner sends prompt jobs through the provider service: to the
// active provider, with the job's model or the provider's. With none active
// the run is skipped.
func promptRunner(svc *providers.Service) scheduler.PromptRunner {
	return func(ctx context.Context, cfg models.PromptConfig) (scheduler.PromptResult, error) {
		r, err := svc.Prompt(ctx, cfg.Model, cfg.Prompt)
		if errors.Is(err, providers.ErrNoActive) {
			return scheduler.PromptResult{}, scheduler.Skip{Reason: "no active AI provider"}
		}
		return scheduler.PromptResult{Text: r.Text, Provider: r.Provider, Model: r.Model}, err
	}
}

// eventsKept is how many of the newest events pruning always leaves.
const eventsKept = 10000

// pruneJob is the built-in job that enforces history.retention_days.
func pruneJob(store *models.Store) scheduler.Builtin {
	minute := 17
	hour := 3
	return scheduler.Builtin{
		ID: "prune_history", Name: "Prune run history",
		Description: "Deletes runs older than the history.retention_days setting.",
		Schedule:    models.Schedule{Trigger: models.TriggerCron, Cron: models.CronFields{Hour: &hour, Minute: &minute}},
		Run: func(ctx context.Context) (string, error) {
			v, err := store.EffectiveSetting(ctx, models.SettingRetentionDays)
			if err != nil {
				return "", err
			}
			days, err := strconv.Atoi(v)
			if err != nil {
				return "", fmt.Errorf("history.retention_days %q: %w", v, err)
			}
			n, err := store.PruneRuns(ctx, time.Now().AddDate(0, 0, -days))
			if err != nil {
				return "", err
			}
			// The event log is kept for clients resuming a stream; a week is
			// far more than any reconnect needs.
			evs, err := store.PruneEvents(ctx, time.Now().AddDate(0, 0, -min(days, 7)), eventsKept)
			return fmt.Sprintf("deleted %d runs older than %d days and %d logged events", n, days, evs), err
		},
	}
}
