// Package models holds Switchboard's persistent types and the Store through
// which every read and every transaction goes.
package models

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Store is the only way into the database. Each public method owns its
// transaction; lower-case helpers take the *gorm.DB of a transaction.
type Store struct {
	db  *gorm.DB // readers
	w   *gorm.DB // writers: on SQLite one connection, so writers queue in Go, FIFO
	d   dialect
	url string // PostgreSQL: where the LISTEN connection goes
	now func() time.Time

	cipher Cipher
	wake   chan struct{} // signalled after every commit that may have appended events
	group  groupWriter   // SQLite: writes queued for the next shared commit
}

// Option configures a Store.
type Option func(*Store)

// WithNow sets the clock the store stamps rows with.
func WithNow(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// SQLiteDSN returns the DSN for an SQLite file with every PRAGMA the store
// relies on: WAL so readers never wait on the writer, a busy timeout so
// writers queue instead of failing with "database is locked", BEGIN IMMEDIATE
// so a transaction takes the write lock up front (no deadlocking upgrades),
// and foreign keys on.
func SQLiteDSN(path string) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "30000")
	q.Set("_txlock", "immediate")
	q.Set("_foreign_keys", "1")
	q.Set("_synchronous", "NORMAL")
	return "file:" + path + "?" + q.Encode()
}

func gormConfig() *gorm.Config {
	return &gorm.Config{
		Logger:  logger.Discard,
		NowFunc: func() time.Time { return time.Now().UTC() },
	}
}

// Open opens the store a location names: a postgres:// or postgresql://
// URL opens PostgreSQL, anything else is an SQLite file.
func Open(location string, opts ...Option) (*Store, error) {
	if IsPostgresURL(location) {
		return OpenPostgres(location, opts...)
	}
	return OpenSQLite(location, opts...)
}

// IsPostgresURL reports whether location names a PostgreSQL database.
func IsPostgresURL(location string) bool {
	return strings.HasPrefix(location, "postgres://") || strings.HasPrefix(location, "postgresql://")
}

// OpenSQLite opens (creating if needed) the SQLite database at path and
// migrates it.
func OpenSQLite(path string, opts ...Option) (*Store, error) {
	if err := privateFiles(path); err != nil {
		return nil, err
	}
	open := func() (*gorm.DB, error) {
		db, err := gorm.Open(sqlite.Open(SQLiteDSN(path)), gormConfig())
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
		return db, nil
	}
	w, err := open()
	if err != nil {
		return nil, err
	}
	// SQLite has one writer at a time. Queuing writers on a single pooled
	// connection keeps them out of SQLite's busy handler, which sleeps in
	// growing steps and turns contention into second-long tails.
	wdb, err := w.DB()
	if err != nil {
		return nil, err
	}
	wdb.SetMaxOpenConns(1)
	db, err := open()
	if err != nil {
		_ = wdb.Close()
		return nil, err
	}
	return newStore(db, w, sqliteDialect{}, "", opts)
}

// OpenPostgres opens the PostgreSQL database at url (pgx) and migrates it
// under an advisory lock, so instances starting together migrate once.
func OpenPostgres(url string, opts ...Option) (*Store, error) {
	db, err := gorm.Open(postgres.Open(url), gormConfig())
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	// Writes that must be serial queue on advisory locks in the database,
	// so more connections only hold more server processes: a server allows
	// 100 by default, shared by every instance.
	sqlDB.SetMaxOpenConns(10)
	sqlDB.SetMaxIdleConns(10)
	return newStore(db, db, postgresDialect{}, url, opts)
}

func newStore(db, w *gorm.DB, d dialect, url string, opts []Option) (*Store, error) {
	s := &Store{db: db, w: w, d: d, url: url, now: time.Now, wake: make(chan struct{}, 1)}
	for _, o := range opts {
		o(s)
	}
	if err := s.Exclusive(context.Background(), s.migrate); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// Dialect names the database: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name() }

// Exclusive runs fn while no other instance on the database runs an
// Exclusive fn: first-start work (migrations, the catalogue, the first
// admin) happens once however many instances start together.
func (s *Store) Exclusive(ctx context.Context, fn func() error) error {
	return s.d.exclusive(ctx, s.w, fn)
}

// write runs fn in one transaction on the writer and wakes the event relay
// after it commits. A transaction the database aborted to keep itself
// serialisable (PostgreSQL under contention) runs again: a client never
// sees that as an error.
func (s *Store) write(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if s.d.name() == "sqlite" && !s.group.off {
		return s.writeGrouped(ctx, fn)
	}
	return s.writeAlone(ctx, fn)
}

// writeAlone is write in a transaction of its own.
func (s *Store) writeAlone(ctx context.Context, fn func(tx *gorm.DB) error) error {
	for attempt := 0; ; attempt++ {
		err := s.w.WithContext(ctx).Transaction(fn)
		if err == nil {
			s.signal()
			return nil
		}
		if !s.d.retryable(err) || attempt >= 20 || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(rand.IntN(1<<min(attempt, 6))+1) * time.Millisecond)
	}
}

func (s *Store) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// forUpdate locks the rows tx reads next until it ends.
func (s *Store) forUpdate(tx *gorm.DB) *gorm.DB { return s.d.lockRows(tx) }

// SoleInstance reports whether this process is the only one on the
// database (SQLite: the server holds its file lock), so that whatever the
// database says is running was started by a process that is gone.
func (s *Store) SoleInstance() bool { return s.d.soleInstance() }

func (s *Store) migrate() error {
	if err := s.w.AutoMigrate(&Job{}, &JobRun{}, &Setting{}, &APIToken{}, &AIProvider{}, &User{}, &AuditEntry{}, &Event{}, &Instance{}, &Lease{}); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, ddl := range []string{
		// "At most one active provider" is the database's rule, not only ours.
		`CREATE UNIQUE INDEX IF NOT EXISTS idx_ai_providers_one_active ON ai_providers (is_active) WHERE is_active`,
		// One run of a job at a time, whichever instance starts it.
		`CREATE UNIQUE INDEX IF NOT EXISTS idx_job_runs_one_running ON job_runs (job_id) WHERE status = 'running'`,
		// A scheduled slot runs once in the cluster.
		`CREATE UNIQUE INDEX IF NOT EXISTS idx_job_runs_slot ON job_runs (job_id, scheduled_for) WHERE scheduled_for IS NOT NULL`,
	} {
		if err := s.w.Exec(ddl).Error; err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	return nil
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Close closes the database.
func (s *Store) Close() error {
	var errs []error
	for _, g := range []*gorm.DB{s.db, s.w} {
		sqlDB, err := g.DB()
		if err == nil {
			err = sqlDB.Close()
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Now is the store's clock, exposed so callers stamp times consistently.
func (s *Store) Now() time.Time { return s.now() }

// isUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY failure.
func (s *Store) isUniqueViolation(err error) bool { return s.d.uniqueViolation(err) }

// SQLiteFiles are the database file and the files SQLite keeps beside it.
func SQLiteFiles(path string) []string {
	return []string{path, path + "-wal", path + "-shm", path + "-journal"}
}

// privateFiles makes the database readable by its owner only: it holds
// password hashes, sealed keys and the audit log. SQLite gives the WAL and
// shared-memory files the database file's mode, so creating that file 0600
// first is enough for a new database; an older one is tightened.
func privateFiles(path string) error {
	if path == "" || strings.HasPrefix(path, ":memory:") || strings.HasPrefix(path, "file:") {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	f.Close()
	for _, name := range SQLiteFiles(path) {
		if err := os.Chmod(name, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("make %s private: %w", name, err)
		}
	}
	return nil
}
