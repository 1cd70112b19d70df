package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestImportsPointOneWay: the packages stand on floors, cmd → handlers →
// scheduler → models (providers stands beside scheduler, on models and
// ai), and the leaves (views, hub, ai and the small seams)
// import nothing of ours; an arrow back up, or a leaf that starts to know
// the domain, fails here rather than in a review (issue 14).
func TestImportsPointOneWay(t *testing.T) {
	allowed := map[string][]string{
		"switchboard/models":    {},
		"switchboard/scheduler": {"switchboard/models", "switchboard/egress"},
		"switchboard/handlers": {"switchboard/scheduler", "switchboard/models", "switchboard/views", "switchboard/hub",
			"switchboard/ai", "switchboard/metrics", "switchboard/static", "switchboard/providers"},
		"switchboard/providers": {"switchboard/models", "switchboard/ai"},
		"switchboard/views":     {}, "switchboard/hub": {}, "switchboard/ai": {}, "switchboard/egress": {},
		"switchboard/secrets": {}, "switchboard/metrics": {}, "switchboard/static": {},
	}
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "switchboard/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, imports := fields[0], fields[1:]
		if strings.HasPrefix(pkg, "switchboard/cmd/") || strings.HasSuffix(pkg, "/modeltest") {
			continue // commands wire everything; modeltest is tests' own
		}
		ok, known := allowed[pkg]
		if !known {
			t.Errorf("%s has no floor in this test: give it one", pkg)
			continue
		}
		seen++
		for _, imp := range imports {
			if strings.HasPrefix(imp, "switchboard/") && !slices.Contains(ok, imp) {
				t.Errorf("%s imports %s: against the floors", pkg, imp)
			}
		}
	}
	if seen < len(allowed) {
		t.Errorf("go list named %d of the %d packages with floors", seen, len(allowed))
	}
}
