package models

import (
	"context"
	"errors"
	"hash/fnv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// dialect is what differs between the two databases, and nothing else:
// SQLite has one writer connection and immediate transactions, so it needs
// no locks of its own; PostgreSQL has many writers, so it serialises the
// few things that must be serial with advisory locks, retries transactions
// the server aborted, and wakes other instances with NOTIFY.
type dialect interface {
	name() string
	// serialize makes tx the only transaction holding topic until it ends.
	serialize(tx *gorm.DB, topic string) error
	// appendEvent inserts e into the log inside tx so that ids are handed
	// out in commit order, and tells other instances at commit.
	appendEvent(tx *gorm.DB, e *Event) error
	// retryable reports whether a failed transaction may simply run again.
	retryable(err error) bool
	uniqueViolation(err error) bool
	// exclusive runs fn while no other instance runs an exclusive fn.
	exclusive(ctx context.Context, db *gorm.DB, fn func() error) error
	// lockRows makes tx's next read lock the rows it reads until tx ends.
	lockRows(tx *gorm.DB) *gorm.DB
	// soleInstance reports whether one process at most uses the database.
	soleInstance() bool
}

// EventsChannel is the PostgreSQL NOTIFY channel woken by every commit that
// appends events.
const EventsChannel = "switchboard_events"

type sqliteDialect struct{}

func (sqliteDialect) name() string                     { return "sqlite" }
func (sqliteDialect) serialize(*gorm.DB, string) error { return nil } // one writer already
// appendEvent needs no lock: the one writer commits in the order it writes.
func (sqliteDialect) appendEvent(tx *gorm.DB, e *Event) error                        { return tx.Create(e).Error }
func (sqliteDialect) retryable(error) bool                                           { return false }
func (sqliteDialect) exclusive(_ context.Context, _ *gorm.DB, fn func() error) error { return fn() }
func (sqliteDialect) lockRows(tx *gorm.DB) *gorm.DB                                  { return tx }   // the one writer excludes every other
func (sqliteDialect) soleInstance() bool                                             { return true } // the server holds the file lock
func (sqliteDialect) uniqueViolation(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	return errors.Is(err, gorm.ErrDuplicatedKey) || strings.Contains(err.Error(), "UNIQUE constraint failed")
}

type postgresDialect struct{}

func (postgresDialect) name() string       { return "postgres" }
func (postgresDialect) soleInstance() bool { return false }

func (postgresDialect) lockRows(tx *gorm.DB) *gorm.DB {
	return tx.Clauses(clause.Locking{Strength: "UPDATE"})
}

// lockKey maps a topic to an advisory lock id, in a namespace of our own.
func lockKey(topic string) int64 {
	h := fnv.New64a()
	h.Write([]byte("switchboard:" + topic))
	return int64(h.Sum64() >> 1)
}

func (postgresDialect) serialize(tx *gorm.DB, topic string) error {
	return tx.Exec("SELECT pg_advisory_xact_lock(?)", lockKey(topic)).Error
}

// appendEvent takes the log's lock (held to commit, so ids are handed out
// in commit order), queues the NOTIFY and inserts, in one round trip: the
// lock is what every writer of the cluster waits on, so it is held for as
// little as the transaction allows.
func (postgresDialect) appendEvent(tx *gorm.DB, e *Event) error {
	return tx.Raw(`WITH l AS (SELECT pg_advisory_xact_lock(?)), n AS (SELECT pg_notify(?, '') FROM l)
		INSERT INTO event_log (type, key, payload, created_at) SELECT ?, ?, ?, ? FROM n RETURNING id`,
		lockKey("event_log"), EventsChannel, e.Type, e.Key, e.Payload, e.CreatedAt).Scan(&e.ID).Error
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func (postgresDialect) retryable(err error) bool {
	switch pgCode(err) {
	case "40001", "40P01", "55P03": // serialization failure, deadlock, lock not available
		return true
	}
	return false
}

func (postgresDialect) uniqueViolation(err error) bool {
	return pgCode(err) == "23505" || errors.Is(err, gorm.ErrDuplicatedKey)
}

// exclusive holds a session advisory lock on one connection of its own for
// as long as fn runs: migrations and first-start seeding run once however
// many instances start together.
func (postgresDialect) exclusive(ctx context.Context, db *gorm.DB, fn func() error) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	key := lockKey("startup")
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key) //nolint:errcheck // the session ends with conn anyway
	return fn()
}
