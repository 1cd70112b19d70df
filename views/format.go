package views

import (
	"strconv"
	"strings"
)

func itoa(n int) string     { return strconv.Itoa(n) }
func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// thousands writes n with a comma between groups of three digits, 1,000.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// lastRuns is "the last run" or "the last N runs".
func lastRuns(n int) string {
	if n == 1 {
		return "the last run"
	}
	return "the last " + strconv.Itoa(n) + " runs"
}

func joinComma(s []string) string { return strings.Join(s, ", ") }
