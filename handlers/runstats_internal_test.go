package handlers

import (
	"strings"
	"testing"
	"time"
)

func TestMedianOfRecentDurations(t *testing.T) {
	for _, c := range []struct {
		name    string
		ms      []int64
		want    int64
		ok      bool
		against string // for a run of 1000 ms
	}{
		{"no runs", nil, 0, false, ""},
		{"one run", []int64{400}, 400, true, "2.5× the median"},
		{"odd count, unsorted", []int64{300, 100, 200}, 200, true, "5.0× the median"},
		{"even count: the mean of the middle two", []int64{400, 100, 300, 200}, 250, true, "4.0× the median"},
		{"an outlier does not move it", []int64{100, 100, 100, 100, 60000}, 100, true, "10.0× the median"},
		{"all instant", []int64{0, 0, 0}, 0, true, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := append([]int64(nil), c.ms...)
			got, ok := medianMs(c.ms)
			if got != c.want || ok != c.ok {
				t.Fatalf("medianMs(%v) = %d, %v; want %d, %v", c.ms, got, ok, c.want, c.ok)
			}
			for i := range in {
				if in[i] != c.ms[i] {
					t.Fatalf("medianMs reordered its argument: %v", c.ms)
				}
			}
			if ok {
				if a := againstMedian(1000, got); a != c.against {
					t.Fatalf("againstMedian(1000, %d) = %q, want %q", got, a, c.against)
				}
			}
		})
	}
}

func TestRunLag(t *testing.T) {
	slot := time.Date(2026, 3, 8, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name    string
		started time.Time
		want    time.Duration
		text    string
	}{
		{"on the dot", slot, 0, "0 ms"},
		{"late by a moment", slot.Add(35 * time.Millisecond), 35 * time.Millisecond, "35 ms"},
		{"late by 90 s", slot.Add(90 * time.Second), 90 * time.Second, "1m 30s"},
		{"a tick a hair early is on time", slot.Add(-3 * time.Millisecond), 0, "0 ms"},
		{"hours late (a restart)", slot.Add(2*time.Hour + 5*time.Minute), 2*time.Hour + 5*time.Minute, "2h 05m"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := runLag(c.started, slot)
			if got != c.want || formatDuration(got) != c.text {
				t.Fatalf("runLag = %v (%q), want %v (%q)", got, formatDuration(got), c.want, c.text)
			}
		})
	}
}

func TestHourChartStacksAndScales(t *testing.T) {
	first := time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC)
	counts := []map[string]int64{
		{},
		{"success": 6, "error": 2},
		{"error": 1, "success": 1, "skipped": 1, "mystery": 1},
		{"success": 1000, "error": 1, "skipped": 1, "running": 1},
	}
	c := hourChart(first, counts, time.UTC)
	if c.Total != 1015 || c.Max != 1003 || len(c.Hours) != 4 {
		t.Fatalf("total %d, max %d, %d hours", c.Total, c.Max, len(c.Hours))
	}
	if len(c.Hours[0].Parts) != 0 || c.Hours[0].Title != "00:00–01:00: no runs" {
		t.Errorf("empty hour: %+v", c.Hours[0])
	}
	if got := c.Hours[1].Title; got != "01:00–02:00: 6 success, 2 error" {
		t.Errorf("title %q", got)
	}
	var order []string
	for _, p := range c.Hours[2].Parts {
		order = append(order, p.Status)
	}
	if want := "success error skipped mystery"; strings.Join(order, " ") != want {
		t.Errorf("stacking order %q, want %q", strings.Join(order, " "), want)
	}
	for i, h := range c.Hours {
		y := c.Height
		for _, p := range h.Parts {
			if p.H < 1 || p.Y != y-p.H || p.Y < 0 {
				t.Errorf("hour %d %s: y %d h %d below %d", i, p.Status, p.Y, p.H, y)
			}
			y = p.Y
		}
	}
	if top := c.Hours[3].Parts; top[len(top)-1].Y != 0 {
		t.Errorf("the busiest hour does not reach the top: %+v", top)
	}
}
