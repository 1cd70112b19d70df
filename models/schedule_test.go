package models

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func parseBody(t *testing.T, body string) (string, map[string]json.RawMessage) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("bad test body %s: %v", body, err)
	}
	var trigger string
	if raw, ok := m["trigger"]; ok {
		_ = json.Unmarshal(raw, &trigger)
	}
	delete(m, "trigger")
	return trigger, m
}

func TestParseScheduleAccepts(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		body     string
		args     string // normalised, as JSON
		crontab  string
		describe string
	}{
		{`{"trigger":"interval","minutes":15}`, `{"seconds":900}`, "", "Every 15 minutes"},
		{`{"trigger":"interval","hours":2}`, `{"seconds":7200}`, "", "Every 2 hours"},
		{`{"trigger":"interval","minutes":"60"}`, `{"seconds":3600}`, "", "Every hour"},
		{`{"trigger":"interval","minutes":1,"seconds":30}`, `{"seconds":90}`, "", "Every 90 seconds"},
		{`{"trigger":"cron","hour":8,"minute":30,"day_of_week":"mon-fri"}`, `{"day_of_week":"mon-fri","hour":8,"minute":30}`, "0 30 8 * * 1,2,3,4,5", "Weekdays at 08:30"},
		{`{"trigger":"cron","day_of_week":"sun","hour":20,"minute":0}`, `{"day_of_week":"sun","hour":20,"minute":0}`, "0 0 20 * * 0", "Sundays at 20:00"},
		{`{"trigger":"cron","hour":9,"minute":0}`, `{"hour":9,"minute":0}`, "0 0 9 * * *", "Daily at 09:00"},
		{`{"trigger":"cron","hour":"9"}`, `{"hour":9}`, "0 0 9 * * *", "Daily at 09:00"},
		{`{"trigger":"cron","minute":0}`, `{"minute":0}`, "0 0 * * * *", "Hourly at :00"},
		{`{"trigger":"cron","minute":59}`, `{"minute":59}`, "0 59 * * * *", "Hourly at :59"},
		{`{"trigger":"cron","day_of_week":"SAT-sun","hour":10}`, `{"day_of_week":"sat-sun","hour":10}`, "0 0 10 * * 0,6", "Weekends at 10:00"},
		{`{"trigger":"cron","day_of_week":0,"hour":10}`, `{"day_of_week":"mon","hour":10}`, "0 0 10 * * 1", "Mondays at 10:00"},
		{`{"trigger":"cron","day":1,"hour":6}`, `{"day":1,"hour":6}`, "0 0 6 1 * *", "Monthly on day 1 at 06:00"},
		{`{"trigger":"cron","month":6}`, `{"month":6}`, "0 0 0 1 6 *", "Yearly on Jun 1 at 00:00"},
		{`{"trigger":"cron","expression":"*/5  * * * *"}`, `{"expression":"*/5 * * * *"}`, "*/5 * * * *", "Cron */5 * * * *"},
		{`{"trigger":"date","run_date":"2027-01-02T03:04:05+01:00"}`, `{"run_date":"2027-01-02T03:04:05+01:00"}`, "", "Once on 2027-01-02 at 02:04"},
		// Edges: the last weekday number, a one-day range, the longest
		// intervals, and which fields a partial cron fills in.
		{`{"trigger":"cron","day_of_week":6,"hour":7}`, `{"day_of_week":"sun","hour":7}`, "0 0 7 * * 0", "Sundays at 07:00"},
		{`{"trigger":"cron","day_of_week":"mon-mon","minute":5}`, `{"day_of_week":"mon-mon","minute":5}`, "0 5 * * * 1", "On mon-mon hourly at :05"},
		{`{"trigger":"cron","day_of_week":"mon"}`, `{"day_of_week":"mon"}`, "0 0 0 * * 1", "Mondays at 00:00"},
		{`{"trigger":"cron","second":30}`, `{"second":30}`, "30 * * * * *", "Every minute at :30"},
		{`{"trigger":"cron","day":15}`, `{"day":15}`, "0 0 0 15 * *", "Monthly on day 15 at 00:00"},
		{`{"trigger":"cron","month":3,"minute":15}`, `{"minute":15,"month":3}`, "0 15 * * 3 *", "Daily in Mar hourly at :15"},
		{`{"trigger":"interval","days":2}`, `{"seconds":172800}`, "", "Every 2 days"},
		{`{"trigger":"interval","weeks":5214}`, `{"seconds":3153427200}`, "", "Every 5214 weeks"},
		{`{"trigger":"interval","minutes":52560000}`, `{"seconds":3153600000}`, "", "Every 36500 days"},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			trigger, args := parseBody(t, tt.body)
			s, err := parseScheduleJSON(trigger, args, time.UTC, now)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			var got, want any
			_ = json.Unmarshal([]byte(s.ArgsJSON()), &got)
			_ = json.Unmarshal([]byte(tt.args), &want)
			if gb, wb := mustJSON(got), mustJSON(want); gb != wb {
				t.Errorf("args: got %s, want %s", gb, wb)
			}
			if tt.crontab != "" {
				if got, _ := s.Cron.Crontab(); got != tt.crontab {
					t.Errorf("crontab: got %q, want %q", got, tt.crontab)
				}
			}
			if got := s.Describe(time.UTC); got != tt.describe {
				t.Errorf("describe: got %q, want %q", got, tt.describe)
			}
			// What is stored decodes back to the same schedule.
			back, err := DecodeSchedule(s.Trigger, s.ArgsJSON(), time.UTC)
			if err != nil || back.ArgsJSON() != s.ArgsJSON() {
				t.Errorf("round trip: got %s (%v), want %s", back.ArgsJSON(), err, s.ArgsJSON())
			}
		})
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestParseScheduleRejects(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		body string
		want string // substring of the message
	}{
		{`{}`, `Request body must include "trigger" (cron or interval).`},
		{`{"trigger":"weekly"}`, "Invalid trigger type: weekly. Must be one of: cron, interval, date"},
		{`{"trigger":"cron"}`, "needs at least one of"},
		{`{"trigger":"cron","hour":25}`, `"hour": 25 is out of range 0–23`},
		{`{"trigger":"cron","minute":60}`, `"minute": 60 is out of range 0–59`},
		{`{"trigger":"cron","minute":-1}`, `"minute": -1 is out of range`},
		{`{"trigger":"cron","second":60}`, `"second"`},
		{`{"trigger":"cron","day":0}`, `"day": 0 is out of range 1–31`},
		{`{"trigger":"cron","month":13}`, `"month"`},
		{`{"trigger":"cron","hour":1.5}`, `"hour": must be an integer`},
		{`{"trigger":"cron","hour":"nine"}`, `"hour": must be an integer`},
		{`{"trigger":"cron","hour":true}`, `"hour": must be an integer`},
		{`{"trigger":"cron","hour":null}`, `"hour": must be an integer`},
		{`{"trigger":"cron","hour":[1]}`, `"hour": must be an integer`},
		{`{"trigger":"cron","hours":1}`, `Unknown cron field "hours"`},
		{`{"trigger":"cron","day_of_week":"funday"}`, `"day_of_week"`},
		{`{"trigger":"cron","day_of_week":"fri-mon"}`, `"day_of_week"`},
		{`{"trigger":"cron","day_of_week":7}`, `"day_of_week"`},
		{`{"trigger":"cron","day":1,"day_of_week":"mon"}`, `cannot be combined`},
		{`{"trigger":"cron","month":2,"day":31}`, "never fires"},
		{`{"trigger":"cron","expression":"* * *"}`, "5 fields"},
		{`{"trigger":"cron","expression":"61 * * * *"}`, `"expression"`},
		{`{"trigger":"cron","expression":"* * * * *","hour":1}`, "cannot be combined"},
		{`{"trigger":"cron","expression":5}`, "must be a string"},
		{`{"trigger":"interval"}`, "needs at least one of"},
		{`{"trigger":"interval","minutes":0}`, "out of range 1–52,560,000"},
		{`{"trigger":"interval","minutes":52560001}`, "out of range 1–52,560,000"},
		{`{"trigger":"interval","weeks":52560000}`, "at most 100 years"},
		{`{"trigger":"interval","weeks":5215}`, "at most 100 years"},
		{`{"trigger":"interval","minutes":52560000,"seconds":1}`, "at most 100 years"},
		{`{"trigger":"interval","minutes":"x"}`, "must be an integer"},
		{`{"trigger":"interval","minutes":1.5}`, "must be an integer"},
		{`{"trigger":"interval","fortnights":1}`, `Unknown interval field "fortnights"`},
		{`{"trigger":"date"}`, `needs "run_date"`},
		{`{"trigger":"date","run_date":"2020-01-01T00:00:00Z"}`, "not in the future"},
		{`{"trigger":"date","run_date":"tomorrow"}`, "not an ISO 8601"},
		{`{"trigger":"date","run_date":"2027-01-01T00:00:00Z","hour":1}`, `Unknown date field "hour"`},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			trigger, args := parseBody(t, tt.body)
			_, err := parseScheduleJSON(trigger, args, time.UTC, now)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a ValidationError", err)
			}
			if !strings.Contains(ve.Message, tt.want) {
				t.Errorf("message: got %q, want it to contain %q", ve.Message, tt.want)
			}
		})
	}
}

func TestValidateJobID(t *testing.T) {
	for _, id := range []string{"a", "A-b_9", strings.Repeat("x", 64)} {
		if err := ValidateJobID(id); err != nil {
			t.Errorf("%q: got %v, want valid", id, err)
		}
	}
	for _, id := range []string{"", strings.Repeat("x", 65), "a;b", "a'b", "a/b", "a b", "é", "a\nb", "../x"} {
		err := ValidateJobID(id)
		want := "Invalid job_id '" + id + "'. Must be 1–64 characters: letters, digits, underscores, or hyphens."
		if err == nil || err.Error() != want {
			t.Errorf("%q: got %v, want %q", id, err, want)
		}
	}
}

// A long interval is stored as seconds beyond the per-field input limit and
// must still load back (it once did not: the job would not survive a
// restart).
func TestLongIntervalSurvivesStorage(t *testing.T) {
	trigger, args := parseBody(t, `{"trigger":"interval","weeks":100}`)
	s, err := parseScheduleJSON(trigger, args, time.UTC, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeSchedule(s.Trigger, s.ArgsJSON(), time.UTC)
	if err != nil || back.Interval != 100*7*24*time.Hour {
		t.Fatalf("decode %s: got %v, %v", s.ArgsJSON(), back.Interval, err)
	}
	if _, err := DecodeSchedule(TriggerInterval, `{"seconds": 9999999999999}`, time.UTC); err == nil {
		t.Fatal("decoded an interval over 100 years")
	}
}

// A run date without an offset is read in the scheduler's zone; one with an
// offset keeps it.
func TestRunDateZone(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	paris, _ := time.LoadLocation("Europe/Paris")
	tests := []struct{ body, want string }{
		{`{"trigger":"date","run_date":"2027-01-02T03:04"}`, "2027-01-02T03:04:00+01:00"},
		{`{"trigger":"date","run_date":"2027-01-02 03:04:05"}`, "2027-01-02T03:04:05+01:00"},
		{`{"trigger":"date","run_date":"2027-01-02T03:04:05Z"}`, "2027-01-02T03:04:05Z"},
	}
	for _, tt := range tests {
		trigger, args := parseBody(t, tt.body)
		s, err := parseScheduleJSON(trigger, args, paris, now)
		if err != nil || s.RunDate.Format(time.RFC3339) != tt.want {
			t.Errorf("%s: got %v, %v; want %s", tt.body, s.RunDate, err, tt.want)
		}
	}
}
