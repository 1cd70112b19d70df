package models

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Instance is one switchboard process on the database, as it last reported.
type Instance struct {
	ID          string    `gorm:"primaryKey;size:128" json:"id"`
	StartedAt   time.Time `gorm:"not null" json:"started_at"`
	LastSeen    time.Time `gorm:"not null;index" json:"last_seen"`
	LastEventID int64     `gorm:"not null;default:0" json:"last_event_id"`
	Version     string    `gorm:"not null;default:''" json:"version"`
}

// Lease is a named lock with an expiry, held by one instance at a time and
// kept by renewing it: the instance that holds "leader" runs the schedule.
type Lease struct {
	Name      string    `gorm:"primaryKey;size:64"`
	Holder    string    `gorm:"size:128;not null"`
	ExpiresAt time.Time `gorm:"not null"`
}

// Heartbeat records that inst is alive and how far it has read the log.
func (s *Store) Heartbeat(ctx context.Context, inst Instance) error {
	inst.LastSeen = s.now().UTC()
	return s.w.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"last_seen", "last_event_id", "version", "started_at"}),
	}).Create(&inst).Error
}

// RemoveInstance forgets an instance that is shutting down.
func (s *Store) RemoveInstance(ctx context.Context, id string) error {
	return s.w.WithContext(ctx).Delete(&Instance{}, "id = ?", id).Error
}

// Instances lists the instances seen since cutoff, by id.
func (s *Store) Instances(ctx context.Context, cutoff time.Time) ([]Instance, error) {
	var out []Instance
	err := s.db.WithContext(ctx).Where("last_seen >= ?", cutoff.UTC()).Order("id").Find(&out).Error
	return out, err
}

// AcquireLease takes or renews the lease for holder for ttl, unless another
// holder has it unexpired; it returns who holds it afterwards and until when.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (Lease, error) {
	now := s.now().UTC()
	var l Lease
	err := s.write(ctx, func(tx *gorm.DB) error {
		err := tx.Clauses(clause.OnConflict{
			Columns: []clause.Column{{Name: "name"}},
			DoUpdates: clause.Assignments(map[string]any{
				"holder": gorm.Expr("excluded.holder"), "expires_at": gorm.Expr("excluded.expires_at"),
			}),
			Where: clause.Where{Exprs: []clause.Expression{
				gorm.Expr("leases.holder = excluded.holder OR leases.expires_at < ?", now),
			}},
		}).Create(&Lease{Name: name, Holder: holder, ExpiresAt: now.Add(ttl)}).Error
		if err != nil {
			return err
		}
		return tx.Where("name = ?", name).Take(&l).Error
	})
	return l, err
}

// ReleaseLease gives the lease up if holder has it, so a successor need not
// wait for it to expire.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	return s.w.WithContext(ctx).Where("name = ? AND holder = ?", name, holder).Delete(&Lease{}).Error
}

// LeaseHolder returns the lease's unexpired holder, "" when none.
func (s *Store) LeaseHolder(ctx context.Context, name string) (string, error) {
	var ls []Lease
	if err := s.db.WithContext(ctx).Where("name = ? AND expires_at >= ?", name, s.now().UTC()).Limit(1).Find(&ls).Error; err != nil {
		return "", err
	}
	if len(ls) == 0 {
		return "", nil
	}
	return ls[0].Holder, nil
}
