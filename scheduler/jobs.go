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
	s.mu.Lock()
	if r := s.running[j.ID]; r != nil {
		v.Running = &RunInfo{RunID: r.id, Source: r.source, StartedAt: r.started}
	}
	s.mu.Unlock()
	return v
}

// List returns every job, sorted by id.
func (s *Service) List(ctx context.Context) ([]Job, error) {
	rows, err := s.store.ListJobs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Job, len(rows))
	for i, r := range rows {
		out[i] = s.view(r)
	}
	return out, nil
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

// publishJob queues a job_updated event. Callers hold the job's stripe lock,
// so events of one job leave in commit order.
func (s *Service) publishJob(row models.Job) Job {
	v := s.view(row)
	s.events.push(Event{Type: EventJobUpdated, JobID: row.ID, Job: &v})
	return v
}
