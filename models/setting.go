package models

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SettingTimezone names the IANA zone the scheduler runs in.
const SettingTimezone = "scheduler.timezone"

// DefaultTimezone is the market timezone of the original system.
const DefaultTimezone = "America/New_York"

// Setting is one stored key/value pair.
type Setting struct {
	Key       string `gorm:"primaryKey;size:64"`
	Value     string `gorm:"not null"`
	UpdatedAt time.Time
}

// GetSetting returns a stored setting or ErrNotFound.
func (s *Store) GetSetting(ctx context.Context, key string) (Setting, error) {
	var st Setting
	err := s.db.WithContext(ctx).Where("key = ?", key).Take(&st).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return st, ErrNotFound
	}
	return st, err
}

// SetSetting writes a setting in one upsert, so concurrent writers leave one
// row holding one of their values.
func (s *Store) SetSetting(ctx context.Context, key, value string) (Setting, error) {
	st := Setting{Key: key, Value: value, UpdatedAt: s.now().UTC()}
	err := s.w.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "key"}},
		DoUpdates: clause.AssignmentColumns([]string{"value", "updated_at"}),
	}).Create(&st).Error
	return st, err
}
