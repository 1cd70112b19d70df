package models

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Known setting keys.
const (
	SettingTimezone      = "scheduler.timezone"
	SettingRetentionDays = "history.retention_days"
)

// DefaultTimezone is the market timezone of the original system.
const DefaultTimezone = "America/New_York"

// internalPrefix marks keys Switchboard keeps for itself: not listed, not
// writable through the API.
const internalPrefix = "internal."

// KnownSetting is a typed setting with a default and a validator that
// returns the value normalised.
type KnownSetting struct {
	Key, Default, Description string
	Validate                  func(string) (string, error)
}

// KnownSettings lists the settings Switchboard understands, in a slice of
// the caller's own.
func KnownSettings() []KnownSetting {
	return []KnownSetting{
		{SettingTimezone, DefaultTimezone, "IANA timezone the scheduler runs in; cron schedules follow it.", validateTimezone},
		{SettingRetentionDays, "30", "Days of run history kept; older runs are pruned daily.", validateRetention},
	}
}

func validateTimezone(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" || v == "Local" {
		return "", Invalid("value", "Invalid value for scheduler.timezone: must be an IANA timezone such as Europe/Paris.")
	}
	if _, err := time.LoadLocation(v); err != nil {
		return "", Invalid("value", "Invalid value for scheduler.timezone: %q is not an IANA timezone.", v)
	}
	return v, nil
}

func validateRetention(v string) (string, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > 3650 {
		return "", Invalid("value", "Invalid value for history.retention_days: must be an integer from 1 to 3650.")
	}
	return strconv.Itoa(n), nil
}

var settingKey = regexp.MustCompile(`^[a-z0-9_.]{1,64}$`)

// ValidateSetting checks a key and value as the API receives them and
// returns the value normalised.
func ValidateSetting(key, value string) (string, error) {
	if !settingKey.MatchString(key) {
		return "", Invalid("key", "Invalid setting key '%s'. Must be 1–64 characters: lower-case letters, digits, '_' or '.'.", key)
	}
	if strings.HasPrefix(key, internalPrefix) {
		return "", Invalid("key", "Setting '%s' is reserved.", key)
	}
	if len(value) > 4096 {
		return "", Invalid("value", "Invalid value: at most 4 KiB.")
	}
	for _, k := range KnownSettings() {
		if k.Key == key {
			return k.Validate(value)
		}
	}
	return value, nil
}

// Setting is one stored key/value pair.
type Setting struct {
	Key       string `gorm:"primaryKey;size:64"`
	Value     string `gorm:"not null"`
	UpdatedAt time.Time
}

// GetSetting returns a stored setting or ErrNotFound.
func (s *Store) GetSetting(ctx context.Context, key string) (Setting, error) {
	return take[Setting](s.db.WithContext(ctx).Where("key = ?", key), WhatSetting, key)
}

// EffectiveSetting returns the stored value of a known setting, or its
// default.
func (s *Store) EffectiveSetting(ctx context.Context, key string) (string, error) {
	st, err := s.GetSetting(ctx, key)
	if err == nil {
		return st.Value, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return "", err
	}
	for _, k := range KnownSettings() {
		if k.Key == key {
			return k.Default, nil
		}
	}
	return "", NotFound(WhatSetting, key)
}

// ListSettings returns the known settings (stored or default) and every
// other stored one, internal keys left out.
func (s *Store) ListSettings(ctx context.Context) (map[string]Setting, error) {
	var rows []Setting
	if err := s.db.WithContext(ctx).Where("key NOT LIKE ?", internalPrefix+"%").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]Setting, len(rows)+len(KnownSettings()))
	for _, k := range KnownSettings() {
		out[k.Key] = Setting{Key: k.Key, Value: k.Default}
	}
	for _, r := range rows {
		out[r.Key] = r
	}
	return out, nil
}

// SetSetting writes a setting in one upsert, so concurrent writers leave one
// row holding one of their values. apply, when given, runs inside the
// transaction after the write; its error rolls the write back.
func (s *Store) SetSetting(ctx context.Context, key, value string, apply func() error) (Setting, error) {
	st := Setting{Key: key, Value: value, UpdatedAt: s.now().UTC()}
	err := s.write(ctx, func(tx *gorm.DB) error {
		if !strings.HasPrefix(key, internalPrefix) {
			var old Setting
			before := map[string]any{}
			if err := tx.Where("key = ?", key).Limit(1).Find(&old).Error; err != nil {
				return err
			} else if old.Key != "" {
				before["value"] = old.Value
			}
			if err := s.audit(ctx, tx, "setting.set", key, before, map[string]any{"value": value}); err != nil {
				return err
			}
		}
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "key"}},
			DoUpdates: clause.AssignmentColumns([]string{"value", "updated_at"}),
		}).Create(&st).Error
		if err != nil {
			return err
		}
		if err := s.announceSetting(tx, key, value); err != nil {
			return err
		}
		if apply == nil {
			return nil
		}
		return apply()
	})
	return st, err
}

// announceSetting appends setting_changed, except for Switchboard's own
// keys. A new timezone moves every job's next run, so every job follows it
// in the log: each instance re-renders them in the new zone.
func (s *Store) announceSetting(tx *gorm.DB, key, value string) error {
	if internalKey(key) {
		return nil
	}
	if err := s.appendEvent(tx, EventSettingChanged, key, SettingPayload{Key: key, Value: value}); err != nil {
		return err
	}
	if key != SettingTimezone {
		return nil
	}
	var jobs []Job
	if err := tx.Order("id").Find(&jobs).Error; err != nil {
		return err
	}
	for _, j := range jobs {
		if err := s.appendEvent(tx, EventJobUpdated, j.ID, j); err != nil {
			return err
		}
	}
	return nil
}
