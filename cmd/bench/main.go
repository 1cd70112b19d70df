// Command bench measures Switchboard on this machine and prints one
// Markdown report. Every figure stands beside a baseline measured in the
// same run, and the ratio between them is what to compare across machines.
// Everything talks only to 127.0.0.1 and ends by itself.
//
//	go run ./cmd/bench                  the full report (about 2 minutes)
//	go run ./cmd/bench -quick           a short pass, to check the harness
//	go run ./cmd/bench cluster          several instances on PostgreSQL (about 5 minutes)
//	go run ./cmd/bench soak -duration 10m -clients 1000
//
// Run it from the repository root: it builds cmd/switchboard to measure
// start-up and to soak the real binary.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

func main() {
	var err error
	switch {
	case len(os.Args) > 1 && os.Args[1] == "sse-clients":
		err = sseClients(os.Args[2:])
	case len(os.Args) > 1 && os.Args[1] == "cluster":
		err = reportMain(append([]string{"-only", "cluster"}, os.Args[2:]...), os.Stdout)
	case len(os.Args) > 1 && os.Args[1] == "soak":
		err = soakMain(os.Args[2:], os.Stdout)
	default:
		err = reportMain(os.Args[1:], os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// reportOptions sizes each section.
type reportOptions struct {
	conns               int
	loadTime, writeTime time.Duration
	clients             []int
	renders, rounds     int
	idle                time.Duration
	cluster             clusterOptions
	sections            map[string]bool
}

func reportMain(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	quick := fs.Bool("quick", false, "short runs and few clients: checks the harness, not the product")
	o := reportOptions{}
	fs.IntVar(&o.conns, "conns", 64, "connections for the API load")
	fs.DurationVar(&o.loadTime, "duration", 10*time.Second, "length of each API load run")
	fs.DurationVar(&o.writeTime, "write-time", 3*time.Second, "length of each write measurement")
	clients := fs.String("clients", "1000,10000", "SSE client counts")
	fs.IntVar(&o.renders, "renders", 200, "jobs page renders")
	fs.IntVar(&o.rounds, "rounds", 5, "start-up rounds")
	fs.DurationVar(&o.idle, "idle", 2*time.Second, "idle time before reading RSS")
	fs.IntVar(&o.cluster.clients, "cluster-clients", 1000, "cluster: SSE clients over the instances")
	fs.IntVar(&o.cluster.changes, "cluster-changes", 300, "cluster: setting changes timed to every client")
	fs.IntVar(&o.cluster.writers, "cluster-writers", 16, "cluster: concurrent provider switches")
	fs.DurationVar(&o.cluster.writeTime, "cluster-write-time", 5*time.Second, "cluster: length of the switch and raw PostgreSQL runs")
	fs.IntVar(&o.cluster.kills, "kills", 20, "cluster: SIGKILLs of the leader")
	only := fs.String("only", "api,writes,fanout,page,startup,wire", "sections to run; cluster (several instances on PostgreSQL; go run ./cmd/bench cluster) runs only when named")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	mutexProfile := fs.String("mutexprofile", "", "write a mutex contention profile of the whole run to this file")
	blockProfile := fs.String("blockprofile", "", "write a blocking profile of the whole run to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, p := range []struct {
		file, name string
		enable     func()
	}{
		{*mutexProfile, "mutex", func() { runtime.SetMutexProfileFraction(1) }},
		{*blockProfile, "block", func() { runtime.SetBlockProfileRate(int(time.Microsecond)) }},
	} {
		if p.file == "" {
			continue
		}
		p.enable()
		defer func() {
			if f, err := os.Create(p.file); err == nil {
				_ = pprof.Lookup(p.name).WriteTo(f, 0)
				f.Close()
			}
		}()
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *quick {
		o.loadTime, o.writeTime, *clients, o.renders, o.rounds, o.idle = 2*time.Second, 500*time.Millisecond, "200", 20, 2, 300*time.Millisecond
		o.cluster = clusterOptions{clients: 60, changes: 3, writers: 16, writeTime: 500 * time.Millisecond, kills: 2}
	}
	for _, s := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("-clients: %q is not a positive number", s)
		}
		o.clients = append(o.clients, n)
	}
	o.sections = map[string]bool{}
	for _, s := range strings.Split(*only, ",") {
		o.sections[strings.TrimSpace(s)] = true
	}
	return report(stdout, o)
}

func report(stdout io.Writer, o reportOptions) error {
	var w bytes.Buffer
	started := time.Now()
	fmt.Fprintf(&w, "# Switchboard benchmark report\n\n")
	fmt.Fprintf(&w, "%s · commit %s · %s · %s/%s · %d CPUs (%s) · GOMAXPROCS %d\n\n", started.UTC().Format("2006-01-02 15:04 MST"),
		commit(), runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel(), runtime.GOMAXPROCS(0))
	reproduce := "go tool task bench"
	if len(o.sections) == 1 && o.sections["cluster"] {
		reproduce = "go tool task bench-cluster"
	}
	fmt.Fprintf(&w, "Reproduce with `%s`. Each figure stands beside a baseline measured in the same run; "+
		"compare ratios, not absolute numbers, across machines. A ratio is Switchboard over the baseline: above 1× "+
		"is slower or bigger for times and memory, below 1× is less throughput for rates.\n\n", reproduce)
	steps := []struct {
		name string
		run  func() error
	}{
		{"api", func() error { return apiSection(&w, o.conns, o.loadTime) }},
		{"writes", func() error { return writesSection(&w, o.writeTime) }},
		{"fanout", func() error { return fanoutSection(&w, o.clients) }},
		{"page", func() error { return pageSection(&w, o.renders) }},
		{"startup", func() error {
			dir, err := os.MkdirTemp("", "switchboard-bin")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			progress("building binaries")
			sb, bare, err := buildBinaries(dir)
			if err != nil {
				return err
			}
			return startupSection(&w, binaries{sb, bare}, o.rounds, o.idle)
		}},
		{"cluster", func() error { return clusterSection(&w, o.cluster) }},
		{"wire", func() error { return wireSection(&w, o.renders) }},
	}
	for _, s := range steps {
		if !o.sections[s.name] {
			continue
		}
		if err := s.run(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	fmt.Fprintf(&w, "Measured in %s.\n", time.Since(started).Round(time.Second))
	_, err := stdout.Write(w.Bytes())
	return err
}

func progress(what string) { fmt.Fprintf(os.Stderr, "bench: %s\n", what) }

func commit() string {
	out, err := exec.Command("git", "describe", "--always", "--dirty").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
