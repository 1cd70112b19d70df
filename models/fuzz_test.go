package models

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

// FuzzParseSchedule: any body either fails with a ValidationError or yields a
// schedule that stores, decodes back to itself and that cron accepts.
func FuzzParseSchedule(f *testing.F) {
	for _, seed := range []string{
		`{"trigger":"cron","hour":8,"minute":30,"day_of_week":"mon-fri"}`,
		`{"trigger":"interval","minutes":15}`,
		`{"trigger":"date","run_date":"2030-01-01T09:00:00Z"}`,
		`{"trigger":"cron","expression":"*/5 * * * *"}`,
		`{"trigger":"cron","day_of_week":"sat-sun,1"}`,
		`{"trigger":"cron","hour":"9","minute":"-0"}`,
		`{"trigger":"interval","weeks":52560000}`,
		`{"trigger":"cron","month":2,"day":30}`,
	} {
		f.Add(seed)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	p := cron.NewParser(cron.Second | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)
	f.Fuzz(func(t *testing.T, body string) {
		var args map[string]json.RawMessage
		if json.Unmarshal([]byte(body), &args) != nil {
			return
		}
		var trigger string
		_ = json.Unmarshal(args["trigger"], &trigger)
		delete(args, "trigger")
		s, err := parseScheduleJSON(trigger, args, time.UTC, now)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Message == "" {
				t.Fatalf("error is not a ValidationError with a message: %v", err)
			}
			return
		}
		back, err := DecodeSchedule(s.Trigger, s.ArgsJSON(), time.UTC)
		if err != nil || back.ArgsJSON() != s.ArgsJSON() {
			t.Fatalf("round trip of %s: %v %s", s.ArgsJSON(), err, back.ArgsJSON())
		}
		switch s.Trigger {
		case TriggerCron:
			spec, seconds := s.Cron.Crontab()
			if seconds {
				_, err = p.Parse(spec)
			} else {
				_, err = cron.ParseStandard(spec)
			}
			if err != nil {
				t.Fatalf("accepted %s but cron rejects %q: %v", body, spec, err)
			}
		case TriggerInterval:
			if s.Interval < time.Second || s.Interval > MaxInterval {
				t.Fatalf("interval %v out of bounds", s.Interval)
			}
		case TriggerDate:
			if !s.RunDate.After(now) {
				t.Fatalf("accepted a past date %v", s.RunDate)
			}
		}
		if s.Describe(time.UTC) == "" {
			t.Fatal("empty description")
		}
	})
}

// FuzzValidateJobID: an accepted id is 1–64 bytes of letters, digits, '_'
// and '-', and nothing else is accepted.
func FuzzValidateJobID(f *testing.F) {
	for _, seed := range []string{"morning_briefing", "a-b", "", "a;b", "a/b", "../etc", "x\x00", "é"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		safe := len(id) >= 1 && len(id) <= 64
		for _, c := range []byte(id) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
				safe = false
			}
		}
		if err := ValidateJobID(id); (err == nil) != safe {
			t.Fatalf("ValidateJobID(%q) = %v, want valid=%v", id, err, safe)
		}
	})
}

// FuzzValidateSetting: any key and value are either refused with a
// ValidationError, or normalised to a value that validates to itself.
func FuzzValidateSetting(f *testing.F) {
	for _, seed := range [][2]string{
		{"scheduler.timezone", "Europe/Paris"}, {"scheduler.timezone", " Local "}, {"scheduler.timezone", "../../etc/passwd"},
		{"history.retention_days", "30"}, {"history.retention_days", "+007"}, {"history.retention_days", "3651"},
		{"ui.theme", "dark"}, {"internal.secret", "x"}, {"Bad Key", "v"}, {"ui.note", "\xff\xfe"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, key, value string) {
		v, err := ValidateSetting(key, value)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Message == "" {
				t.Fatalf("error is not a ValidationError with a message: %v", err)
			}
			return
		}
		if len(v) > 4096 {
			t.Fatalf("accepted a value of %d bytes", len(v))
		}
		again, err := ValidateSetting(key, v)
		if err != nil || again != v {
			t.Fatalf("%q normalised to %q, which validates to %q, %v", value, v, again, err)
		}
	})
}
