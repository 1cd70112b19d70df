package hub

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The tests' own classes of subscriber: the hub knows none of its callers'.
const (
	full    Class = iota // sees everything
	summary              // sees a shorter rendering
	guest                // sees only some events
	classes
)

// newHub is a hub for the tests' classes.
func newHub(buffer, keep int) *Hub { return New(int(classes), buffer, keep) }

func TestFrameSplitsEveryLineBreak(t *testing.T) {
	tests := []struct {
		id   uint64
		data string
		want string
	}{
		{7, `{"a":1}`, "id: 7\nevent: job_updated\ndata: {\"a\":1}\n\n"},
		{7, "a\nb", "id: 7\nevent: job_updated\ndata: a\ndata: b\n\n"},
		{7, "a\r\nb\rc\n", "id: 7\nevent: job_updated\ndata: a\ndata: b\ndata: c\ndata: \n\n"},
		{7, "\n\nevent: evil\ndata: x", "id: 7\nevent: job_updated\ndata: \ndata: \ndata: event: evil\ndata: data: x\n\n"},
		{7, "", "id: 7\nevent: job_updated\ndata: \n\n"},
		{1, "x", "id: 1\nevent: job_updated\ndata: x\n\n"},
		{0, "x", "event: job_updated\ndata: x\n\n"}, // id 0: no id line
	}
	for _, tt := range tests {
		if got := string(Frame(tt.id, "job_updated", []byte(tt.data))); got != tt.want {
			t.Errorf("Frame(%d, %q):\ngot  %q\nwant %q", tt.id, tt.data, got, tt.want)
		}
	}
}

// parseFrame reads one SSE message strictly, as a browser would.
func parseFrame(t *testing.T, frame []byte) (id, name, data string) {
	t.Helper()
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(frame))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	blank := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			blank++
			continue
		}
		if blank > 0 {
			t.Fatalf("frame holds two messages: %q", frame)
		}
		field, value, _ := strings.Cut(line, ": ")
		switch field {
		case "id":
			id = value
		case "event":
			name = value
		case "data":
			lines = append(lines, value)
		default:
			t.Fatalf("unexpected field %q in %q", field, frame)
		}
	}
	return id, name, strings.Join(lines, "\n")
}

func FuzzFrameRoundTrip(f *testing.F) {
	for _, s := range []string{"x", "a\nb", "a\r\nb", "\r", "data: x\n\nid: 9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		_, name, got := parseFrame(t, Frame(3, "job_updated", []byte(data)))
		want := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(data)
		if name != "job_updated" || got != want {
			t.Fatalf("round trip of %q: got %q (event %q)", data, got, name)
		}
	})
}

func TestPublishRejectsBadNamesAndHugePayloads(t *testing.T) {
	h := newHub(8, 8)
	sub, _, _, _, _ := h.Subscribe(0)
	defer h.Unsubscribe(sub)
	for _, name := range []string{"", "job updated", "job\nupdated", "Job", strings.Repeat("a", 65)} {
		if _, err := h.Publish(name, []byte("{}"), nil); err != ErrBadName {
			t.Errorf("Publish(%q): got %v, want ErrBadName", name, err)
		}
	}
	if _, err := h.Publish("big", bytes.Repeat([]byte("x"), MaxPayload+1), nil); err != ErrTooLarge {
		t.Fatalf("huge payload: got %v, want ErrTooLarge", err)
	}
	if _, err := h.Publish("extra", []byte("{}"), []byte("{}"), []byte("{}"), []byte("{}")); err == nil {
		t.Fatal("a payload for a fourth class was published to a hub of three")
	}
	if _, err := h.Publish("largest", bytes.Repeat([]byte("x"), MaxPayload), nil); err != nil {
		t.Fatalf("a payload of exactly 64 KiB: %v", err)
	}
	if _, err := h.Publish("small", []byte("{}"), nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"largest", "small"} {
		if e := <-sub.C; e.Name != want {
			t.Fatalf("got %s, want %s: only the events that fit", e.Name, want)
		}
	}
	if st := h.Stats(); st.DroppedEvents != 1 || st.LastID != 2 {
		t.Fatalf("stats %+v, want one dropped event and ids up to 2", st)
	}
}

// Each class gets its own frame of its own payload; a nil or missing
// payload leaves that class out.
func TestPublishFramesEachClass(t *testing.T) {
	h := newHub(8, 8)
	sub, _, _, _, _ := h.Subscribe(0)
	defer h.Unsubscribe(sub)
	if _, err := h.PublishAt(2, "job_updated", []byte("all of it"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := h.PublishAt(3, "job_updated", nil, []byte("short"), []byte("for guests")); err != nil {
		t.Fatal(err)
	}
	want := []map[Class]string{
		{full: "all of it", summary: "", guest: ""},
		{full: "", summary: "short", guest: "for guests"},
	}
	for i, byClass := range want {
		e := <-sub.C
		for c, data := range byClass {
			frame := e.Frame(c)
			if data == "" {
				if frame != nil {
					t.Errorf("event %d class %d: got %q, want no frame", e.ID, c, frame)
				}
				continue
			}
			if id, name, got := parseFrame(t, frame); id != fmt.Sprint(i+2) || name != "job_updated" || got != data {
				t.Errorf("event %d class %d: got id %s %s %q, want id %d job_updated %q", e.ID, c, id, name, got, i+2, data)
			}
		}
	}
}

// The caller chooses how many classes there are; the hub holds it to them.
func TestClassCountIsTheCallers(t *testing.T) {
	for _, n := range []int{1, 2, 7} {
		h := New(n, 8, 8)
		sub, _, _, _, _ := h.Subscribe(0)
		payloads := make([][]byte, n)
		for c := range payloads {
			payloads[c] = []byte(fmt.Sprint("class ", c))
		}
		if _, err := h.Publish("tick", payloads...); err != nil {
			t.Fatalf("%d classes: a payload each: %v", n, err)
		}
		if _, err := h.Publish("tick", make([][]byte, n+1)...); err == nil {
			t.Errorf("%d classes: %d payloads were published", n, n+1)
		}
		if _, err := h.PublishFrames(9, "tick", make([][]byte, n+1)); err == nil {
			t.Errorf("%d classes: %d frames were published", n, n+1)
		}
		e := <-sub.C
		for c := range Class(n) {
			if _, _, data := parseFrame(t, e.Frame(c)); data != fmt.Sprint("class ", c) {
				t.Errorf("%d classes: class %d got %q, want %q", n, c, data, fmt.Sprint("class ", c))
			}
		}
		if h.Stats().LastID != 1 {
			t.Errorf("%d classes: last id %d, want 1: only the event that fit", n, h.Stats().LastID)
		}
		h.Unsubscribe(sub)
	}
}

func TestSlowSubscriberIsDroppedWithoutBlocking(t *testing.T) {
	h := newHub(4, 16)
	slow, _, _, _, _ := h.Subscribe(0)
	fast, _, _, _, _ := h.Subscribe(0)
	for i := range 100 {
		if _, err := h.Publish("tick", []byte(fmt.Sprint(i)), nil); err != nil {
			t.Fatal(err)
		}
		// The fast subscriber keeps up; the slow one never reads. Publish
		// returned without waiting for either.
		select {
		case e := <-fast.C:
			if _, _, data := parseFrame(t, e.Frame(full)); data != fmt.Sprint(i) {
				t.Fatalf("fast got %q, want %d", data, i)
			}
		case <-fast.Done:
			t.Fatal("fast subscriber dropped")
		}
	}
	select {
	case <-slow.Done:
	default:
		t.Fatal("slow subscriber not dropped")
	}
	if !slow.Slow() || fast.Slow() || h.Stats().SlowDisconnects != 1 || h.Stats().Subscribers != 1 {
		t.Fatalf("stats: %+v slow=%v", h.Stats(), slow.Slow())
	}
	h.Unsubscribe(slow) // after a drop: a no-op
	h.Unsubscribe(fast)
}

func TestResumeFromLastEventID(t *testing.T) {
	// Ids come from the event log: increasing, with gaps (a rolled-back
	// append burns its number). The ring holds the last 4.
	h := newHub(64, 4)
	ids := []uint64{101, 102, 104, 105, 107, 108}
	for _, id := range ids {
		if _, err := h.PublishAt(id, "tick", []byte("{}"), nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.PublishAt(108, "tick", []byte("{}")); err != ErrOutOfOrder {
		t.Fatalf("PublishAt(108) again: got %v, want ErrOutOfOrder", err)
	}
	tests := []struct {
		last    uint64
		resumed bool
		replay  []uint64
	}{
		{108, true, nil},
		{105, true, []uint64{107, 108}},
		{103, true, []uint64{104, 105, 107, 108}}, // 103 never existed; nothing after it is missing
		{102, true, []uint64{104, 105, 107, 108}},
		{101, false, []uint64{104, 105, 107, 108}}, // 102 is no longer held
		{50, false, []uint64{104, 105, 107, 108}},  // from before this hub
		{200, true, nil},                           // read further on another instance: nothing to replay
	}
	// A new hub: ids from 1, fewer events than it keeps. Id 0 still means
	// "no Last-Event-ID": a snapshot, not a replay of everything.
	young := newHub(64, 8)
	young.Publish("tick", []byte("{}"), nil)
	if sub, replay, resumed, _, _ := young.Subscribe(0); resumed || len(replay) != 0 {
		t.Errorf("Subscribe(0): resumed=%v with %d events, want a fresh start", resumed, len(replay))
	} else {
		young.Unsubscribe(sub)
	}
	for _, tt := range tests {
		sub, replay, resumed, head, floor := h.Subscribe(tt.last)
		var got []uint64
		for _, e := range replay {
			got = append(got, e.ID)
		}
		if resumed != tt.resumed || fmt.Sprint(got) != fmt.Sprint(tt.replay) || head != 108 || floor != 102 {
			t.Errorf("Subscribe(%d): resumed=%v replay=%v head=%d floor=%d, want %v %v 108 102", tt.last, resumed, got, head, floor, tt.resumed, tt.replay)
		}
		h.Unsubscribe(sub)
	}
}

// TestPropertyRandomInterleavings: many goroutines subscribe, publish and
// unsubscribe at random; every subscriber that was not dropped received
// exactly the events published while it was subscribed, in order.
func TestPropertyRandomInterleavings(t *testing.T) {
	for seed := range uint64(20) {
		h := newHub(4096, 0)
		start := make(chan struct{})
		var wg sync.WaitGroup
		type record struct {
			first, last uint64 // head at subscribe, head at unsubscribe
			got         []uint64
			slow        bool
		}
		records := make([]record, 16)
		for g := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(seed, uint64(g)))
				<-start
				if g%4 == 0 { // publishers
					for range 200 {
						if _, err := h.Publish("tick", []byte("{}"), nil); err != nil {
							t.Error(err)
						}
					}
					return
				}
				for range r.IntN(50) {
					h.Publish("tick", []byte("{}"), nil)
				}
				sub, _, _, head, _ := h.Subscribe(0)
				rec := &records[g]
				rec.first = head
				drain := func() {
					for {
						select {
						case e := <-sub.C:
							rec.got = append(rec.got, e.ID)
						default:
							return
						}
					}
				}
				// Publish and read in turns, never waiting on an event that
				// may not come.
				for range r.IntN(100) {
					h.Publish("tick", []byte("{}"), nil)
					if r.IntN(2) == 0 {
						drain()
					}
				}
				rec.last = h.Stats().LastID // a lower bound: more may come before we leave
				h.Unsubscribe(sub)
				drain()
				rec.slow = sub.Slow()
			}()
		}
		close(start)
		wg.Wait()
		for g, rec := range records {
			if g%4 == 0 || rec.slow {
				continue
			}
			// Every event from subscribe to unsubscribe, in order, once: the
			// ids run on from the head at subscribe without a gap and reach
			// at least the head seen just before leaving.
			for i, id := range rec.got {
				if id != rec.first+uint64(i)+1 {
					t.Fatalf("seed %d subscriber %d: event %d is %d, want %d (got %v…)", seed, g, i, id, rec.first+uint64(i)+1, head(rec.got))
				}
			}
			if n := uint64(len(rec.got)); rec.first+n < rec.last {
				t.Fatalf("seed %d subscriber %d: got events up to %d, want at least %d", seed, g, rec.first+n, rec.last)
			}
		}
		if st := h.Stats(); st.Subscribers != 0 {
			t.Fatalf("%d subscribers left", st.Subscribers)
		}
	}
}

func head(ids []uint64) []uint64 { return ids[:min(5, len(ids))] }

// PublishFrames carries each class's own frame, a stand-in under another
// name included, under one id in the one order.
func TestPublishFramesPerFormat(t *testing.T) {
	h := newHub(8, 8)
	defer h.Close()
	sub, _, _, _, _ := h.Subscribe(0)
	defer h.Unsubscribe(sub)
	frames := [][]byte{Frame(5, "resync", []byte("{}")), Frame(5, "job_updated", []byte("<tr></tr>"))}
	if _, err := h.PublishFrames(5, "job_updated", frames); err != nil {
		t.Fatal(err)
	}
	e := <-sub.C
	if e.ID != 5 || string(e.Frame(full)) != string(frames[0]) || string(e.Frame(summary)) != string(frames[1]) || e.Frame(guest) != nil {
		t.Fatalf("got event %d with frames %q %q %q", e.ID, e.Frame(full), e.Frame(summary), e.Frame(guest))
	}
	for _, id := range []uint64{0, 5, 4} {
		if _, err := h.PublishFrames(id, "late", frames); err != ErrOutOfOrder {
			t.Errorf("PublishFrames(%d) after 5: %v, want ErrOutOfOrder", id, err)
		}
	}
	if _, err := h.PublishFrames(6, "many", make([][]byte, classes+1)); err == nil {
		t.Error("frames for more classes than there are were published")
	}
}
