package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"switchboard/models"
)

// rawSQLiteRate is the write baseline the API's pause and resume are held
// to: single-row transactions on SQLite with the store's DSN (the same
// PRAGMAs), from writers goroutines for d, each its own transaction.
func rawSQLiteRate(writers int, d time.Duration) (float64, error) {
	dir, err := os.MkdirTemp("", "switchboard-raw")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite3", models.SQLiteDSN(filepath.Join(dir, "raw.db")))
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)`); err != nil {
		return 0, err
	}
	var done atomic.Int64
	var firstErr atomic.Value
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				tx, err := db.Begin()
				if err == nil {
					if _, err = tx.Exec(`INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`, fmt.Sprint(w), fmt.Sprint(i)); err != nil {
						tx.Rollback()
					} else {
						err = tx.Commit()
					}
				}
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		return 0, err
	}
	return float64(done.Load()) / d.Seconds(), nil
}
