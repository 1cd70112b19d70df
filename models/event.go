package models

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// Event types, as api.md names them.
const (
	EventJobUpdated      = "job_updated"
	EventJobDeleted      = "job_deleted"
	EventJobStarted      = "job_started"
	EventJobCompleted    = "job_completed"
	EventProviderChanged = "provider_changed"
	EventSettingChanged  = "setting_changed"
)

// Event is one committed change in the event log. It is appended in the
// transaction that makes the change, so the log holds exactly what
// committed, and the database numbers it: every instance reads the same
// events with the same ids in the same order. Payload is the state after
// the change (JSON): the job row, the run, the provider list, the setting.
type Event struct {
	ID        int64     `gorm:"primaryKey;autoIncrement"`
	Type      string    `gorm:"size:32;not null"`
	Key       string    `gorm:"not null;default:''"` // job id or setting key
	Payload   string    `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null;index"`
}

// TableName names the log's table.
func (Event) TableName() string { return "event_log" }

// SettingPayload is a setting_changed event's payload.
type SettingPayload struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// appendEvent adds an event to the log inside tx. Appends are serialised
// until commit, so ids are handed out in commit order and a reader that has
// seen id N will never later find a smaller one committed.
func (s *Store) appendEvent(tx *gorm.DB, typ, key string, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	return s.d.appendEvent(tx, &Event{Type: typ, Key: key, Payload: string(b), CreatedAt: s.now().UTC()})
}

// appendProviders appends provider_changed with the provider list as it
// stands inside tx, so the event carries exactly what this commit leaves.
func (s *Store) appendProviders(tx *gorm.DB) error {
	var ps []AIProvider
	if err := tx.Order("id").Find(&ps).Error; err != nil {
		return err
	}
	return s.appendProviderList(tx, ps)
}

// appendProviderList appends provider_changed with ps, the list as this
// transaction leaves it.
func (s *Store) appendProviderList(tx *gorm.DB, ps []AIProvider) error {
	ps = slices.Clone(ps)
	for i := range ps {
		ps[i].APIKeySealed = nil // the log is read by every instance's relay; keep keys out of it
	}
	return s.appendEvent(tx, EventProviderChanged, "", ps)
}

// appendJob appends job_updated with the row as it stands inside tx; a job
// deleted while its run went on has nothing to show.
func (s *Store) appendJob(tx *gorm.DB, id string) error {
	var js []Job
	if err := tx.Where("id = ?", id).Limit(1).Find(&js).Error; err != nil || len(js) == 0 {
		return err
	}
	return s.appendEvent(tx, EventJobUpdated, id, js[0])
}

// EventsAfter returns up to limit events with ids above after, in order.
func (s *Store) EventsAfter(ctx context.Context, after int64, limit int) ([]Event, error) {
	var evs []Event
	err := s.db.WithContext(ctx).Where("id > ?", after).Order("id").Limit(limit).Find(&evs).Error
	return evs, err
}

// LastEventID is the id of the newest event in the log, 0 when none.
func (s *Store) LastEventID(ctx context.Context) (int64, error) {
	var id *int64
	err := s.db.WithContext(ctx).Model(&Event{}).Select("MAX(id)").Scan(&id).Error
	if err != nil || id == nil {
		return 0, err
	}
	return *id, nil
}

// Replayable reports whether every event after id is still in the log: the
// log is pruned from its oldest end, so that holds when id is at least one
// below the oldest event kept.
func (s *Store) Replayable(ctx context.Context, id int64) (bool, error) {
	var oldest *int64
	if err := s.db.WithContext(ctx).Model(&Event{}).Select("MIN(id)").Scan(&oldest).Error; err != nil {
		return false, err
	}
	if oldest == nil {
		return false, nil
	}
	return id >= *oldest-1, nil
}

// PruneEvents deletes events older than cutoff, keeping at least the newest
// keep events, and returns how many went.
func (s *Store) PruneEvents(ctx context.Context, cutoff time.Time, keep int) (int64, error) {
	last, err := s.LastEventID(ctx)
	if err != nil {
		return 0, err
	}
	res := s.w.WithContext(ctx).Where("created_at < ? AND id <= ?", cutoff.UTC(), last-int64(keep)).Delete(&Event{})
	return res.RowsAffected, res.Error
}

// Changes returns a channel signalled after a commit that may have appended
// events: on this instance directly, and on PostgreSQL also for commits on
// other instances (LISTEN on a connection of its own until ctx ends). A
// signal may be lost or merged: a reader reads the log after every signal
// and on a timer of its own, so a missed one only delays.
func (s *Store) Changes(ctx context.Context, log *slog.Logger) <-chan struct{} {
	if s.url != "" {
		// The first LISTEN is in place before this returns, so a caller that
		// starts serving next has every later commit announced to it.
		first := make(chan struct{})
		go s.listen(ctx, log, first)
		select {
		case <-first:
		case <-time.After(10 * time.Second):
			log.Warn("event listener not connected yet; relying on the poll until it is")
		case <-ctx.Done():
		}
	}
	return s.wake
}

func (s *Store) listen(ctx context.Context, log *slog.Logger, first chan struct{}) {
	var once sync.Once
	ready := func() { once.Do(func() { close(first) }) }
	defer ready()
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := s.listenOnce(ctx, ready)
		if ctx.Err() != nil {
			return
		}
		log.Warn("event listener lost its connection; reconnecting", "err", err, "in", backoff)
		ready() // the first attempt failed: do not hold the caller up
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (s *Store) listenOnce(ctx context.Context, ready func()) error {
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{EventsChannel}.Sanitize()); err != nil {
		return err
	}
	s.signal() // whatever committed while we were not listening
	ready()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		s.signal()
	}
}

// internalKey reports whether a setting is Switchboard's own bookkeeping,
// never announced.
func internalKey(key string) bool { return strings.HasPrefix(key, internalPrefix) }
