package main

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for the command when the fan-out
// section re-executes it as the client process.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "sse-clients" {
		if err := sseClients(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The report's harness, in a short pass: every section runs against the
// real server and prints its table with figures and ratios.
func TestReportShortPass(t *testing.T) {
	var out bytes.Buffer
	err := report(&out, reportOptions{
		conns: 8, loadTime: 500 * time.Millisecond, writeTime: 100 * time.Millisecond, clients: []int{50},
		renders: 3, rounds: 1, idle: 100 * time.Millisecond,
		sections: map[string]bool{"api": true, "writes": true, "fanout": true, "page": true, "startup": true},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := out.String()
	t.Log(s)
	for _, want := range []string{
		"## 1. JSON API", "| reads req/s |", "| writes (pause/resume) non-2xx | 0 of",
		"## 2. Settings and provider writes", "| switch the active provider | 16 |",
		"## 3. Live events", "| 50 | memory per idle client |",
		"## 4. Jobs page with 1,000 jobs", "| p99 |",
		"## 5. Start-up and idle memory", "| idle RSS |",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(s, "n/a") {
		t.Errorf("a baseline measured zero:\n%s", s)
	}
	if strings.Contains(s, "| reads non-2xx | 0 of 0 ") {
		t.Errorf("no reads were measured")
	}
}

// A short soak against the built binary: mixed load with live clients, no
// 5xx, every client's view equal to the API's, every event once and in
// order. (Flatness needs minutes and is left to `task soak`.) The report's
// own figures are checked too: requests were sent, and the clients read at
// least the events the acknowledged writes must have caused.
func TestSoakShortPass(t *testing.T) {
	const clients = 50
	var out bytes.Buffer
	err := soakMain([]string{"-duration", "5s", "-sample", "1s", "-clients", fmt.Sprint(clients), "-conns", "4", "-rate", "100"}, &out)
	t.Log(out.String())
	if err != nil {
		t.Fatal(err)
	}
	report := out.String()
	for _, want := range []string{"every client's final view equals the API | 0 of 50 differ: met", "| no 5xx, every request answered | 0 failed: met", "| no stream ended early | 0 ended: met"} {
		if !strings.Contains(report, want) {
			t.Errorf("soak report lacks %q", want)
		}
	}
	// | request | count | statuses |, one row per kind of request.
	sent, answered := 0, map[string]int{}
	for _, m := range regexp.MustCompile(`(?m)^\| ([a-z ]+) \| (\d+) \| (.*)\|$`).FindAllStringSubmatch(report, -1) {
		n, _ := strconv.Atoi(m[2])
		sent += n
		for _, st := range regexp.MustCompile(`2\d\d×(\d+)`).FindAllStringSubmatch(m[3], -1) {
			k, _ := strconv.Atoi(st[1])
			answered[m[1]] += k
		}
	}
	if sent == 0 || answered["set a setting"] == 0 || answered["switch provider"] == 0 {
		t.Fatalf("the soak sent %d requests (answered: %v), want every kind sent and settings and provider switches among them", sent, answered)
	}
	// Each client reads its snapshot and one event per setting written and
	// per provider switch, whatever else happened.
	m := regexp.MustCompile(`\| every event once, in order \| (\d+) events read, 0 clients broken: met \|`).FindStringSubmatch(report)
	if m == nil {
		t.Fatal("soak report lacks its event line, or a client saw a broken sequence")
	}
	events, _ := strconv.Atoi(m[1])
	if least := clients * (1 + answered["set a setting"] + answered["switch provider"]); events < least {
		t.Fatalf("the clients read %d events, want at least %d", events, least)
	}
}

// The cluster section's harness, in a short pass: real instances on fresh
// PostgreSQL databases (dropped after), a few clients and changes, both
// write runs and one kill of the leader; each table is printed with its
// figures and ratios, and what must hold whatever the machine (no change
// lost, no switch refused, no slot run twice) holds.
func TestClusterShortPass(t *testing.T) {
	var out bytes.Buffer
	err := report(&out, reportOptions{
		cluster:  clusterOptions{clients: 30, changes: 3, writers: 16, writeTime: 200 * time.Millisecond, kills: 1},
		sections: map[string]bool{"cluster": true},
	})
	s := out.String()
	t.Log(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Reproduce with `go tool task bench-cluster`",
		"## 6. Several instances on PostgreSQL", "| send to client, p50 |", "| p99 |",
		"| samples (client × change) | 60 | 30 | 90 |", "| changes a client never got | 0 of 90 |  | 0 of 90 |",
		"| streams the server ended | 0 |  | 0 |",
		"| ops/s | 1 |", "| ops/s | 16 |", "| errors | 16 | 0 of ", "| active providers each instance lists afterwards | 16 | 1 (",
		"| kills with no run within 30 s | 0 of 1 |", "| slots run twice | 0 | 0: met |",
		"one call per successful run, and at most one more per lost run: met",
		"| 1 | cluster-",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(s, "n/a") {
		t.Errorf("a baseline measured zero:\n%s", s)
	}
}
