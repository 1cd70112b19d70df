package scheduler

import (
	"context"
	"encoding/json"
	"time"

	"switchboard/models"
)

// Event types, as api.md names them.
const (
	EventJobUpdated      = models.EventJobUpdated
	EventJobDeleted      = models.EventJobDeleted
	EventJobStarted      = models.EventJobStarted
	EventJobCompleted    = models.EventJobCompleted
	EventProviderChanged = models.EventProviderChanged
	EventSettingChanged  = models.EventSettingChanged
)

// Event is a committed change, read from the database's event log: ID is
// the log's id, the same on every instance. It carries state, never a
// command: Job is the job as it stood right after the change, with what
// this instance's scheduler knows of it (nil for job_deleted); Run the run
// for job_started and job_completed; Providers the provider list after a
// provider change; Setting the key and value after a setting change.
type Event struct {
	ID        int64
	Type      string
	JobID     string
	Job       *Job
	Run       *models.JobRun
	Providers []models.AIProvider
	Setting   models.SettingPayload
}

// relayPoll bounds how long a change can wait when a wake-up was lost.
const relayPoll = time.Second

// relay reads the event log in order from where it last stopped, makes the
// scheduler follow each change (this instance's gocron learns of changes
// committed anywhere) and hands each event to the listeners, one at a time,
// on its own goroutine and holding no lock: listeners may call back into
// the service. It wakes after every local commit, on NOTIFY from other
// instances, and every relayPoll; each wake reads everything after the last
// id applied, so a lost wake loses nothing.
func (s *Service) relay(ctx context.Context, stop <-chan struct{}) {
	defer close(s.relayDone)
	wake := s.store.Changes(ctx, s.log)
	tick := time.NewTicker(relayPoll)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			s.catchUp(ctx) // what committed before Close
			return
		case <-wake:
		case <-tick.C:
		}
		s.catchUp(ctx)
	}
}

func (s *Service) catchUp(ctx context.Context) {
	for {
		evs, err := s.store.EventsAfter(ctx, s.lastApplied.Load(), 512)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("cannot read the event log", "err", err)
			}
			return
		}
		for _, row := range evs {
			e, err := s.follow(row)
			if err != nil {
				s.log.Error("cannot apply event", "event_id", row.ID, "type", row.Type, "err", err)
			}
			if err == nil {
				s.deliver(e)
			}
			s.lastApplied.Store(row.ID) // after delivery: WaitApplied means "published"
		}
		if len(evs) < 512 {
			return
		}
	}
}

// follow makes this instance agree with one logged change and returns it
// as an Event.
func (s *Service) follow(row models.Event) (Event, error) {
	e, job, err := s.decode(row)
	if err != nil {
		return e, err
	}
	switch row.Type {
	case EventJobUpdated:
		s.followJob(job)
		v := s.view(job) // after following: the next run as gocron now has it
		e.Job = &v
	case EventJobDeleted:
		s.followDelete(row.Key)
	case EventJobStarted, EventJobCompleted:
		s.followRun(row.Type, *e.Run)
	case EventSettingChanged:
		if e.Setting.Key == models.SettingTimezone {
			s.followTimezone(e.Setting.Value)
		}
	}
	return e, nil
}

// Decode turns a logged change into an Event without applying it, for a
// client replaying what it missed: a job shows as it is now scheduled.
func (s *Service) Decode(row models.Event) (Event, error) {
	e, _, err := s.decode(row)
	return e, err
}

func (s *Service) decode(row models.Event) (Event, models.Job, error) {
	e := Event{ID: row.ID, Type: row.Type, JobID: row.Key}
	var job models.Job
	var err error
	switch row.Type {
	case EventJobUpdated:
		if err = json.Unmarshal([]byte(row.Payload), &job); err == nil {
			v := s.view(job)
			e.Job = &v
		}
	case EventJobStarted, EventJobCompleted:
		e.Run = &models.JobRun{}
		err = json.Unmarshal([]byte(row.Payload), e.Run)
	case EventProviderChanged:
		err = json.Unmarshal([]byte(row.Payload), &e.Providers)
	case EventSettingChanged:
		err = json.Unmarshal([]byte(row.Payload), &e.Setting)
	}
	return e, job, err
}

// followJob reconciles gocron with a row changed elsewhere; a change this
// instance made itself (or one it has already followed) is not applied
// twice.
func (s *Service) followJob(j models.Job) {
	unlock := s.lockJob(j.ID)
	defer unlock()
	s.mu.Lock()
	prev, known := s.seen[j.ID]
	live := s.state != created
	s.mu.Unlock()
	if !live || (known && prev.Version >= j.Version) {
		return
	}
	if known && !scheduleChanged(prev, j) {
		s.noteSeen(j) // a rename or a new config: gocron keeps the job as it is, phase and all
		return
	}
	s.disarmResume(j.ID)
	if err := s.reconcile(j); err != nil {
		s.log.Error("cannot follow a job changed on another instance", "job_id", j.ID, "err", err)
	}
}

func (s *Service) followDelete(id string) {
	unlock := s.lockJob(id)
	defer unlock()
	s.disarmResume(id)
	if err := s.cur().eng.unschedule(id); err != nil {
		s.log.Error("cannot follow a job deleted on another instance", "job_id", id, "err", err)
	}
	s.mu.Lock()
	delete(s.seen, id)
	s.mu.Unlock()
}

// followRun keeps the cluster's runs under way, so every instance shows a
// run wherever it happens.
func (s *Service) followRun(typ string, r models.JobRun) {
	var usual time.Duration
	if typ == EventJobStarted && r.Instance != s.instance {
		usual = s.usualDuration(context.Background(), r.JobID) // before the locks: it reads the database
	}
	unlock := s.lockJob(r.JobID) // lists show runs under way
	defer unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if typ == EventJobStarted {
		s.remote[r.JobID] = &activeRun{id: r.ID, source: r.Source, started: r.StartedAt, usual: usual}
		return
	}
	if cur := s.remote[r.JobID]; cur != nil && cur.id == r.ID {
		delete(s.remote, r.JobID)
	}
}

func (s *Service) followTimezone(name string) {
	if name == s.Location().String() {
		return
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		s.log.Error("cannot follow the timezone set on another instance", "timezone", name, "err", err)
		return
	}
	s.tzMu.Lock()
	defer s.tzMu.Unlock()
	if err := s.relocate(context.Background(), loc); err != nil {
		s.log.Error("cannot follow the timezone set on another instance", "timezone", name, "err", err)
	}
}

func (s *Service) deliver(e Event) {
	s.lmu.Lock()
	listeners := s.listeners
	s.lmu.Unlock()
	for _, fn := range listeners {
		s.deliverOne(fn, e)
	}
}

func (s *Service) deliverOne(fn func(Event), e Event) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("event listener panicked", "event", e.Type, "job_id", e.JobID, "panic", r)
		}
	}()
	fn(e)
}

// LastEventID is the id of the last event this instance has applied and
// delivered.
func (s *Service) LastEventID() int64 { return s.lastApplied.Load() }

// WaitApplied waits, at most until ctx ends or for wait, until this
// instance has applied and delivered event id: then what it shows includes
// every change committed up to id, wherever it was made.
func (s *Service) WaitApplied(ctx context.Context, id int64, wait time.Duration) bool {
	deadline := time.Now().Add(wait)
	for s.lastApplied.Load() < id {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return true
}
