package scheduler

import (
	"log/slog"
	"sync"

	"switchboard/models"
)

// Event types, as api.md names them.
const (
	EventJobUpdated   = "job_updated"
	EventJobDeleted   = "job_deleted"
	EventJobStarted   = "job_started"
	EventJobCompleted = "job_completed"
)

// Event is a committed change. It carries state, never a command: Job is the
// job as it stood right after the change (nil for job_deleted), Run the run
// for job_started and job_completed.
type Event struct {
	Type  string
	JobID string
	Job   *Job
	Run   *models.JobRun
}

// dispatcher delivers events to listeners in the order they were pushed, on
// one goroutine of its own. push never blocks, so a change can publish while
// holding its job's lock, which is what makes push order commit order.
type dispatcher struct {
	log       *slog.Logger
	mu        sync.Mutex
	wake      *sync.Cond
	queue     []Event
	listeners []func(Event)
	closed    bool
	done      chan struct{}
}

func newDispatcher(log *slog.Logger) *dispatcher {
	d := &dispatcher{log: log, done: make(chan struct{})}
	d.wake = sync.NewCond(&d.mu)
	go d.loop()
	return d
}

func (d *dispatcher) subscribe(fn func(Event)) {
	d.mu.Lock()
	d.listeners = append(d.listeners, fn)
	d.mu.Unlock()
}

func (d *dispatcher) push(e Event) {
	d.mu.Lock()
	if !d.closed {
		d.queue = append(d.queue, e)
		d.wake.Signal()
	}
	d.mu.Unlock()
}

func (d *dispatcher) loop() {
	defer close(d.done)
	for {
		d.mu.Lock()
		for len(d.queue) == 0 && !d.closed {
			d.wake.Wait()
		}
		if len(d.queue) == 0 {
			d.mu.Unlock()
			return
		}
		batch := d.queue
		d.queue = nil
		listeners := d.listeners
		d.mu.Unlock()
		for _, e := range batch {
			for _, fn := range listeners {
				d.deliver(fn, e)
			}
		}
	}
}

func (d *dispatcher) deliver(fn func(Event), e Event) {
	defer func() {
		if r := recover(); r != nil {
			d.log.Error("event listener panicked", "event", e.Type, "job_id", e.JobID, "panic", r)
		}
	}()
	fn(e)
}

// close delivers what is queued, then stops.
func (d *dispatcher) close() {
	d.mu.Lock()
	d.closed = true
	d.wake.Signal()
	d.mu.Unlock()
	<-d.done
}
