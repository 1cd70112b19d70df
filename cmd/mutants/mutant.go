package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// mutant is one broken invariant: a patch and the tests that must fail
// with it applied.
type mutant struct {
	name     string // the file name without .patch
	scenario string // the acceptance scenario(s) it breaks
	breaks   string // what the invariant is and how the patch breaks it
	tests    []testRun
	patch    string // path of the .patch file
}

// testRun is one `go test` run that must fail against the mutant.
type testRun struct {
	pkg, run string
	flags    []string // extra go test flags: -race, -count=N, -timeout=D
}

func (r testRun) String() string {
	return strings.TrimSpace(fmt.Sprintf("%s %s %s", r.pkg, r.run, strings.Join(r.flags, " ")))
}

var allowedFlag = regexp.MustCompile(`^-(race|count=[1-9][0-9]*|timeout=[0-9]+[smh])$`)

// parseMutant reads a patch file: "Key: value" lines (Scenario, Breaks, one
// or more Test), a blank line, then a unified diff, which git apply reads
// past the header.
func parseMutant(path string) (mutant, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return mutant{}, err
	}
	m := mutant{name: strings.TrimSuffix(filepath.Base(path), ".patch"), patch: path}
	head, _, ok := bytes.Cut(raw, []byte("\ndiff --git "))
	if !ok {
		return m, fmt.Errorf("%s: no diff after the header", path)
	}
	for _, line := range strings.Split(string(head), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		key, value, ok := strings.Cut(line, ": ")
		if !ok {
			return m, fmt.Errorf("%s: header line %q is not \"Key: value\"", path, line)
		}
		switch key {
		case "Scenario":
			m.scenario = value
		case "Breaks":
			m.breaks = value
		case "Test":
			f := strings.Fields(value)
			if len(f) < 2 || !strings.HasPrefix(f[0], "./") {
				return m, fmt.Errorf("%s: Test %q: want ./package/ regexp [flags]", path, value)
			}
			if _, err := regexp.Compile(f[1]); err != nil {
				return m, fmt.Errorf("%s: Test %q: %v", path, value, err)
			}
			for _, flag := range f[2:] {
				if !allowedFlag.MatchString(flag) {
					return m, fmt.Errorf("%s: Test %q: flag %s is not -race, -count=N or -timeout=D", path, value, flag)
				}
			}
			m.tests = append(m.tests, testRun{pkg: f[0], run: f[1], flags: f[2:]})
		default:
			return m, fmt.Errorf("%s: unknown header %q (want Scenario, Breaks, Test)", path, key)
		}
	}
	if m.scenario == "" || m.breaks == "" || len(m.tests) == 0 {
		return m, fmt.Errorf("%s: the header needs Scenario, Breaks and at least one Test", path)
	}
	return m, nil
}

// loadMutants parses every testdata/mutants/*.patch under root, by name.
func loadMutants(root string) ([]mutant, error) {
	paths, err := filepath.Glob(filepath.Join(root, "testdata", "mutants", "*.patch"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no mutants in %s", filepath.Join(root, "testdata", "mutants"))
	}
	var out []mutant
	for _, p := range paths {
		m, err := parseMutant(p)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}
