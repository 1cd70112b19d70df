package models

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestDSTWarningsAgreeWithThePreview: in every mode a clock change that
// touches a run warns, and the warning says what the preview lists (issue
// 13, defect 4).
func TestDSTWarningsAgreeWithThePreview(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2027, 1, 10, 12, 0, 0, 0, ny)
	tests := []struct {
		name     string
		trigger  string
		args     string
		from     time.Time // the preview's start
		runs     []string  // the preview's first runs
		warnings []string  // each a part of the first warning; nil: no warning
	}{
		{"once at a time that does not exist moves forward and says so", TriggerDate, `{"run_date":"2027-03-14T02:30"}`, now,
			[]string{"2027-03-14T03:30:00-04:00"},
			[]string{"clocks go forward from 02:00 to 03:00 in America/New_York", "02:30 does not exist", "runs at 03:30 EDT instead"}},
		{"once at a time that happens twice names the first", TriggerDate, `{"run_date":"2027-11-07T01:30"}`, now,
			[]string{"2027-11-07T01:30:00-04:00"},
			[]string{"clocks go back from 02:00 to 01:00", "01:30 happens twice", "runs at the first, 01:30 EDT (not 01:30 EST)"}},
		{"once at the second 01:30, given with its offset", TriggerDate, `{"run_date":"2027-11-07T01:30:00-05:00"}`, now,
			[]string{"2027-11-07T01:30:00-05:00"},
			[]string{"01:30 happens twice", "runs at the second, 01:30 EST (not 01:30 EDT)"}},
		{"once at an ordinary time", TriggerDate, `{"run_date":"2027-11-07T03:30"}`, now,
			[]string{"2027-11-07T03:30:00-05:00"}, nil},
		{"crontab in the autumn overlap runs twice, as the preview lists", TriggerCron, `{"expression":"30 1 7 11 *"}`, now,
			[]string{"2027-11-07T01:30:00-04:00", "2027-11-07T01:30:00-05:00"},
			[]string{"Sun 7 Nov 2027: clocks go back", "01:30 happens twice", "runs both times, at 01:30 EDT and again at 01:30 EST"}},
		{"cron fields in the spring gap are skipped that day", TriggerCron, `{"hour":2,"minute":30}`, time.Date(2027, 3, 13, 12, 0, 0, 0, ny),
			[]string{"2027-03-15T02:30:00-04:00"},
			[]string{"Sun 14 Mar 2027: clocks go forward from 02:00 to 03:00", "02:30 does not exist", "that run is skipped"}},
		{"every quarter hour of 01:xx happens twice", TriggerCron, `{"expression":"*/15 1 * * *"}`, time.Date(2027, 11, 7, 0, 0, 0, 0, ny),
			[]string{"2027-11-07T01:00:00-04:00", "2027-11-07T01:15:00-04:00", "2027-11-07T01:30:00-04:00", "2027-11-07T01:45:00-04:00",
				"2027-11-07T01:00:00-05:00"},
			[]string{"01:00, 01:15, 01:30 and 01:45 happen twice", "runs both times"}},
		{"daily at 09:00 is untouched", TriggerCron, `{"hour":9,"minute":0}`, now, []string{"2027-01-11T09:00:00-05:00"}, nil},
		{"a daily interval shifts by the clock", TriggerInterval, `{"days":1}`, time.Date(2027, 3, 13, 9, 0, 0, 0, ny),
			[]string{"2027-03-14T10:00:00-04:00"},
			[]string{"Sun 14 Mar 2027: clocks change", "an hour later by the clock (09:00 EST, then 10:00 EDT)"}},
		{"a 90-minute interval keeps no clock time", TriggerInterval, `{"minutes":90}`, now, []string{"2027-01-10T13:30:00-05:00"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var args map[string]json.RawMessage
			if err := json.Unmarshal([]byte(tt.args), &args); err != nil {
				t.Fatal(err)
			}
			s, err := parseScheduleJSON(tt.trigger, args, ny, now)
			if err != nil {
				t.Fatalf("ParseSchedule: %v", err)
			}
			runs, err := s.Preview(ny, tt.from, len(tt.runs))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range runs {
				got = append(got, r.Format(time.RFC3339))
			}
			if strings.Join(got, " ") != strings.Join(tt.runs, " ") {
				t.Errorf("preview %v, want %v", got, tt.runs)
			}
			warnings := s.DSTWarnings(ny, tt.from)
			if tt.warnings == nil && len(warnings) > 0 {
				t.Errorf("unexpected warnings %q", warnings)
			}
			if tt.warnings != nil && len(warnings) == 0 {
				t.Fatal("no warning")
			}
			for _, w := range tt.warnings {
				if !strings.Contains(warnings[0], w) {
					t.Errorf("warning %q lacks %q", warnings[0], w)
				}
			}
		})
	}
}
