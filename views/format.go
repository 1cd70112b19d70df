package views

import (
	"strconv"
	"strings"
)

func itoa(n int) string     { return strconv.Itoa(n) }
func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func joinComma(s []string) string { return strings.Join(s, ", ") }
