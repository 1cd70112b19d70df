package models

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestScheduleMissed(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		layout := "2006-01-02 15:04"
		if len(s) > len(layout) {
			layout += ":05"
		}
		tm, err := time.ParseInLocation(layout, s, ny)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	sched := func(body string) Schedule {
		trigger, args := parseBody(t, body)
		s, err := parseSchedule(trigger, valuesOf(args), ny, at("2026-01-01 00:00"), false)
		if err != nil {
			t.Errorf("%s: %v", body, err)
		}
		return s
	}
	daily9 := `{"trigger":"cron","hour":9,"minute":0}`
	tests := []struct {
		name      string
		schedule  string
		from, to  string
		want      int
		wantFirst string // "" when there is no run after from
	}{
		{"paused and resumed before the next run", daily9, "2026-03-02 10:00", "2026-03-03 08:59", 0, "2026-03-03 09:00"},
		{"a run exactly at resume counts", daily9, "2026-03-02 10:00", "2026-03-03 09:00", 1, "2026-03-03 09:00"},
		{"three days of a daily job", daily9, "2026-03-02 10:00", "2026-03-05 12:00", 3, "2026-03-03 09:00"},
		{"a run at the pause itself is not missed", daily9, "2026-03-02 09:00", "2026-03-03 08:00", 0, "2026-03-03 09:00"},
		{"weekdays over a weekend", `{"trigger":"cron","hour":8,"minute":30,"day_of_week":"mon-fri"}`, "2026-03-06 09:00", "2026-03-09 08:00", 0, "2026-03-09 08:30"},
		{"every 15 minutes for an hour and 20", `{"trigger":"interval","minutes":15}`, "2026-03-02 10:00", "2026-03-02 11:20", 5, "2026-03-02 10:15"},
		{"an interval longer than the pause", `{"trigger":"interval","hours":2}`, "2026-03-02 10:00", "2026-03-02 11:59", 0, "2026-03-02 12:00"},
		{"a one-time run inside the pause", `{"trigger":"date","run_date":"2026-03-02T12:00:00"}`, "2026-03-02 10:00", "2026-03-02 13:00", 1, "2026-03-02 12:00"},
		{"a one-time run after the resume", `{"trigger":"date","run_date":"2026-03-02T12:00:00"}`, "2026-03-02 10:00", "2026-03-02 11:00", 0, "2026-03-02 12:00"},
		{"a one-time run before the pause", `{"trigger":"date","run_date":"2026-03-02T12:00:00"}`, "2026-03-02 13:00", "2026-03-02 14:00", 0, ""},
		{"resumed before it was paused", daily9, "2026-03-05 10:00", "2026-03-02 10:00", 0, "2026-03-06 09:00"},
		{"every second for a day stops counting", `{"trigger":"interval","seconds":1}`, "2026-03-02 10:00", "2026-03-03 10:00", MaxMissed, "2026-03-02 10:00:01"},
		{"every minute by crontab for a day stops counting", `{"trigger":"cron","expression":"* * * * *"}`, "2026-03-02 10:00", "2026-03-03 10:00", MaxMissed, "2026-03-02 10:01"},
		// 2026-03-08 02:30 does not exist in New York: cron skips it.
		{"a daily 02:30 across the spring gap", `{"trigger":"cron","hour":2,"minute":30}`, "2026-03-07 12:00", "2026-03-09 12:00", 1, "2026-03-09 02:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sched(tt.schedule)
			if got := s.Missed(ny, at(tt.from), at(tt.to)); got != tt.want {
				t.Errorf("Missed = %d, want %d", got, tt.want)
			}
			first, ok := s.FirstMissed(ny, at(tt.from))
			switch {
			case tt.wantFirst == "" && ok:
				t.Errorf("FirstMissed = %v, want none", first)
			case tt.wantFirst != "" && (!ok || !first.Equal(at(tt.wantFirst))):
				t.Errorf("FirstMissed = %v %v, want %s", first, ok, tt.wantFirst)
			}
		})
	}
}

func TestUsualDuration(t *testing.T) {
	tests := []struct {
		name   string
		ms     []int64
		want   time.Duration
		wantOK bool
	}{
		{"no runs", nil, 0, false},
		{"four runs are too few", []int64{10, 20, 30, 40}, 0, false},
		{"five runs: the longest", []int64{50, 10, 40, 20, 30}, 50 * time.Millisecond, true},
		{"twenty runs: the 19th", []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 1000}, 19 * time.Millisecond, true},
		{"ten alike", []int64{200, 200, 200, 200, 200, 200, 200, 200, 200, 200}, 200 * time.Millisecond, true},
		{"one outlier among ten counts", []int64{5, 5, 5, 5, 5, 5, 5, 5, 5, 90_000}, 90 * time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]int64(nil), tt.ms...)
			got, ok := UsualDuration(tt.ms)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("UsualDuration(%v) = %v %v, want %v %v", tt.ms, got, ok, tt.want, tt.wantOK)
			}
			if !slices.Equal(in, tt.ms) {
				t.Error("UsualDuration reordered its argument")
			}
		})
	}
}

func TestUsualRunDuration(t *testing.T) { eachDialect(t, testUsualRunDuration) }

// A job's usual length is read from its last 20 finished runs that did
// work: skipped runs, runs under way and other jobs' runs say nothing.
func testUsualRunDuration(t *testing.T, dialect string) {
	s, _ := openTestStore(t, dialect)
	ctx := context.Background()
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	n := 0
	add := func(job, status string, ms *int64) {
		t.Helper()
		n++
		r := JobRun{JobID: job, JobName: job, Source: SourceSchedule, Status: status, StartedAt: start.Add(time.Duration(n) * time.Minute), DurationMs: ms}
		if _, err := s.InsertFinishedRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	ms := func(v int64) *int64 { return &v }
	tests := []struct {
		name   string
		setup  func()
		want   time.Duration
		wantOK bool
	}{
		{"no runs", func() {}, 0, false},
		{"four runs and skipped ones", func() {
			for i := range 4 {
				add("j", StatusSuccess, ms(int64(100*(i+1))))
			}
			for range 5 {
				add("j", StatusSkipped, ms(0))
			}
			add("j", StatusRunning, nil)
			add("other", StatusSuccess, ms(99_000))
		}, 0, false},
		{"a failure is a fifth", func() { add("j", StatusError, ms(500)) }, 500 * time.Millisecond, true},
		{"only the last 20 count", func() {
			for range 20 {
				add("j", StatusSuccess, ms(10))
			}
		}, 10 * time.Millisecond, true},
	}
	for _, tt := range tests { // each step adds to the runs before it
		tt.setup()
		got, ok, err := s.UsualRunDuration(ctx, "j")
		if err != nil || got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: got %v %v %v, want %v %v", tt.name, got, ok, err, tt.want, tt.wantOK)
		}
	}
}
