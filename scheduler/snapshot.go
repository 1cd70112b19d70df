package scheduler

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Snapshot is every job, sorted by id, as it stood at one moment, together
// with what readers derive from it. The job list is the hottest read (every
// API poll, every jobs page and its live snapshot) and costs a database read
// and a decode per job, so the service keeps the last Snapshot while it is
// still true (see listCache) and hands the same one to every reader: it is
// read-only.
type Snapshot struct {
	jobs    []Job
	loc     *time.Location
	done    uint64    // listCache.done when its read began
	expires time.Time // the earliest next run it shows
	encoded sync.Map  // key → []byte, see Encoded
}

// Jobs returns the snapshot's jobs in a slice of the caller's own.
func (sn *Snapshot) Jobs() []Job { return slices.Clone(sn.jobs) }

// Location is the scheduler's timezone the snapshot was read in.
func (sn *Snapshot) Location() *time.Location { return sn.loc }

// Encoded returns encode's bytes for the snapshot's jobs, made once per
// snapshot and key (an audience, a format) and then shared: encoding 50
// jobs took half of an API list request once the list itself was kept.
// encode must not change jobs, and callers must not change the bytes.
func (sn *Snapshot) Encoded(key any, encode func(jobs []Job, loc *time.Location) ([]byte, error)) ([]byte, error) {
	if b, ok := sn.encoded.Load(key); ok {
		return b.([]byte), nil
	}
	b, err := encode(sn.jobs, sn.loc)
	if err != nil {
		return nil, err
	}
	got, _ := sn.encoded.LoadOrStore(key, b)
	return got.([]byte), nil
}

// listCache is the one cache of the job list: the last Snapshot, kept while
// it is still true. The rule that decides it:
//
// A snapshot is served again only while no change is under way, no change
// has ended since its read began, and none of its next runs has come.
//
// A change is anything a list shows: a job's row, its gocron entry, the runs
// under way here or elsewhere, the timezone. Every one is made holding a
// job's stripe lock (or all of them), and the lock is what counts it:
// lockJob calls begin, its unlock calls end. No path can change the list
// and forget to say so. Nor can a stale list be served after a commit: a
// reader that has seen the commit (say through Get) started after it, so
// either the change still holds its lock (busy > 0: read afresh) or it has
// ended, and end counted it in done before busy dropped. An earlier rule,
// a counter bumped after commit, left the moment between commit and bump
// open: Get saw a job resumed at version 5 while List served it paused at
// version 4 (TestAcceptanceReentry, once in ~180 runs on PostgreSQL).
//
// Changes made on another instance count once this instance's relay
// follows them (under the job's lock, like its own); until then its lists,
// like its gocron, show the job as it was. The expiry is also a bound of a
// minute, in case something changes unannounced.
type listCache struct {
	busy atomic.Int64  // changes under way
	done atomic.Uint64 // changes ended
	last atomic.Pointer[Snapshot]
}

// begin counts a change under way; end counts it ended. end bumps done
// before busy drops: see the rule above.
func (c *listCache) begin() { c.busy.Add(1) }
func (c *listCache) end()   { c.done.Add(1); c.busy.Add(-1) }

// Snapshot returns the job list: the kept one while it is still true (see
// listCache), else a fresh read, which is kept in its place.
func (s *Service) Snapshot(ctx context.Context) (*Snapshot, error) {
	now := s.clock.Now()
	busy := s.list.busy.Load() // busy before done: see listCache
	done := s.list.done.Load() // before reading: a change ending during the read makes this list stale at once
	last := s.list.last.Load()
	if last != nil && busy == 0 && last.done == done && now.Before(last.expires) {
		return last, nil
	}
	rows, err := s.store.ListJobs(ctx)
	if err != nil {
		return nil, err
	}
	rt := s.cur()
	sn := &Snapshot{jobs: make([]Job, len(rows)), loc: rt.loc, done: done, expires: now.Add(time.Minute)}
	var known []Job // the last list, to reuse its decoded schedules; both are sorted by id
	if last != nil {
		known = last.jobs
	}
	for i, r := range rows {
		for len(known) > 0 && known[0].ID < r.ID {
			known = known[1:]
		}
		var k *Job
		if len(known) > 0 && known[0].ID == r.ID {
			k = &known[0]
		}
		sn.jobs[i] = s.viewKnown(rt, r, k)
		if n := sn.jobs[i].NextRun; n != nil && n.Before(sn.expires) {
			sn.expires = *n
		}
	}
	s.list.last.Store(sn)
	return sn, nil
}
