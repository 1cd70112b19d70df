package main

import (
	"fmt"
	"io"
	"time"
)

// apiSection measures section 1: the JSON API over loopback HTTP at conns
// connections, reads (the list of 50 jobs) and writes (pause and resume),
// each beside a bare net/http handler answering the same bytes.
func apiSection(w io.Writer, conns int, d time.Duration) error {
	a, err := startApp(50)
	if err != nil {
		return err
	}
	defer a.stop()
	code, listBody, listType, err := fetch(a.url, "GET", "/api/scheduler/jobs", "")
	if err != nil || code != 200 {
		return fmt.Errorf("list jobs: %d %v", code, err)
	}
	code, pauseBody, pauseType, err := fetch(a.url, "POST", "/api/scheduler/jobs/job-0000/pause", "")
	if err != nil || code != 200 {
		return fmt.Errorf("pause: %d %v", code, err)
	}
	bareList, stopList, err := serve(bareHandler(listBody, listType))
	if err != nil {
		return err
	}
	defer stopList()
	bareWrite, stopWrite, err := serve(bareHandler(pauseBody, pauseType))
	if err != nil {
		return err
	}
	defer stopWrite()

	list := func(int, int) (string, string, string) { return "GET", "/api/scheduler/jobs", "" }
	// Each connection pauses and resumes jobs of its own, so every answer
	// should be a 200: pause and resume are idempotent anyway.
	pauseResume := func(w, i int) (string, string, string) {
		action := [2]string{"pause", "resume"}[i%2]
		return "POST", fmt.Sprintf("/api/scheduler/jobs/job-%04d/%s", w%43, action), ""
	}
	progress("api: reads, bare handler")
	baseR := closedLoop(bareList, token, conns, d, list)
	progress("api: reads, switchboard")
	oursR := closedLoop(a.url, token, conns, d, list)
	progress("api: writes, bare handler")
	baseW := closedLoop(bareWrite, token, conns, d, pauseResume)
	progress("api: writes, switchboard")
	oursW := closedLoop(a.url, token, conns, d, pauseResume)
	progress("api: writes, raw SQLite transactions")
	raw, err := rawSQLiteRate(conns, d)
	if err != nil {
		return err
	}

	fmt.Fprintf(w, "## 1. JSON API over loopback HTTP\n\n")
	fmt.Fprintf(w, "%d connections, closed loop, %s per run; client and server share this machine. Reads are "+
		"`GET /api/scheduler/jobs` with 50 jobs (%d bytes); writes alternate pause and resume. The baseline is a bare "+
		"net/http handler answering the same bytes.\n\n", conns, d, len(listBody))
	t := table{head: []string{"measure", "Switchboard", "bare handler", "ratio", "target"}}
	for _, c := range []struct {
		name       string
		ours, base loadResult
		target     bool
	}{{"reads", oursR, baseR, true}, {"writes (pause/resume)", oursW, baseW, false}} {
		target := ""
		if c.target {
			target = fmt.Sprintf("≥ 0.40× throughput: %s", met(c.ours.rate() >= 0.4*c.base.rate()))
		}
		t.add(c.name+" req/s", fmt.Sprintf("%.0f", c.ours.rate()), fmt.Sprintf("%.0f", c.base.rate()), ratio(c.ours.rate(), c.base.rate()), target)
		t.add(c.name+" p50", ms(c.ours.lat.q(0.5)), ms(c.base.lat.q(0.5)), ratio(float64(c.ours.lat.q(0.5)), float64(c.base.lat.q(0.5))), "")
		t.add(c.name+" p99", ms(c.ours.lat.q(0.99)), ms(c.base.lat.q(0.99)), ratio(float64(c.ours.lat.q(0.99)), float64(c.base.lat.q(0.99))), "")
		bad := c.ours.non2xx()
		t.add(c.name+" non-2xx", fmt.Sprintf("%d of %d", bad, c.ours.requests), fmt.Sprintf("%d of %d", c.base.non2xx(), c.base.requests), "", "0: "+met(bad == 0))
	}
	p99 := oursW.lat.q(0.99)
	t.add(fmt.Sprintf("writes (pause/resume) req/s beside raw SQLite single-row transactions at %d writers", conns),
		fmt.Sprintf("%.0f", oursW.rate()), fmt.Sprintf("%.0f (raw)", raw), ratio(oursW.rate(), raw),
		fmt.Sprintf("≥ 0.5×: %s; p99 %s < 20 ms: %s", met(oursW.rate() >= 0.5*raw), ms(p99), met(p99 < 20*time.Millisecond)))
	t.write(w)
	return nil
}
