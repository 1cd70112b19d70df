package scheduler

import (
	"context"
	"encoding/json"
	"fmt"

	"switchboard/models"
)

// catalogSeeded marks that the catalogue was offered once, so jobs an
// operator deleted do not come back at the next start.
const catalogSeeded = "internal.catalog_seeded"

type catalogEntry struct {
	id, name, description, prompt string
	trigger                       string
	args                          map[string]models.Value
	marketHoursOnly               bool
}

// args is a schedule's arguments, name then value, as a form gives them.
func args(nameValue ...string) map[string]models.Value {
	m := map[string]models.Value{}
	for i := 0; i+1 < len(nameValue); i += 2 {
		m[nameValue[i]] = *models.Text(nameValue[i+1])
	}
	return m
}

// The original system's seven jobs, as prompt jobs for the active provider.
var catalog = [...]catalogEntry{
	{"morning_briefing", "Morning Briefing", "Pre-market briefing on weekdays: overnight moves, the day's releases and what to watch.",
		"Write a short pre-market briefing: overnight moves, scheduled economic releases and the three things to watch today.",
		models.TriggerCron, args("hour", "8", "minute", "30", "day_of_week", "mon-fri"), false},
	{"technical_monitor", "Technical Monitor", "Watchlist technical signals every 15 minutes while the market is open.",
		"Check the watchlist for notable technical signals (breakouts, moving-average crosses, unusual volume) and list any found.",
		models.TriggerInterval, args("minutes", "15"), true},
	{"reddit_scanner", "Reddit Scanner", "Tickers and themes trending on investing forums, hourly while the market is open.",
		"Summarise the tickers and themes gaining attention on investing forums in the last hour.",
		models.TriggerInterval, args("minutes", "60"), true},
	{"daily_summary", "Daily Summary", "End-of-day summary on weekdays: index moves, sector leaders and laggards, news.",
		"Summarise today's session: index moves, sector leaders and laggards, and notable news.",
		models.TriggerCron, args("hour", "16", "minute", "30", "day_of_week", "mon-fri"), false},
	{"weekly_review", "Weekly Review", "Sunday evening review of the week in markets and the week ahead.",
		"Review the past week in markets and outline the key events of the week ahead.",
		models.TriggerCron, args("day_of_week", "sun", "hour", "20", "minute", "0"), false},
	{"regime_check", "Regime Check", "Market regime check (trend, volatility, breadth) every 2 hours while the market is open.",
		"Assess the current market regime (trend, volatility, breadth) and say whether it changed.",
		models.TriggerInterval, args("hours", "2"), true},
	{"download_tracker", "Download Tracker", "Daily report of the tracked packages' download counts, flagging unusual changes.",
		"Report the day's download counts for the tracked packages and flag unusual changes.",
		models.TriggerCron, args("hour", "9", "minute", "0"), false},
}

// SeedCatalog creates the catalogue's jobs, enabled, the first time it runs
// on a database; later calls change nothing. Call it before Start, which
// schedules what it stored.
func (s *Service) SeedCatalog(ctx context.Context) error {
	s.mu.Lock()
	state := s.state
	s.mu.Unlock()
	if state != created {
		return fmt.Errorf("scheduler: SeedCatalog after Start")
	}
	if _, err := s.store.GetSetting(ctx, catalogSeeded); err == nil {
		return nil
	}
	for _, c := range catalog {
		sched, err := models.ScheduleInput{Trigger: c.trigger, Args: c.args}.Validate(s.Location(), s.clock.Now())
		if err != nil {
			return fmt.Errorf("catalog %s: %w", c.id, err)
		}
		cfg, _ := json.Marshal(models.PromptConfig{Prompt: c.prompt})
		_, err = s.store.EnsureJob(ctx, models.Job{
			ID: c.id, Name: c.name, Description: c.description, Kind: models.KindPrompt, Config: string(cfg),
			Trigger: sched.Trigger, TriggerArgs: sched.ArgsJSON(), Enabled: true,
			MarketHoursOnly: c.marketHoursOnly,
		})
		if err != nil {
			return fmt.Errorf("catalog %s: %w", c.id, err)
		}
	}
	_, err := s.store.SetSetting(ctx, catalogSeeded, "true", nil)
	return err
}
