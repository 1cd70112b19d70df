package models

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Value is one field of a request as it was written: its text, and whether
// it was bare rather than quoted. Every field of a form is quoted text; a
// script may write 5 or "5" where a number is asked for (both are taken),
// but a crontab line or a date must be text, and a flag must be a bare
// true or false. Handlers fill Values from whatever they decode, so the
// rules below hold for a form and a script alike.
type Value struct {
	Text string
	Bare bool // a number, true, false, null, an object or an array
}

// Text is a value written as text, as every form field is.
func Text(s string) *Value { return &Value{Text: s} }

// Bare is a value written as a literal (a JSON number, true, null…).
func Bare(literal string) *Value { return &Value{Text: literal, Bare: true} }

// Flag is a true or false, written as a literal.
func Flag(b bool) *Value { return Bare(strconv.FormatBool(b)) }

var integerText = regexp.MustCompile(`^-?[0-9]{1,12}$`)

// integer reads a whole number written bare or as text ("9").
func (v Value) integer() (int, bool) {
	if !integerText.MatchString(v.Text) {
		return 0, false
	}
	n, err := strconv.Atoi(v.Text)
	return n, err == nil
}

// flag reads a bare true or false.
func (v Value) flag() (b, ok bool) {
	return v.Text == "true", v.Bare && (v.Text == "true" || v.Text == "false")
}

// text reads a field that must be text of min to max characters, trimmed.
func text(v *Value, field string, min, max int) (string, error) {
	if v.Bare {
		return "", Invalid(field, "Field %q must be a string.", field)
	}
	s := strings.TrimSpace(v.Text)
	if n := utf8.RuneCountInString(s); n < min || n > max {
		if min > 0 && n == 0 {
			return "", Invalid(field, "Field %q must not be empty.", field)
		}
		return "", Invalid(field, "Field %q must be at most %d characters.", field, max)
	}
	return s, nil
}

// storedArgs reads a schedule's stored arguments (written by ArgsJSON:
// whole numbers and strings) as Values.
func storedArgs(argsJSON string) (map[string]Value, error) {
	var raw map[string]any
	dec := json.NewDecoder(strings.NewReader(argsJSON))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	args := make(map[string]Value, len(raw))
	for k, v := range raw {
		switch v := v.(type) {
		case string:
			args[k] = Value{Text: v}
		case json.Number:
			args[k] = Value{Text: v.String(), Bare: true}
		default:
			return nil, fmt.Errorf("argument %q is %T, not a number or a string", k, v)
		}
	}
	return args, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
