package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"switchboard/ai"
	"switchboard/hub"
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

// publish returns a function that hands a rendered event to the hub,
// logging (never failing on) an event the hub refuses.
func publish(h *hub.Hub, log *slog.Logger) func(name string, payloads [][]byte, err error) {
	return func(name string, payloads [][]byte, err error) {
		if err == nil {
			_, err = h.Publish(name, payloads...)
		}
		if err != nil {
			log.Warn("event not published", "event", name, "err", err)
		}
	}
}

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
			return fmt.Sprintf("deleted %d runs older than %d days", n, days), err
		},
	}
}
