package main

import (
	"os"
	"path/filepath"
	"testing"
)

// Every mutant's header parses, names test runs, and its patch still
// applies to the tree: a stale mutant fails here, long before the harness
// runs.
func TestEveryMutantParsesAndApplies(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	mutants, err := loadMutants(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mutants {
		t.Run(m.name, func(t *testing.T) {
			for _, r := range m.tests {
				if _, err := os.Stat(filepath.Join(root, r.pkg)); err != nil {
					t.Errorf("Test %s: no package %s", r, r.pkg)
				}
			}
			patch, _ := filepath.Abs(m.patch)
			if out, err := git(root, "apply", "--check", patch); err != nil {
				t.Errorf("the patch no longer applies: %s", out)
			}
		})
	}
}

func TestParseMutantRefusesBadHeaders(t *testing.T) {
	diff := "diff --git a/x.go b/x.go\n--- a/x.go\n+++ b/x.go\n@@ -1 +1 @@\n-a\n+b\n"
	tests := []struct {
		name, header string
		ok           bool
	}{
		{"complete", "Scenario: 2\nBreaks: x\nTest: ./hub/ ^TestX$ -race -count=3\n\n", true},
		{"no test", "Scenario: 2\nBreaks: x\n\n", false},
		{"no scenario", "Breaks: x\nTest: ./hub/ ^TestX$\n\n", false},
		{"unknown key", "Scenario: 2\nBreaks: x\nTest: ./hub/ ^TestX$\nOwner: me\n\n", false},
		{"bad regexp", "Scenario: 2\nBreaks: x\nTest: ./hub/ ^Test(\n\n", false},
		{"bad flag", "Scenario: 2\nBreaks: x\nTest: ./hub/ ^TestX$ -exec=rm\n\n", false},
		{"package not relative", "Scenario: 2\nBreaks: x\nTest: switchboard/hub ^TestX$\n\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.patch")
			if err := os.WriteFile(path, []byte(tt.header+diff), 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := parseMutant(path)
			if (err == nil) != tt.ok {
				t.Fatalf("got %+v, %v; want ok=%v", m, err, tt.ok)
			}
		})
	}
}
