// Package hub is the broadcast hub behind the live streams: publishers hand
// it events already rendered to bytes, and it fans them out to subscribers
// without ever blocking a publisher.
//
// An event carries one frame per class of subscriber, and each subscriber
// reads the frame of its class. The classes are the caller's (for example
// "may change things" and "read-only"): the hub counts them and never
// looks inside a frame.
package hub

import (
	"errors"
	"sync"
	"sync/atomic"
)

// Class is a class of subscriber, numbered by the caller from 0 up to the
// count it made the hub with.
type Class int

// Event is one published change, framed once per class. Frames are shared
// read-only by every subscriber: nobody may modify them.
type Event struct {
	ID     uint64
	Name   string
	frames [][]byte // one per class of the hub
}

// Frame returns the event's SSE bytes for class c; nil when the event has
// nothing for that class.
func (e *Event) Frame(c Class) []byte { return e.frames[c] }

// ErrTooLarge: the payload exceeds MaxPayload and was not published.
var ErrTooLarge = errors.New("event payload over 64 KiB")

// ErrBadName: the event name could break SSE framing.
var ErrBadName = errors.New("invalid event name")

// Hub fans events out. Every method takes the lock, so subscribe,
// unsubscribe and publish are safe in any interleaving.
type Hub struct {
	classes int
	buffer  int

	mu     sync.Mutex
	nextID uint64 // the id of the newest event published
	floor  uint64 // events with ids up to floor may be missing from recent
	any    bool   // whether anything was published yet
	subs   map[*Subscription]struct{}
	recent []*Event // ring of the last events, for Last-Event-ID resumes
	head   int
	closed bool

	slowDisconnects atomic.Int64
	dropped         atomic.Int64
}

// New returns a hub whose events carry a frame for each of classes classes
// of subscriber, whose subscribers each buffer up to buffer events, and
// which keeps the last keep events for resuming streams. Events come with
// their ids (PublishAt: the event log's, the same on every instance) or
// take the next one (Publish).
func New(classes, buffer, keep int) *Hub {
	return &Hub{classes: classes, buffer: buffer, subs: map[*Subscription]struct{}{}, recent: make([]*Event, keep)}
}

// Subscription is one subscriber's view of the hub.
type Subscription struct {
	// C delivers events in publish order.
	C <-chan *Event
	// Done is closed when the hub drops the subscriber (too slow, or the hub
	// closed); C is not closed, so select on both.
	Done <-chan struct{}

	c    chan *Event
	done chan struct{}
	// Slow reports whether the subscriber was dropped for not keeping up.
	slow atomic.Bool
}

// Slow reports whether the hub dropped this subscriber for falling behind.
func (s *Subscription) Slow() bool { return s.slow.Load() }

// Subscribe registers a subscriber. When lastID is not 0, the held events
// after it are returned as replay (to be sent before anything from C), and
// resumed tells whether they are all the events after it; otherwise the
// caller must fill the gap up to floor itself or start from a fresh
// snapshot. head is the id of
// the newest event published so far. A lastID beyond head (a client that
// read further on another instance) resumes with nothing to replay: the
// caller skips what C brings up to lastID.
func (h *Hub) Subscribe(lastID uint64) (sub *Subscription, replay []*Event, resumed bool, head, floor uint64) {
	c := make(chan *Event, h.buffer)
	done := make(chan struct{})
	sub = &Subscription{C: c, Done: done, c: c, done: done}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(done)
		return sub, nil, false, h.nextID, h.floor
	}
	h.subs[sub] = struct{}{}
	if lastID > 0 && h.any {
		replay, resumed = h.since(lastID), lastID >= h.floor
	}
	return sub, replay, resumed, h.nextID, h.floor
}

// since returns the held events after id, oldest first.
func (h *Hub) since(id uint64) []*Event {
	var out []*Event
	for i := len(h.recent); i > 0; i-- {
		e := h.recent[(h.head-i+len(h.recent))%len(h.recent)]
		if e != nil && e.ID > id {
			out = append(out, e)
		}
	}
	return out
}

// Unsubscribe removes a subscriber; it is safe to call more than once.
func (h *Hub) Unsubscribe(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.done)
	}
}

// Publish is PublishAt with the id after the newest one.
func (h *Hub) Publish(name string, payloads ...[]byte) (*Event, error) {
	return h.publish(0, name, payloads)
}

// ErrOutOfOrder: an id not above the newest one published.
var ErrOutOfOrder = errors.New("event id not above the last one published")

// PublishAt frames the payloads once per class (payloads[c] for class c)
// under id, which must be above every id published before, and hands the
// event to every subscriber. It never blocks: a subscriber whose buffer is
// full is dropped and told so through Done. A nil or missing payload leaves
// that class out.
func (h *Hub) PublishAt(id uint64, name string, payloads ...[]byte) (*Event, error) {
	if id == 0 {
		return nil, ErrOutOfOrder
	}
	return h.publish(id, name, payloads)
}

// publish is PublishAt; id 0 takes the next id.
func (h *Hub) publish(id uint64, name string, payloads [][]byte) (*Event, error) {
	if !ValidName(name) {
		return nil, ErrBadName
	}
	if len(payloads) > h.classes {
		return nil, errors.New("more payloads than classes")
	}
	for _, p := range payloads {
		if len(p) > MaxPayload {
			h.dropped.Add(1)
			return nil, ErrTooLarge
		}
	}
	return h.send(id, name, func(id uint64) [][]byte {
		frames := make([][]byte, h.classes)
		for c, p := range payloads {
			if p != nil {
				frames[c] = Frame(id, name, p)
			}
		}
		return frames
	})
}

// PublishFrames is PublishAt with frames the caller built (with Frame, one
// per class, nil to leave a class out): so each class may get its own event
// name, such as a stand-in for a payload too large for that class alone.
// The caller answers for their size and framing.
func (h *Hub) PublishFrames(id uint64, name string, frames [][]byte) (*Event, error) {
	if id == 0 {
		return nil, ErrOutOfOrder
	}
	if len(frames) > h.classes {
		return nil, errors.New("more frames than classes")
	}
	return h.send(id, name, func(uint64) [][]byte {
		out := make([][]byte, h.classes)
		copy(out, frames)
		return out
	})
}

// send numbers the event, frames it and hands it to every subscriber.
func (h *Hub) send(id uint64, name string, frame func(id uint64) [][]byte) (*Event, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, errors.New("hub closed")
	}
	if id == 0 {
		id = h.nextID + 1
	}
	if h.any && id <= h.nextID {
		return nil, ErrOutOfOrder
	}
	if !h.any {
		h.floor, h.any = id-1, true
	}
	h.nextID = id
	e := &Event{ID: id, Name: name, frames: frame(id)}
	if len(h.recent) > 0 {
		if old := h.recent[h.head]; old != nil {
			h.floor = old.ID
		}
		h.recent[h.head] = e
		h.head = (h.head + 1) % len(h.recent)
	}
	for s := range h.subs {
		select {
		case s.c <- e:
		default:
			s.slow.Store(true)
			delete(h.subs, s)
			close(s.done)
			h.slowDisconnects.Add(1)
		}
	}
	return e, nil
}

// Close drops every subscriber and refuses further events: streams end.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.subs {
		delete(h.subs, s)
		close(s.done)
	}
}

// Stats are the hub's gauges and counters.
type Stats struct {
	Subscribers     int
	SlowDisconnects int64
	DroppedEvents   int64
	LastID          uint64
}

// Stats returns the current counts.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	return Stats{Subscribers: len(h.subs), SlowDisconnects: h.slowDisconnects.Load(), DroppedEvents: h.dropped.Load(), LastID: h.nextID}
}
