package scheduler

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/go-co-op/gocron/v2"
)

// EngineJob is a job as gocron itself holds it.
type EngineJob struct {
	ID      string    // the job's id (gocron's job name)
	NextRun time.Time // zero when gocron has none
}

// EngineJobs lists the jobs gocron holds, sorted by id, read from gocron's
// own job list (Scheduler.Jobs) rather than from the service's record of
// what it scheduled: tests compare it with the database and the API, so a
// job the service believes removed but gocron still holds shows up.
func (s *Service) EngineJobs() ([]EngineJob, error) {
	g, ok := s.cur().eng.(interface{ gocronScheduler() gocron.Scheduler })
	if !ok {
		return nil, errors.New("the scheduler's engine is not gocron")
	}
	var out []EngineJob
	for _, j := range g.gocronScheduler().Jobs() {
		next, err := j.NextRun()
		if err != nil {
			return nil, err
		}
		out = append(out, EngineJob{ID: j.Name(), NextRun: next})
	}
	slices.SortFunc(out, func(a, b EngineJob) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (e *gocronEngine) gocronScheduler() gocron.Scheduler { return e.s }
