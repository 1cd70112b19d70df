// Command mutants breaks Switchboard on purpose and checks that the tests
// notice. Each testdata/mutants/NAME.patch breaks one invariant; its header
// names the acceptance scenario, what breaks, and the test runs that must
// catch it:
//
//	Scenario: 2
//	Breaks: a paused job leaves gocron. Here ...
//	Test: ./scheduler/ ^TestAcceptanceConcurrentPauseResume$
//	Test: ./handlers/ ^TestHTTPAcceptanceConcurrentPauseResume$ -race -count=3
//
// The command copies the tree (tracked and untracked files, not ignored
// ones) to a temporary folder once, then for each mutant applies its patch
// with git apply, runs each Test line as `go test -run`, and puts the files
// back. Every Test line must fail: a passing one means the mutant survived.
// It exits non-zero if any mutant survives, a patch no longer applies, or a
// mutant does not build.
//
//	go run ./cmd/mutants [-run REGEXP] [-keep]
package main

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mutants:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("mutants", flag.ContinueOnError)
	only := fs.String("run", "", "run only the mutants whose name matches this regexp")
	keep := fs.Bool("keep", false, "keep the temporary copy of the tree")
	if err := fs.Parse(args); err != nil {
		return err
	}
	filter, err := regexp.Compile(*only)
	if err != nil {
		return err
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return errors.New("run it from the module root")
	}
	all, err := loadMutants(root)
	if err != nil {
		return err
	}
	var mutants []mutant
	for _, m := range all {
		if filter.MatchString(m.name) {
			mutants = append(mutants, m)
		}
	}
	// The copy goes to the same path every time: Go's build cache keys a
	// package on its folder, so a stable path lets one run reuse what the
	// last one compiled.
	tmp := filepath.Join(os.TempDir(), fmt.Sprintf("switchboard-mutants-%x", sha256.Sum256([]byte(root)))[:40])
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if *keep {
		fmt.Fprintln(stdout, "copy of the tree:", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	if err := copyTree(root, tmp); err != nil {
		return err
	}
	start := time.Now()
	var failed []string
	for _, m := range mutants {
		fmt.Fprintf(stdout, "%s (scenario %s)\n", m.name, m.scenario)
		for _, r := range try(tmp, m) {
			fmt.Fprintf(stdout, "  %-8s %s  %s  %s\n", r.verdict, r.run, r.took.Round(100*time.Millisecond), r.detail)
			if r.verdict != killed {
				failed = append(failed, fmt.Sprintf("%s: %s %s", m.name, r.verdict, r.run))
			}
		}
	}
	fmt.Fprintf(stdout, "%d mutants in %s\n", len(mutants), time.Since(start).Round(time.Second))
	if len(failed) > 0 {
		return fmt.Errorf("%d failures:\n  %s", len(failed), strings.Join(failed, "\n  "))
	}
	return nil
}

const (
	killed   = "killed"
	survived = "SURVIVED"
	broken   = "BROKEN" // the patch does not apply or the mutant does not build
)

type result struct {
	run     string
	verdict string
	detail  string
	took    time.Duration
}

// try applies m to the copy at dir, runs its tests and restores the files.
func try(dir string, m mutant) []result {
	patch, err := filepath.Abs(m.patch)
	if err != nil {
		return []result{{run: "apply", verdict: broken, detail: err.Error()}}
	}
	out, err := git(dir, "apply", "--numstat", patch)
	if err != nil {
		return []result{{run: "apply", verdict: broken, detail: out}}
	}
	originals := map[string][]byte{} // nil: the patch creates the file
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		path := filepath.Join(dir, f[len(f)-1])
		b, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			return []result{{run: "apply", verdict: broken, detail: err.Error()}}
		}
		originals[path] = b
	}
	if out, err := git(dir, "apply", patch); err != nil {
		return []result{{run: "apply", verdict: broken, detail: "the patch no longer applies: " + out}}
	}
	defer func() {
		for path, b := range originals {
			if b == nil {
				os.Remove(path)
			} else if err := os.WriteFile(path, b, 0o644); err != nil {
				panic(err) // the copy is no longer the tree: stop rather than test the wrong thing
			}
		}
	}()
	var results []result
	for _, t := range m.tests {
		results = append(results, goTest(dir, t))
	}
	return results
}

var (
	failLine  = regexp.MustCompile(`(?m)^\s*--- FAIL: (\S+)`)
	buildFail = regexp.MustCompile(`\[(build|setup) failed\]`)
)

// goTest runs one Test line in dir and judges it: a failing test kills the
// mutant; a pass, or no test matching, lets it survive.
func goTest(dir string, t testRun) result {
	args := append([]string{"test", "-count=1", "-timeout=3m"}, t.flags...)
	args = append(args, "-run", t.run, t.pkg)
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	r := result{run: t.String(), took: time.Since(start)}
	text := out.String()
	var exit *exec.ExitError
	switch {
	case buildFail.MatchString(text):
		r.verdict, r.detail = broken, "does not build:\n"+indent(text)
	case err == nil && strings.Contains(text, "[no tests to run]"):
		r.verdict, r.detail = broken, "no test matches "+t.run
	case err == nil:
		r.verdict, r.detail = survived, "every test passed"
	case !errors.As(err, &exit):
		r.verdict, r.detail = broken, err.Error()
	case strings.Contains(text, "panic: test timed out"):
		r.verdict, r.detail = killed, "by the test timeout (a deadlock)"
	case failLine.MatchString(text):
		r.verdict, r.detail = killed, "by "+failLine.FindStringSubmatch(text)[1]
	default:
		r.verdict, r.detail = killed, "go test failed:\n"+indent(lastLines(text, 10))
	}
	return r
}

// copyTree copies the files git knows of, tracked or not (but not ignored),
// from root to dst: the tree as it stands, uncommitted changes included.
func copyTree(root, dst string) error {
	out, err := git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	if err != nil {
		return fmt.Errorf("git ls-files: %s", out)
	}
	for _, rel := range strings.Split(strings.TrimRight(out, "\x00"), "\x00") {
		src := filepath.Join(root, rel)
		info, err := os.Lstat(src)
		if os.IsNotExist(err) {
			continue // deleted but not yet committed
		}
		if err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			continue
		}
		b, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(to, b, info.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}

// git runs git in dir. GIT_CEILING_DIRECTORIES keeps git apply in a
// temporary copy from finding a repository above it.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CEILING_DIRECTORIES="+filepath.Dir(dir))
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func indent(s string) string {
	return "      " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n      ")
}
