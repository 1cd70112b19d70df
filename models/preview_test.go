package models

import (
	"strings"
	"testing"
	"time"
)

func TestPreviewAndDSTWarnings(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2027, 1, 10, 12, 0, 0, 0, ny)
	ip := func(n int) *int { return &n }
	tests := []struct {
		name     string
		sched    Schedule
		first    string // first preview run, in ny
		warnings []string
	}{
		{"daily 09:00 has no DST trouble", Schedule{Trigger: TriggerCron, Cron: CronFields{Hour: ip(9), Minute: ip(0)}},
			"2027-01-11T09:00:00-05:00", nil},
		{"02:30 falls in the spring gap", Schedule{Trigger: TriggerCron, Cron: CronFields{Hour: ip(2), Minute: ip(30)}},
			"2027-01-11T02:30:00-05:00", []string{"Sun 14 Mar 2027: clocks go forward", "02:30 does not exist"}},
		{"01:30 falls in the autumn overlap", Schedule{Trigger: TriggerCron, Cron: CronFields{Hour: ip(1), Minute: ip(30)}},
			"2027-01-11T01:30:00-05:00", []string{"Sun 7 Nov 2027: clocks go back", "01:30 happens twice"}},
		{"interval counts elapsed time", Schedule{Trigger: TriggerInterval, Interval: 90 * time.Minute},
			"2027-01-10T13:30:00-05:00", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs, err := tt.sched.Preview(ny, from, 5)
			if err != nil || len(runs) != 5 {
				t.Fatalf("Preview = %v, %v", runs, err)
			}
			if got := runs[0].Format(time.RFC3339); got != tt.first {
				t.Errorf("first run %s, want %s", got, tt.first)
			}
			for i := 1; i < len(runs); i++ {
				if !runs[i].After(runs[i-1]) {
					t.Errorf("runs not increasing: %v", runs)
				}
			}
			got := strings.Join(tt.sched.DSTWarnings(ny, from), "\n")
			if tt.warnings == nil && got != "" {
				t.Errorf("unexpected warnings: %s", got)
			}
			for _, w := range tt.warnings {
				if !strings.Contains(got, w) {
					t.Errorf("warnings %q lack %q", got, w)
				}
			}
		})
	}
}

func TestSlotNamesTheScheduledTimeATickIsFor(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	minute, hour := 30, 9
	cron := Schedule{Trigger: TriggerCron, Cron: CronFields{Hour: &hour, Minute: &minute}}
	at := time.Date(2027, 1, 5, 9, 30, 0, 0, ny)
	once := Schedule{Trigger: TriggerDate, RunDate: at}
	every := Schedule{Trigger: TriggerInterval, Interval: time.Minute}
	tests := []struct {
		name  string
		s     Schedule
		fired time.Time
		want  time.Time
	}{
		{"cron on time", cron, at.Add(3 * time.Millisecond), at},
		{"cron fired late after a stall", cron, at.Add(42 * time.Second), at},
		{"cron fired a moment early", cron, at.Add(-300 * time.Millisecond), at},
		{"cron, the day after", cron, at.Add(24*time.Hour + time.Second), at.Add(24 * time.Hour)},
		{"one-time job", once, at.Add(2 * time.Second), at},
		{"interval: the second it fired", every, at.Add(1400 * time.Millisecond), at.Add(time.Second)},
	}
	for _, tt := range tests {
		if got := tt.s.Slot(ny, tt.fired); !got.Equal(tt.want) {
			t.Errorf("%s: Slot(%s) = %s, want %s", tt.name, tt.fired, got, tt.want)
		}
	}
}
