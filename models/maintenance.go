package models

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// Backup writes a consistent copy of the live database to path with
// VACUUM INTO: safe while the server runs and writes. path must not exist.
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s exists: choose a new file", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	// The copy holds password hashes, sealed keys and the audit log: create
	// it private (VACUUM INTO accepts an empty file) so it never is 0644.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	if err := s.w.WithContext(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		_ = os.Remove(path)
		return err
	}
	return nil
}

// IntegrityCheck runs SQLite's integrity check and returns its problems.
func (s *Store) IntegrityCheck(ctx context.Context) ([]string, error) {
	var rows []string
	if err := s.db.WithContext(ctx).Raw("PRAGMA integrity_check").Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 1 && rows[0] == "ok" {
		return nil, nil
	}
	return rows, nil
}

// CheckInvariants returns every broken invariant: more than one active
// provider, an enabled job whose schedule cannot be loaded.
func (s *Store) CheckInvariants(ctx context.Context) ([]string, error) {
	var problems []string
	var active int64
	if err := s.db.WithContext(ctx).Model(&AIProvider{}).Where("is_active").Count(&active).Error; err != nil {
		return nil, err
	}
	if active > 1 {
		problems = append(problems, fmt.Sprintf("%d active AI providers (at most one allowed)", active))
	}
	jobs, err := s.ListJobs(ctx)
	if err != nil {
		return nil, err
	}
	for _, j := range jobs {
		if !j.Enabled {
			continue
		}
		sched, err := j.Schedule(time.UTC)
		if err != nil {
			problems = append(problems, fmt.Sprintf("job %s: schedule cannot be loaded: %v", j.ID, err))
			continue
		}
		if sched.Trigger == TriggerCron {
			if err := checkFires(sched.Cron, time.UTC); err != nil {
				problems = append(problems, fmt.Sprintf("job %s: %v", j.ID, err))
			}
		}
	}
	return problems, nil
}

// Migrated reports whether every table exists.
func (s *Store) Migrated() bool {
	m := s.db.Migrator()
	for _, t := range []any{&Job{}, &JobRun{}, &Setting{}, &APIToken{}, &AIProvider{}, &User{}} {
		if !m.HasTable(t) {
			return false
		}
	}
	return true
}
