// Accessibility in the browser tests: axe-core, pinned and kept as a test
// asset (testdata/axe), run against each page in each state the browser
// tests reach, failing on any violation of WCAG 2.0/2.1 A and AA.

package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

var axeDir = filepath.Join("testdata", "axe")

var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(filepath.Join(axeDir, "axe.min.js"))
	return string(b), err
})

// TestAxeAssetChecksum pins the axe-core the tests inject: a changed file
// is a changed auditor, to be upgraded on purpose (testdata/axe/README.md).
func TestAxeAssetChecksum(t *testing.T) {
	want, err := os.ReadFile(filepath.Join(axeDir, "axe.min.js.sha256"))
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(want))
	if len(fields) != 2 || fields[1] != "axe.min.js" {
		t.Fatalf("axe.min.js.sha256 is not a sha256sum line for axe.min.js: %q", want)
	}
	src, err := axeSource()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(src))
	if got := hex.EncodeToString(sum[:]); got != fields[0] {
		t.Fatalf("testdata/axe/axe.min.js has SHA-256 %s, pinned %s", got, fields[0])
	}
	if !strings.HasPrefix(src, "/*! axe v4.14.") {
		t.Fatalf("testdata/axe/axe.min.js is not axe-core 4.14: %.40q", src)
	}
	if _, err := os.Stat(filepath.Join(axeDir, "LICENSE")); err != nil {
		t.Fatalf("axe-core's licence must travel with it: %v", err)
	}
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// audit runs axe-core on the page as it is now and fails the test with
// every WCAG 2.0/2.1 A or AA violation. The page's Content-Security-Policy
// forbids inline scripts, but Runtime.evaluate is not subject to it, so
// nothing is served to users for the audit.
func audit(t *testing.T, ctx context.Context, state string) {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		t.Fatal(err)
	}
	if !evalJS[bool](t, ctx, `typeof window.axe === 'object'`) {
		do(t, ctx, "inject axe-core", chromedp.Evaluate[chromedp.Void](src+"\n;undefined"))
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {
		runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
		// A best practice only, but a header without text leaves a column
		// unnamed to a screen reader (issue 18, item 3).
		rules: {'empty-table-header': {enabled: true}},
		resultTypes: ['violations'],
	}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe on %s: %v", state, err)
	}
	var violations []axeViolation
	if err := json.Unmarshal([]byte(res), &violations); err != nil {
		t.Fatalf("axe on %s: %v", state, err)
	}
	for _, v := range violations {
		var nodes []string
		for _, n := range v.Nodes {
			nodes = append(nodes, fmt.Sprintf("%v: %s", n.Target, strings.ReplaceAll(n.Summary, "\n", " ")))
		}
		t.Errorf("axe, %s: %s (%s) %s\n\t%s", state, v.ID, v.Impact, v.Help, strings.Join(nodes, "\n\t"))
	}
}
