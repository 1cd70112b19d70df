package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"switchboard/models"
	"switchboard/secrets"
)

var providerNames = [...]string{"anthropic", "openai", "google", "xai", "openai_compatible"}

// writeOp prepares a database and returns the write to repeat; i is a
// sequence number unique across writers.
type writeOp struct {
	name  string
	setup func(dir string) (do func(i int) error, close func(), err error)
}

// writesSection measures section 2: settings and provider writes through
// the store at 1 and 16 concurrent writers, beside raw single-row SQLite
// transactions on a database opened with the same DSN (the same PRAGMAs).
func writesSection(w io.Writer, d time.Duration) error {
	ctx := context.Background()
	box, err := secrets.New([]byte(strings.Repeat("k", 32)))
	if err != nil {
		return err
	}
	store := func(dir string) (*models.Store, error) {
		return models.OpenSQLite(filepath.Join(dir, "w.db"), models.WithCipher(box))
	}
	ops := []writeOp{
		{"raw SQLite transaction", func(dir string) (func(int) error, func(), error) {
			db, err := sql.Open("sqlite3", models.SQLiteDSN(filepath.Join(dir, "raw.db")))
			if err != nil {
				return nil, nil, err
			}
			if _, err := db.Exec(`CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)`); err != nil {
				return nil, nil, err
			}
			return func(i int) error {
				tx, err := db.Begin()
				if err != nil {
					return err
				}
				if _, err := tx.Exec(`INSERT INTO kv (k, v) VALUES ('key', ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`, fmt.Sprint(i)); err != nil {
					tx.Rollback()
					return err
				}
				return tx.Commit()
			}, func() { db.Close() }, nil
		}},
		{"set a setting", func(dir string) (func(int) error, func(), error) {
			s, err := store(dir)
			if err != nil {
				return nil, nil, err
			}
			return func(i int) error {
				_, err := s.SetSetting(ctx, "ui.theme", fmt.Sprint(i), nil)
				return err
			}, func() { s.Close() }, nil
		}},
		{"save a provider (and make it active)", func(dir string) (func(int) error, func(), error) {
			s, err := store(dir)
			if err != nil {
				return nil, nil, err
			}
			return func(i int) error {
				_, err := s.UpsertProvider(ctx, models.ProviderInput{Provider: providerNames[i%5], APIKey: fmt.Sprintf("key-%08d", i), Model: "m", SetActive: true})
				return err
			}, func() { s.Close() }, nil
		}},
		{"switch the active provider", func(dir string) (func(int) error, func(), error) {
			s, err := store(dir)
			if err != nil {
				return nil, nil, err
			}
			var ids []int64
			for _, n := range providerNames {
				p, err := s.UpsertProvider(ctx, models.ProviderInput{Provider: n, APIKey: "key-abcdefgh", Model: "m", SetActive: true})
				if err != nil {
					return nil, nil, err
				}
				ids = append(ids, p.ID)
			}
			return func(i int) error { return s.ActivateProvider(ctx, ids[i%len(ids)]) }, func() { s.Close() }, nil
		}},
	}
	fmt.Fprintf(w, "## 2. Settings and provider writes\n\n")
	fmt.Fprintf(w, "Each write is its own transaction through the store, %s per cell, on a fresh database. "+
		"The baseline upserts one row in a raw `database/sql` transaction on a database opened with the same DSN "+
		"(WAL, synchronous=NORMAL, busy_timeout, immediate transactions).\n\n", d)
	t := table{head: []string{"write", "writers", "ops/s", "raw SQLite ops/s", "ratio", "\"database is locked\"", "other errors", "target"}}
	base := map[int]float64{}
	for _, op := range ops {
		for _, writers := range []int{1, 16} {
			progress(fmt.Sprintf("writes: %s, %d writers", op.name, writers))
			rate, locked, failed, err := runWrites(op, writers, d)
			if err != nil {
				return fmt.Errorf("%s: %w", op.name, err)
			}
			if op.name == ops[0].name {
				base[writers] = rate
			}
			target := "0 locked: " + met(locked == 0)
			if strings.HasPrefix(op.name, "switch") && writers == 16 {
				target = fmt.Sprintf("≥ 0.25× raw, 0 locked: %s", met(locked == 0 && rate >= 0.25*base[writers]))
			}
			t.add(op.name, fmt.Sprint(writers), fmt.Sprintf("%.0f", rate), fmt.Sprintf("%.0f", base[writers]), ratio(rate, base[writers]),
				fmt.Sprint(locked), fmt.Sprint(failed-locked), target)
		}
	}
	t.write(w)
	return nil
}

func runWrites(op writeOp, writers int, d time.Duration) (rate float64, locked, failed int64, err error) {
	dir, err := os.MkdirTemp("", "switchboard-writes")
	if err != nil {
		return 0, 0, 0, err
	}
	defer os.RemoveAll(dir)
	do, closeFn, err := op.setup(dir)
	if err != nil {
		return 0, 0, 0, err
	}
	defer closeFn()
	var n, nLocked, nFailed atomic.Int64
	deadline := time.Now().Add(d)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for time.Now().Before(deadline) {
				if err := do(int(n.Add(1))); err != nil {
					if strings.Contains(err.Error(), "locked") {
						nLocked.Add(1)
					}
					nFailed.Add(1)
				}
			}
		}()
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	return float64(n.Load()-nFailed.Load()) / time.Since(t0).Seconds(), nLocked.Load(), nFailed.Load(), nil
}
