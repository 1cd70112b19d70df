package scheduler

import (
	"context"
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

func (s *Service) view(j models.Job) Job { return s.viewKnown(s.cur(), j, nil) }

// viewKnown is view in rt; known, when not nil, is the job as an earlier
// list showed it, whose decoded schedule is reused while the stored trigger
// and the zone are the same (decoding is a seventh of a list's cost). A
// Schedule is a value whose CronFields pointers are never written through,
// so sharing one is safe.
func (s *Service) viewKnown(rt *schedRuntime, j models.Job, known *Job) Job {
	v := Job{Job: j, Location: rt.loc}
	if known != nil && known.Schedule.Trigger != "" && known.Location == rt.loc &&
		known.Trigger == j.Trigger && known.TriggerArgs == j.TriggerArgs {
		v.Schedule = known.Schedule
	} else if sched, err := j.Schedule(rt.loc); err == nil {
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

// List returns every job, sorted by id: the jobs of the current Snapshot,
// in a slice of the caller's own.
func (s *Service) List(ctx context.Context) ([]Job, error) {
	sn, err := s.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	return sn.Jobs(), nil
}

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
