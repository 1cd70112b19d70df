package models

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

// BenchmarkWrites measures settings and provider writes at 1 and 16
// concurrent writers beside raw single-row SQLite transactions with the same
// PRAGMAs, in the same run. Any error (a "database is locked" among them)
// fails the benchmark.
func BenchmarkWrites(b *testing.B) {
	ctx := context.Background()
	ops := []struct {
		name  string
		setup func(b *testing.B) func(i int) error
	}{
		{"RawSQLiteTx", func(b *testing.B) func(int) error {
			db, err := sql.Open("sqlite3", SQLiteDSN(filepath.Join(b.TempDir(), "raw.db")))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			if _, err := db.Exec(`CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)`); err != nil {
				b.Fatal(err)
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
			}
		}},
		{"SetSetting", func(b *testing.B) func(int) error {
			s := benchStore(b)
			return func(i int) error {
				_, err := s.SetSetting(ctx, "ui.theme", fmt.Sprint(i), nil)
				return err
			}
		}},
		{"AddProvider", func(b *testing.B) func(int) error {
			s := benchStore(b)
			return func(i int) error {
				_, err := s.UpsertProvider(ctx, ProviderInput{Provider: providerNames[i%5], APIKey: "key-abcdefgh", Model: "m", SetActive: true})
				return err
			}
		}},
		{"ActivateProvider", func(b *testing.B) func(int) error {
			s := benchStore(b)
			var ids []int64
			for _, n := range providerNames {
				p, err := s.UpsertProvider(ctx, ProviderInput{Provider: n, APIKey: "key-abcdefgh", Model: "m", SetActive: true})
				if err != nil {
					b.Fatal(err)
				}
				ids = append(ids, p.ID)
			}
			return func(i int) error { return s.ActivateProvider(ctx, ids[i%len(ids)]) }
		}},
	}
	for _, op := range ops {
		for _, writers := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/writers=%d", op.name, writers), func(b *testing.B) {
				do := op.setup(b)
				var n, locked, failed atomic.Int64
				b.ResetTimer()
				if writers == 1 {
					for i := 0; i < b.N; i++ {
						if err := do(i); err != nil {
							failed.Add(1)
						}
					}
				} else {
					b.SetParallelism((writers + 1) / 2) // GOMAXPROCS is 2 on our machines
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							if err := do(int(n.Add(1))); err != nil {
								if strings.Contains(err.Error(), "locked") {
									locked.Add(1)
								}
								failed.Add(1)
							}
						}
					})
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
				b.ReportMetric(float64(locked.Load()), "locked")
				if failed.Load() > 0 {
					b.Fatalf("%d writes failed, %d of them \"database is locked\"", failed.Load(), locked.Load())
				}
			})
		}
	}
}

func benchStore(b *testing.B) *Store {
	b.Helper()
	s, err := OpenSQLite(filepath.Join(b.TempDir(), "bench.db"), WithCipher(plainCipher{}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}
