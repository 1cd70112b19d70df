// Package scheduler is the one writer path for jobs: a locked service over
// gocron that keeps the jobs table, gocron and every reader in agreement.
//
// Lock discipline. Changes to one job are serialised by that job's stripe
// lock, held for the whole check-then-act (validate, write the row, apply to
// gocron, publish). s.mu guards only in-memory maps and is never held across
// I/O. Holding a stripe lock is also what marks a change under way for the
// one cache of the job list (listCache, in snapshot.go). No lock is held
// while a job body runs, so a body (or an event
// listener, which runs on the dispatcher goroutine) may call back into the
// service: no path ever takes a lock it already holds.
package scheduler

import (
	"context"
	"fmt"
	"time"

	"switchboard/models"
)

// Jobs implemented in Go code (housekeeping) beside the stored ones.

// Func is the body of a job registered in Go code. It must honour ctx, which
// ends at the job's timeout or at shutdown.
type Func func(ctx context.Context) (summary string, err error)

// Builtin is a job registered in Go code. Its schedule is only a default:
// once stored, the persisted schedule and paused state win.
type Builtin struct {
	ID, Name, Description string
	Schedule              models.Schedule
	MarketHoursOnly       bool
	Timeout               time.Duration
	Run                   Func
}

// Register adds a job implemented in Go. Before Start it only records the
// job; after Start it is stored (unless already stored) and scheduled.
func (s *Service) Register(b Builtin) error {
	if err := models.ValidateJobID(b.ID); err != nil {
		return err
	}
	if b.Run == nil {
		return fmt.Errorf("register %s: no Run func", b.ID)
	}
	if _, err := definition(b.Schedule); err != nil {
		return fmt.Errorf("register %s: %w", b.ID, err)
	}
	s.mu.Lock()
	if _, dup := s.builtins[b.ID]; dup {
		s.mu.Unlock()
		return fmt.Errorf("register %s: %w", b.ID, models.ErrConflict)
	}
	s.builtins[b.ID] = b
	live := s.state == started
	s.mu.Unlock()
	if !live {
		return nil
	}
	unlock := s.lockJob(b.ID)
	defer unlock()
	row, err := s.store.EnsureJob(context.Background(), builtinRow(b))
	if err != nil {
		return err
	}
	return s.reconcile(row)
}

func builtinRow(b Builtin) models.Job {
	j := models.Job{
		ID: b.ID, Name: b.Name, Description: b.Description, Kind: models.KindBuiltin, Config: "{}",
		Trigger: b.Schedule.Trigger, TriggerArgs: b.Schedule.ArgsJSON(), Enabled: true,
		MarketHoursOnly: b.MarketHoursOnly,
	}
	if b.Timeout > 0 {
		j.TimeoutSeconds = int(b.Timeout / time.Second)
	}
	return j
}
