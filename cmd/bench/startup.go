package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// bareSource is the baseline process: a Go net/http server that is ready
// as soon as it listens.
const bareSource = `package main

import (
	"fmt"
	"net"
	"net/http"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	http.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	http.Serve(ln, nil)
}
`

// buildBinaries builds cmd/switchboard and the bare server into dir.
func buildBinaries(dir string) (switchboard, bare string, err error) {
	switchboard, bare = filepath.Join(dir, "switchboard"), filepath.Join(dir, "bare")
	src := filepath.Join(dir, "bare.go")
	if err := os.WriteFile(src, []byte(bareSource), 0o644); err != nil {
		return "", "", err
	}
	for _, args := range [][]string{{"build", "-o", switchboard, "switchboard/cmd/switchboard"}, {"build", "-o", bare, src}} {
		cmd := exec.Command("go", args...)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return "", "", fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
		}
	}
	return switchboard, bare, nil
}

// process is a started server: its base URL, and the time from exec until
// its /readyz first answered 200.
type process struct {
	cmd   *exec.Cmd
	url   string
	lines []string // what it printed up to its address
	ready time.Duration
}

// startProcess runs bin and waits until it prints its address and answers
// /readyz; it polls every 200 µs, the resolution of the figure.
func startProcess(bin string, args, env []string) (*process, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = io.Discard
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd}
	lines := bufio.NewScanner(out)
	for p.url == "" && lines.Scan() {
		p.lines = append(p.lines, lines.Text())
		if _, rest, ok := strings.Cut(lines.Text(), "listening on "); ok {
			p.url = strings.TrimSpace(rest)
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	if p.url == "" {
		p.stop()
		return nil, fmt.Errorf("%s printed no address", bin)
	}
	client := &http.Client{Timeout: time.Second}
	for deadline := t0.Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Microsecond) {
		if resp, err := client.Get(p.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				p.ready = time.Since(t0)
				return p, nil
			}
		}
	}
	p.stop()
	return nil, fmt.Errorf("%s was not ready within 30 s", bin)
}

func (p *process) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

// memory is a process's resident set, whole and its anonymous part (heap,
// stacks, runtime: what the process itself allocated, as opposed to the
// pages of its executable), from /proc.
type memory struct{ rss, anon float64 }

func readMemory(pid int) (memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	var m memory
	for _, line := range strings.Split(string(b), "\n") {
		name, rest, _ := strings.Cut(line, ":")
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
		switch {
		case err != nil:
		case name == "VmRSS":
			m.rss = kb * 1024
		case name == "RssAnon":
			m.anon = kb * 1024
		}
	}
	if m.rss == 0 {
		return m, fmt.Errorf("no VmRSS for %d", pid)
	}
	return m, nil
}

// startupSection measures section 5: time from exec to a ready /readyz and
// the resident memory after idling, for the first start on an empty
// database and for restarts, beside the bare server.
func startupSection(w io.Writer, bins binaries, rounds int, idle time.Duration) error {
	dir, err := os.MkdirTemp("", "switchboard-startup")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	env := []string{"SWITCHBOARD_API_TOKEN=" + token, "SWITCHBOARD_ADMIN_PASSWORD=bench password 123", "SWITCHBOARD_LOG_LEVEL=warn"}
	measure := func(bin string, args []string) (ready time.Duration, mem memory, err error) {
		p, err := startProcess(bin, args, env)
		if err != nil {
			return 0, mem, err
		}
		defer p.stop()
		time.Sleep(idle) // idle, by definition: nothing to wait on
		mem, err = readMemory(p.cmd.Process.Pid)
		return p.ready, mem, err
	}
	var first, restart, base latencies
	var restartMem, baseMem []memory
	for i := range rounds {
		progress(fmt.Sprintf("start-up: round %d of %d", i+1, rounds))
		db := filepath.Join(dir, fmt.Sprintf("s%d.db", i))
		args := []string{"-addr", "127.0.0.1:0", "-db", db}
		d, _, err := measure(bins.switchboard, args)
		if err != nil {
			return err
		}
		first = append(first, d)
		d, m, err := measure(bins.switchboard, args)
		if err != nil {
			return err
		}
		restart, restartMem = append(restart, d), append(restartMem, m)
		d, m, err = measure(bins.bare, nil)
		if err != nil {
			return err
		}
		base, baseMem = append(base, d), append(baseMem, m)
	}
	first, restart, base = first.sorted(), restart.sorted(), base.sorted()
	median := func(ms []memory, of func(memory) float64) float64 {
		v := make([]float64, len(ms))
		for i, m := range ms {
			v[i] = of(m)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	rssOf, anonOf := func(m memory) float64 { return m.rss }, func(m memory) float64 { return m.anon }
	medRSS, medBase := median(restartMem, rssOf), median(baseMem, rssOf)
	medAnon, medBaseAnon := median(restartMem, anonOf), median(baseMem, anonOf)
	fmt.Fprintf(w, "## 5. Start-up and idle memory\n\n")
	fmt.Fprintf(w, "The built binary, from exec until `/readyz` answers 200 (migrations checked, scheduler started), "+
		"median of %d; the first start also migrates an empty database, seeds the catalogue and hashes the first "+
		"admin's password. Idle memory is the resident set %s after a restart. The baseline is a minimal Go "+
		"net/http server.\n\n", rounds, idle)
	t := table{head: []string{"measure", "Switchboard", "bare server", "ratio", "target"}}
	t.add("first start to ready", ms(first.q(0.5)), ms(base.q(0.5)), ratio(float64(first.q(0.5)), float64(base.q(0.5))), "")
	t.add("restart to ready", ms(restart.q(0.5)), ms(base.q(0.5)), ratio(float64(restart.q(0.5)), float64(base.q(0.5))),
		"< 300 ms: "+met(restart.q(0.5) < 300*time.Millisecond && first.q(0.5) < 300*time.Millisecond))
	t.add("idle RSS", fmt.Sprintf("%.1f MB", medRSS/1e6), fmt.Sprintf("%.1f MB", medBase/1e6), ratio(medRSS, medBase), "< 40 MB: "+met(medRSS < 40e6))
	t.add("of which anonymous (heap, stacks, runtime)", fmt.Sprintf("%.1f MB", medAnon/1e6), fmt.Sprintf("%.1f MB", medBaseAnon/1e6), ratio(medAnon, medBaseAnon), "")
	t.write(w)
	return nil
}

type binaries struct{ switchboard, bare string }
