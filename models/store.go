// Package models holds Switchboard's persistent types and the Store through
// which every read and every transaction goes.
package models

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Store is the only way into the database. Each public method owns its
// transaction; lower-case helpers take the *gorm.DB of a transaction.
type Store struct {
	db  *gorm.DB // readers: many connections, never blocked by the writer (WAL)
	w   *gorm.DB // the writer: one connection, so writers queue in Go, FIFO
	now func() time.Time

	cipher   Cipher
	onChange func(Change)
	pubMu    sync.Mutex // orders change reports as their commits
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

// OpenSQLite opens (creating if needed) the SQLite database at path and
// migrates it.
func OpenSQLite(path string, opts ...Option) (*Store, error) {
	open := func() (*gorm.DB, error) {
		db, err := gorm.Open(sqlite.Open(SQLiteDSN(path)), &gorm.Config{
			Logger:  logger.Discard,
			NowFunc: func() time.Time { return time.Now().UTC() },
		})
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
	s := &Store{db: db, w: w, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if err := s.migrate(); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) migrate() error {
	if err := s.w.AutoMigrate(&Job{}, &JobRun{}, &Setting{}, &APIToken{}, &AIProvider{}, &User{}, &AuditEntry{}); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// "At most one active provider" is the database's rule, not only ours.
	return s.w.Exec(`CREATE UNIQUE INDEX IF NOT EXISTS idx_ai_providers_one_active ON ai_providers (is_active) WHERE is_active`).Error
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
func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	return errors.Is(err, gorm.ErrDuplicatedKey) || strings.Contains(err.Error(), "UNIQUE constraint failed")
}
