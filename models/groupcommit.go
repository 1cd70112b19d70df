package models

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"
)

// SQLite has one writer: each write used to be a transaction of its own,
// so 64 concurrent writers queued for 64 commits one after the other. The
// group committer lets whichever writer arrives first commit for everyone
// queued behind it: one transaction, each write in a savepoint of its own,
// so a write that fails rolls back only itself and its caller alone hears
// of it. A caller is answered only after the commit that holds its write:
// durability is unchanged.

// maxGroup bounds one commit's writes, so a long queue cannot keep one
// caller committing for the others indefinitely.
const maxGroup = 64

type groupWriter struct {
	mu      sync.Mutex
	queue   []*groupedWrite
	leading bool // a goroutine is committing the queue

	commits atomic.Int64 // shared commits made, for tests and the bench
	off     bool         // benchmarks compare with a transaction per write
}

type groupedWrite struct {
	ctx  context.Context
	fn   func(tx *gorm.DB) error
	err  error
	done chan struct{}
}

// writeGrouped queues fn and waits for the commit that holds it. The first
// caller to find nobody committing commits the queue, its own write
// included, then hands over to a new goroutine if more are waiting.
func (s *Store) writeGrouped(ctx context.Context, fn func(tx *gorm.DB) error) error {
	w := &groupedWrite{ctx: ctx, fn: fn, done: make(chan struct{})}
	g := &s.group
	g.mu.Lock()
	g.queue = append(g.queue, w)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if lead {
		s.commitQueued(w)
	}
	<-w.done
	return w.err
}

// commitQueued commits batches until own is answered (until the queue is
// empty when own is nil), then leaves what is left to a fresh goroutine:
// a caller commits for others only while it waits for its own commit.
func (s *Store) commitQueued(own *groupedWrite) {
	g := &s.group
	for {
		g.mu.Lock()
		n := min(len(g.queue), maxGroup)
		if n == 0 {
			g.leading = false
			g.mu.Unlock()
			return
		}
		batch := g.queue[:n:n]
		g.queue = g.queue[n:]
		g.mu.Unlock()
		s.commitBatch(batch)
		if own == nil {
			continue
		}
		select {
		case <-own.done:
			g.mu.Lock()
			if len(g.queue) == 0 {
				g.leading = false
				g.mu.Unlock()
				return
			}
			g.mu.Unlock()
			go s.commitQueued(nil)
			return
		default:
		}
	}
}

// commitBatch runs each write in its own savepoint of one transaction and
// commits once. Should the commit itself fail, nothing of the batch was
// kept: each write then runs again alone, as before grouping, and learns
// its own outcome.
func (s *Store) commitBatch(batch []*groupedWrite) {
	// The transaction is the batch's, not any caller's: one caller's
	// cancelled context must not interrupt SQLite mid-statement, which
	// would roll back everyone's writes. A caller that has given up before
	// its turn is skipped.
	tx := s.w.Session(&gorm.Session{NewDB: true}).Begin()
	if tx.Error != nil {
		s.answerAlone(batch, tx.Error)
		return
	}
	committed := false
	for i, w := range batch {
		if err := w.ctx.Err(); err != nil {
			w.err = err
			continue
		}
		sp := "w" + strconv.Itoa(i)
		if err := tx.SavePoint(sp).Error; err != nil {
			w.err = err
			continue
		}
		if err := runWrite(tx.WithContext(context.WithoutCancel(w.ctx)), w.fn); err != nil {
			w.err = err
			if rerr := tx.RollbackTo(sp).Error; rerr != nil {
				// The transaction is unusable: undo it all and let every
				// write run again alone.
				tx.Rollback()
				s.answerAlone(batch, nil)
				return
			}
			continue
		}
		if err := tx.Exec("RELEASE SAVEPOINT " + sp).Error; err != nil {
			tx.Rollback()
			s.answerAlone(batch, nil)
			return
		}
		committed = true
	}
	if err := tx.Commit().Error; err != nil {
		s.answerAlone(batch, nil)
		return
	}
	s.group.commits.Add(1)
	if committed {
		s.signal()
	}
	for _, w := range batch {
		close(w.done)
	}
}

// answerAlone runs each write of a failed batch in a transaction of its
// own (or answers them all with err when it is set).
func (s *Store) answerAlone(batch []*groupedWrite, err error) {
	for _, w := range batch {
		switch {
		case err != nil:
			w.err = err
		case w.ctx.Err() != nil:
			w.err = w.ctx.Err()
		default:
			w.err = s.writeAlone(w.ctx, func(tx *gorm.DB) error { return runWrite(tx, w.fn) })
		}
		close(w.done)
	}
}

// runWrite runs fn, turning a panic into its caller's error: one write's
// bug must not take the others' commit down with it.
func runWrite(tx *gorm.DB, fn func(tx *gorm.DB) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("write panicked: %v", r)
		}
	}()
	return fn(tx)
}
