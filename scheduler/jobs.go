package scheduler

import (
	"context"
	"slices"
	"time"

	"switchboard/models"
)

// Job is a stored job together with what only the running service knows:
// its next run in gocron and the run under way.
type Job struct {
	models.Job
	Schedule models.Schedule
	Location *time.Location
	NextRun  *time.Time
	Running  *RunInfo
}

// RunInfo describes the run of a job that is under way.
type RunInfo struct {
	RunID     int64
	Source    string
	StartedAt time.Time
	// Usual is how long the job's runs usually take (the 95th percentile
	// of its last 20): a run past it runs longer than usual. 0 when too
	// few runs tell.
	Usual time.Duration
}

// ScheduleText is the schedule as a sentence, "Weekdays at 08:30".
func (j Job) ScheduleText() string {
	if j.Schedule.Trigger == "" {
		return "Invalid schedule"
	}
	return j.Schedule.Describe(j.Location)
}

func (s *Service) view(j models.Job) Job {
	rt := s.cur()
	v := Job{Job: j, Location: rt.loc}
	if sched, err := j.Schedule(rt.loc); err == nil {
		v.Schedule = sched
	}
	if j.Enabled {
		if runs := rt.eng.nextRuns(j.ID, 1); len(runs) > 0 {
			t := runs[0].In(rt.loc)
			v.NextRun = &t
		}
	}
	// A run is under way here or, as the log tells, elsewhere; once the
	// row names it as the last run, it has ended, whatever the maps say yet.
	s.mu.Lock()
	r := s.running[j.ID]
	if r == nil {
		r = s.remote[j.ID]
	}
	if r != nil && (j.LastRunID == nil || *j.LastRunID != r.id) {
		v.Running = &RunInfo{RunID: r.id, Source: r.source, StartedAt: r.started, Usual: r.usual}
	}
	s.mu.Unlock()
	return v
}

// List returns every job, sorted by id. Lists are the hottest read (every
// API poll, every jobs page and its live snapshot) and cost a database read
// and a decode per job, so the last one is kept while it is still true: no
// change has happened since (see emit) and none of its next runs has come.
func (s *Service) List(ctx context.Context) ([]Job, error) {
	jobs, _, err := s.ListStamped(ctx)
	return jobs, err
}

// ListStamped is List with a stamp naming the list it answers: two calls
// with the same stamp returned the same jobs, so a caller may keep what it
// derived from them (the API keeps the encoded JSON).
func (s *Service) ListStamped(ctx context.Context) ([]Job, uint64, error) {
	seq := s.listSeq.Load() // before reading: a change during the read makes this list stale at once
	now := s.clock.Now()
	if c := s.listCache.Load(); c != nil && c.seq == seq && now.Before(c.expires) {
		return slices.Clone(c.jobs), c.stamp, nil
	}
	rows, err := s.store.ListJobs(ctx)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Job, len(rows))
	expires := now.Add(time.Minute) // a bound, in case something changes unannounced
	for i, r := range rows {
		out[i] = s.view(r)
		if n := out[i].NextRun; n != nil && n.Before(expires) {
			expires = *n
		}
	}
	c := &listSnapshot{seq: seq, expires: expires, jobs: out, stamp: s.listStamps.Add(1)}
	s.listCache.Store(c)
	return slices.Clone(out), c.stamp, nil
}

// listSnapshot is a List answer and what it was true for.
type listSnapshot struct {
	seq     uint64    // listSeq when the read began
	expires time.Time // the earliest next run it shows
	jobs    []Job
	stamp   uint64 // unique to this list
}

// changed marks kept lists stale; also for changes that publish nothing,
// such as gocron restored after a failed change.
func (s *Service) changed() { s.listSeq.Add(1) }

// Get returns one job or models.ErrNotFound.
func (s *Service) Get(ctx context.Context, id string) (Job, error) {
	row, err := s.store.GetJob(ctx, id)
	if err != nil {
		return Job{}, err
	}
	return s.view(row), nil
}

// NextRuns returns the job's next n runs as gocron has them; none while
// paused.
func (s *Service) NextRuns(ctx context.Context, id string, n int) ([]time.Time, error) {
	row, err := s.store.GetJob(ctx, id)
	if err != nil {
		return nil, err
	}
	out := []time.Time{}
	if !row.Enabled {
		return out, nil
	}
	rt := s.cur()
	for _, t := range rt.eng.nextRuns(id, n) {
		out = append(out, t.In(rt.loc))
	}
	return out, nil
}
