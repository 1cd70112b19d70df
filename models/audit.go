package models

import (
	"context"
	"encoding/json"
	"reflect"
	"time"

	"gorm.io/gorm"
)

// AuditEntry records one change: who made it, what it touched, and the
// fields that changed, before and after, as JSON objects. It is written in
// the same transaction as the change, so the log never claims a change that
// rolled back nor misses one that committed.
type AuditEntry struct {
	ID     int64     `gorm:"primaryKey;autoIncrement"`
	At     time.Time `gorm:"not null;index"`
	Actor  string    `gorm:"not null"`
	Action string    `gorm:"not null"` // e.g. job.pause, provider.activate
	Target string    `gorm:"not null"` // job id, provider name, setting key, username
	Before string    `gorm:"not null;default:'{}'"`
	After  string    `gorm:"not null;default:'{}'"`
}

// TableName keeps the table's name singular-free and plain.
func (AuditEntry) TableName() string { return "audit_log" }

type actorKey struct{}

// WithActor names who is making the changes done with ctx: a username or
// "token:<name>". Changes made without one are recorded as "system" (a
// pause that ends by itself, the catalogue).
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// Actor returns the actor ctx carries, "system" when none.
func Actor(ctx context.Context) string {
	if a, ok := ctx.Value(actorKey{}).(string); ok && a != "" {
		return a
	}
	return "system"
}

// audit writes an entry inside tx. before and after are flat views
// (map[string]any); only the keys whose values differ are kept, so an entry
// reads as a diff.
func (s *Store) audit(ctx context.Context, tx *gorm.DB, action, target string, before, after map[string]any) error {
	b, a := map[string]any{}, map[string]any{}
	for k, v := range before {
		if w, ok := after[k]; !ok || !reflect.DeepEqual(v, w) {
			b[k] = v
		}
	}
	for k, v := range after {
		if w, ok := before[k]; !ok || !reflect.DeepEqual(v, w) {
			a[k] = v
		}
	}
	if before != nil && after != nil && len(b) == 0 && len(a) == 0 {
		// A change that changed nothing (the same value saved again, the
		// active provider activated) is no news: a row of {} → {} only
		// hides the real changes among noise.
		return nil
	}
	bj, err := json.Marshal(b)
	if err != nil {
		return err
	}
	aj, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return tx.Create(&AuditEntry{At: s.now().UTC(), Actor: Actor(ctx), Action: action, Target: target,
		Before: string(bj), After: string(aj)}).Error
}

// RecordReveal writes the audit row for showing a job's secret values to
// the caller (the actor in ctx).
func (s *Store) RecordReveal(ctx context.Context, jobID string) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		return s.audit(ctx, tx, "job.reveal", jobID, nil, map[string]any{"revealed": "config"})
	})
}

// auditJob is what the audit log shows of a job. The config is masked as
// the API masks it.
func auditJob(j *Job) map[string]any {
	if j == nil {
		return nil
	}
	m := map[string]any{
		"name": j.Name, "description": j.Description, "trigger": j.Trigger, "trigger_args": j.TriggerArgs,
		"enabled": j.Enabled, "paused_reason": j.PausedReason, "market_hours_only": j.MarketHoursOnly,
		"timeout_seconds": j.TimeoutSeconds,
	}
	if cfg, err := json.Marshal(PublicConfig(j.Kind, j.Config)); err == nil {
		m["config"] = string(cfg)
	}
	if j.PausedUntil != nil {
		m["paused_until"] = j.PausedUntil.UTC().Format(time.RFC3339)
	}
	return m
}

// auditProvider is what the audit log shows of a provider: never the key,
// only its mask.
func auditProvider(p *AIProvider) map[string]any {
	if p == nil || p.ID == 0 {
		return nil
	}
	return map[string]any{"model": p.Model, "base_url": p.BaseURL, "is_active": p.IsActive, "api_key": p.MaskedKey()}
}

// ListAudit returns a page of the audit log, newest first, and its size.
func (s *Store) ListAudit(ctx context.Context, offset, limit int) ([]AuditEntry, int64, error) {
	var (
		out   []AuditEntry
		total int64
	)
	q := s.db.WithContext(ctx).Model(&AuditEntry{})
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	err := q.Order("id DESC").Offset(offset).Limit(limit).Find(&out).Error
	return out, total, err
}

// jobAction names an update by what it changed most visibly.
func jobAction(before, after Job) string {
	switch {
	case before.Enabled && !after.Enabled:
		return "job.pause"
	case !before.Enabled && after.Enabled:
		return "job.resume"
	case before.Trigger != after.Trigger || before.TriggerArgs != after.TriggerArgs:
		return "job.reschedule"
	}
	return "job.edit"
}
