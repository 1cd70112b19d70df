package main

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The wire section in a short pass: every answer it names is measured both
// ways, and gzip puts fewer bytes on the wire for each.
func TestWireShortPass(t *testing.T) {
	var out bytes.Buffer
	if err := report(&out, reportOptions{renders: 3, sections: map[string]bool{"wire": true}}); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	t.Log(s)
	if !strings.Contains(s, "## 7. Bytes on the wire") || strings.Contains(s, "n/a") {
		t.Fatalf("report lacks the wire section or a figure:\n%s", s)
	}
	rows := regexp.MustCompile("(?m)^\\| `[^|]*\\| (\\d+) bytes[^|]*\\| (\\d+) bytes[^|]*\\| ([0-9.]+)× \\|$").FindAllStringSubmatch(s, -1)
	if len(rows) != 4 {
		t.Fatalf("got %d rows of bytes, want 4:\n%s", len(rows), s)
	}
	for _, r := range rows {
		if f, err := strconv.ParseFloat(r[3], 64); err != nil || f >= 1 {
			t.Errorf("gzip did not shrink an answer: %s", r[0])
		}
	}
	if !strings.Contains(s, "| `GET /jobs`, 1,000 jobs | ") {
		t.Errorf("report lacks the server time of the page")
	}
}
