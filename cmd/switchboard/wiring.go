package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"switchboard/ai"
	"switchboard/models"
	"switchboard/scheduler"
)

// promptRunner sends prompt jobs to the active provider with its decrypted
// key; with none active the run is skipped.
func promptRunner(store *models.Store, client *ai.Client) scheduler.PromptRunner {
	return func(ctx context.Context, cfg models.PromptConfig) (scheduler.PromptResult, error) {
		p, err := store.ActiveProvider(ctx)
		if errors.Is(err, models.ErrNotFound) {
			return scheduler.PromptResult{}, scheduler.Skip{Reason: "no active AI provider"}
		}
		if err != nil {
			return scheduler.PromptResult{}, err
		}
		key, err := store.OpenKey(p)
		if err != nil {
			return scheduler.PromptResult{}, err
		}
		model := cfg.Model
		if model == "" {
			model = p.Model
		}
		if model == "" {
			meta, _ := ai.Lookup(p.Provider)
			model = meta.DefaultModel
		}
		res := scheduler.PromptResult{Provider: p.Provider, Model: model}
		res.Text, err = client.Complete(ctx, ai.Request{Provider: p.Provider, APIKey: key, Model: model, BaseURL: p.BaseURL, Prompt: cfg.Prompt})
		return res, err
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
