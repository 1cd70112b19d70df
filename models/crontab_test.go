package models

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestCrontabMessagesSayWhatIsWrong: a bad crontab line is refused with the
// field and the part at fault in words, never robfig/cron's strconv.Atoi
// wording; steps longer than their field and backward ranges are refused,
// not silently run once (issue 13, defect 10).
func TestCrontabMessagesSayWhatIsWrong(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	tests := []struct {
		expr string
		want string // "" accepted
	}{
		{"1-/5 * * * *", `minute "1-/5": "1-/5" needs a number after "-" (like 1-5)`},
		{"-5 * * * *", `minute "-5": "-5" needs a number before "-"`},
		{"*/ * * * *", `minute "*/": "*/" needs a number after "/"`},
		{"*/0 * * * *", `minute "*/0": the step "0" must be a whole number of 1 or more`},
		{"*/70 * * * *", `minute "*/70": a step of 70 is longer than the field (0–59)`},
		{"0 */24 * * *", `hour "*/24": a step of 24 is longer than the field (0–23)`},
		{"50-10 * * * *", `minute "50-10": the range 50-10 runs backwards; cron ranges do not wrap around (write 50-59,0-10 instead)`},
		{"x * * * *", `minute "x": "x" is not a number`},
		{"0 25 * * *", `hour "25": 25 is out of range 0–23`},
		{"0 9 * * 7", `weekday "7": 7 is out of range 0–6`},
		{"0 9 * foo *", `month "foo": "foo" is not a number 1–12 or a name (jan…dec)`},
		{"0 9 1,,2 * *", `day of month "1,,2": an empty item between commas`},
		{"*/15 9-17 * * 1-5", ""},
		{"0 9 * jan-mar mon,wed", ""},
		{"5/15 * * * *", ""},
		{"0 0 ? * SUN", ""},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			args := map[string]json.RawMessage{"expression": json.RawMessage(`"` + tt.expr + `"`)}
			_, err := parseScheduleJSON(TriggerCron, args, ny, time.Now())
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted, want %q", tt.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("message %q lacks %q", msg, tt.want)
			}
			for _, internal := range []string{"strconv", "Atoi", "parse int", "robfig"} {
				if strings.Contains(msg, internal) {
					t.Errorf("message %q names Go's internals (%s)", msg, internal)
				}
			}
		})
	}
}

// TestCrontabLineRunsAsTheSchedule: the line the editor's crontab box is
// filled with runs at the same times as the schedule it stands for.
func TestCrontabLineRunsAsTheSchedule(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	now := time.Date(2027, 1, 10, 12, 0, 0, 0, ny)
	tests := []struct {
		trigger, args string
		want          string
	}{
		{TriggerCron, `{"hour":9,"minute":30,"day_of_week":"mon-fri"}`, "30 9 * * 1,2,3,4,5"},
		{TriggerCron, `{"hour":9}`, "0 9 * * *"},
		{TriggerCron, `{"expression":"*/15 9-17 * * 1-5"}`, "*/15 9-17 * * 1-5"},
		{TriggerCron, `{"second":30,"minute":5}`, ""},
		{TriggerInterval, `{"minutes":15}`, "*/15 * * * *"},
		{TriggerInterval, `{"hours":6}`, "0 */6 * * *"},
		{TriggerInterval, `{"days":1}`, "0 12 * * *"},
		{TriggerInterval, `{"minutes":7}`, ""},
		{TriggerDate, `{"run_date":"2027-03-01T10:00"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			var args map[string]json.RawMessage
			if err := json.Unmarshal([]byte(tt.args), &args); err != nil {
				t.Fatal(err)
			}
			s, err := parseScheduleJSON(tt.trigger, args, ny, now)
			if err != nil {
				t.Fatal(err)
			}
			runs, _ := s.Preview(ny, now, 5)
			var next time.Time
			if len(runs) > 0 {
				next = runs[0]
			}
			got := s.CrontabLine(next, ny)
			if got != tt.want {
				t.Fatalf("CrontabLine = %q, want %q", got, tt.want)
			}
			if got == "" {
				return
			}
			// The line's runs are the schedule's.
			line, err := parseScheduleJSON(TriggerCron, map[string]json.RawMessage{"expression": json.RawMessage(`"` + got + `"`)}, ny, now)
			if err != nil {
				t.Fatal(err)
			}
			lineRuns, _ := line.Preview(ny, now, 5)
			for i := range runs {
				if !runs[i].Equal(lineRuns[i]) {
					t.Fatalf("schedule runs %v, the line's %v", runs, lineRuns)
				}
			}
		})
	}
}
