package handlers

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestFormMessagesUseTheFormsLabels: every message the job form and the
// schedule editor show names the field as the form labels it and says
// what is wrong, without JSON keys or Go's internals (issue 13, defect 10).
func TestFormMessagesUseTheFormsLabels(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	now := time.Date(2027, 1, 10, 12, 0, 0, 0, ny)
	job := func(extra url.Values) url.Values {
		v := url.Values{"id": {"n1"}, "kind": {"prompt"}, "name": {"N"}, "prompt": {"hi"}, "mode": {"cron"}, "hour": {"9"}}
		for k, x := range extra {
			v[k] = x
		}
		return v
	}
	tests := []struct {
		name string
		form url.Values
		job  bool // the whole new-job form, not the schedule alone
		want string
	}{
		{"hour out of range", url.Values{"mode": {"cron"}, "hour": {"25"}}, false, "Hour: 25 is out of range 0–23."},
		{"hour not a number", url.Values{"mode": {"cron"}, "hour": {"x"}}, false, "Hour: must be a whole number."},
		{"no cron field", url.Values{"mode": {"cron"}}, false, "Cron fields: fill in at least one of Minute, Hour, Day, Month or Weekdays."},
		{"day and weekdays", url.Values{"mode": {"cron"}, "day": {"1"}, "day_of_week": {"mon"}}, false, "Cron fields Day and Weekdays cannot be combined."},
		{"bad weekdays", url.Values{"mode": {"cron"}, "day_of_week": {"funday"}}, false, "Weekdays: use mon…sun or 0–6 (0 is Monday), with lists (mon,wed) and ranges (mon-fri)."},
		{"crontab 1-/5", url.Values{"mode": {"crontab"}, "expression": {"1-/5 * * * *"}}, false, `Crontab line: minute "1-/5": "1-/5" needs a number after "-" (like 1-5).`},
		{"crontab with 4 fields", url.Values{"mode": {"crontab"}, "expression": {"* * * *"}}, false, "Crontab line: must have 5 fields (minute hour day month weekday)."},
		{"interval not a number", url.Values{"mode": {"interval"}, "every": {"abc"}, "unit": {"minutes"}}, false, "Every: must be a whole number."},
		{"interval zero", url.Values{"mode": {"interval"}, "every": {"0"}, "unit": {"hours"}}, false, "Every: 0 is out of range 1–52,560,000."},
		{"interval empty", url.Values{"mode": {"interval"}, "unit": {"hours"}}, false, "Every: say how often, in hours."},
		{"once in the past", url.Values{"mode": {"date"}, "run_date": {"2020-01-01T10:00"}}, false, "Run once at: 2020-01-01T10:00 is not in the future."},
		{"once not given", url.Values{"mode": {"date"}}, false, "Run once at: choose the date and time."},
		{"timeout not a number", job(url.Values{"timeout_seconds": {"abc"}}), true, "Timeout (seconds): must be a whole number from 1 to 86400."},
		{"name missing", job(url.Values{"name": {""}}), true, "Name must not be empty."},
		{"bad id", job(url.Values{"id": {"Bad Id!"}}), true, `Id "Bad Id!": must be 1–64 characters: letters, digits, underscores, or hyphens.`},
		{"webhook url", job(url.Values{"kind": {"webhook"}, "url": {"ftp://x"}}), true, "URL: must be an http or https URL."},
		{"prompt missing", job(url.Values{"prompt": {""}}), true, "Prompt: must be 1 to 20,000 characters."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.job {
				_, err = jobCreateSpec(tt.form, ny, now)
			} else {
				_, err = parseScheduleForm(tt.form, ny, now)
			}
			ve, ok := asValidation(err)
			if !ok {
				t.Fatalf("want a validation error, got %v", err)
			}
			got := formMessage(ve)
			if got != tt.want {
				t.Errorf("message %q, want %q", got, tt.want)
			}
			for _, raw := range []string{"timeout_seconds", "day_of_week", "run_date", "job_id", "config.", "strconv", "Atoi", "integer", `"expression"`, `"hour"`} {
				if strings.Contains(got, raw) {
					t.Errorf("message %q shows %q", got, raw)
				}
			}
		})
	}
}
