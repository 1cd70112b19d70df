package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
)

// viewer is one /api/stream client keeping the view the events describe:
// every job as its last job_updated carried it, and the provider list. It
// also checks that event ids arrive once each and in order.
type viewer struct {
	conn net.Conn

	mu        sync.Mutex
	jobs      map[string]string // id → job JSON as sent
	providers string            // the providers of the last snapshot or provider_changed
	lastID    uint64
	events    int
	problem   string // the first broken rule, if any
	ended     error  // why the stream ended before close, if it did
	closing   bool
}

func dialViewer(host string) (*viewer, error) {
	c, err := net.Dial("tcp", host)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(c, "GET /api/stream HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n", host, token)
	v := &viewer{conn: c, jobs: map[string]string{}}
	go v.read()
	return v, nil
}

func (v *viewer) read() {
	r := bufio.NewReaderSize(v.conn, 64<<10)
	var name, data, id string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			v.mu.Lock()
			if !v.closing {
				v.ended = err
			}
			v.mu.Unlock()
			return
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "":
			if name != "" {
				v.apply(name, data, id)
			}
			name, data, id = "", "", ""
		case strings.HasPrefix(line, "event: "):
			name = line[7:]
		case strings.HasPrefix(line, "data: "):
			data = line[6:]
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		}
	}
}

func (v *viewer) apply(name, data, id string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if id != "" {
		n, err := strconv.ParseUint(id, 10, 64)
		switch {
		case err != nil:
			v.fail("event id %q is not a number", id)
		case name != "snapshot" && v.lastID != 0 && n != v.lastID+1:
			v.fail("event id %d after %d: every event once, in order", n, v.lastID)
		}
		v.lastID = n
	}
	v.events++
	switch name {
	case "snapshot":
		var s struct {
			Jobs      []json.RawMessage
			Providers json.RawMessage
		}
		if err := json.Unmarshal([]byte(data), &s); err != nil {
			v.fail("snapshot: %v", err)
			return
		}
		v.jobs = map[string]string{}
		for _, j := range s.Jobs {
			v.jobs[jobID(j)] = string(j)
		}
		v.providers = string(s.Providers)
	case "job_updated":
		v.jobs[jobID([]byte(data))] = data
	case "job_deleted":
		var d struct {
			JobID string `json:"job_id"`
		}
		_ = json.Unmarshal([]byte(data), &d)
		delete(v.jobs, d.JobID)
	case "provider_changed":
		var p struct{ Providers json.RawMessage }
		if err := json.Unmarshal([]byte(data), &p); err != nil {
			v.fail("provider_changed: %v", err)
			return
		}
		v.providers = string(p.Providers)
	}
}

func (v *viewer) fail(format string, args ...any) {
	if v.problem == "" {
		v.problem = fmt.Sprintf(format, args...)
	}
}

// view is the client's state in canonical JSON, comparable with the API's.
func (v *viewer) view() (jobs map[string]string, providers string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	jobs = make(map[string]string, len(v.jobs))
	for id, j := range v.jobs {
		jobs[id] = canonical(j)
	}
	return jobs, canonical(v.providers)
}

func (v *viewer) close() {
	v.mu.Lock()
	v.closing = true
	v.mu.Unlock()
	v.conn.Close()
}

func jobID(raw []byte) string {
	var j struct{ ID string }
	_ = json.Unmarshal(raw, &j)
	return j.ID
}

func canonical(raw string) string {
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return "invalid JSON: " + raw
	}
	b, _ := json.Marshal(v)
	return string(b)
}
