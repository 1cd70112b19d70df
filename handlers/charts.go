package handlers

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"switchboard/models"
	"switchboard/views"
)

// The console's charts are SVG drawn on the server; these lay them out.

// durationChart draws the runs (newest first, as listed) oldest on the
// left, each bar's height its share of the longest.
func durationChart(runs []models.JobRun, loc *time.Location) views.Chart {
	const width, height, gap = 500, 120, 2
	c := views.Chart{Width: width, Height: height}
	var longest int64 = 1
	for _, r := range runs {
		if r.DurationMs != nil && *r.DurationMs > longest {
			longest = *r.DurationMs
		}
	}
	barW := width/chartRuns - gap
	for i := len(runs) - 1; i >= 0; i-- {
		r := runs[i]
		var ms int64
		if r.DurationMs != nil {
			ms = *r.DurationMs
		}
		h := max(int(ms*(height-4)/longest), 2)
		x := (len(runs) - 1 - i) * (barW + gap)
		c.Bars = append(c.Bars, views.Bar{X: x, Y: height - 1 - h, W: barW, H: h, Status: r.Status,
			Title: fmt.Sprintf("%s: %s, %s", formatClock(r.StartedAt, loc), r.Status, formatDuration(time.Duration(ms)*time.Millisecond))})
	}
	c.MaxLabel = formatDuration(time.Duration(longest) * time.Millisecond)
	return c
}

// chartStatuses is the stacking order of the hour chart, bottom up.
var chartStatuses = [...]string{models.StatusSuccess, models.StatusError, models.StatusSkipped, models.StatusRunning}

// hourChart lays out stacked bars, one an hour from first, scaled to the
// busiest hour.
func hourChart(first time.Time, counts []map[string]int64, loc *time.Location) views.HourChart {
	const barW, gap, height = 20, 4, 120
	c := views.HourChart{Width: len(counts) * (barW + gap), Height: height, Zone: loc.String()}
	totals := map[string]int64{}
	for _, m := range counts {
		var sum int64
		for s, n := range m {
			sum += n
			totals[s] += n
		}
		c.Max = max(c.Max, sum)
		c.Total += sum
	}
	for i, m := range counts {
		start := first.Add(time.Duration(i) * time.Hour).In(loc)
		bar := views.HourBar{X: i*(barW+gap) + gap/2, W: barW, Label: start.Format("15:04"), Start: start.Format(time.RFC3339)}
		var words []string
		statuses := statusOrder(m)
		hs := make([]int, len(statuses))
		used, big := 0, 0
		for k, s := range statuses {
			n := m[s]
			bar.Total += n
			words = append(words, fmt.Sprintf("%d %s", n, s))
			hs[k] = max(int(n*height/max(c.Max, 1)), 1) // a run is never invisible
			used += hs[k]
			if hs[k] > hs[big] {
				big = k
			}
		}
		if used > height {
			hs[big] -= used - height // those single pixels never push a stack past the top
		}
		y := height
		for k, s := range statuses {
			y -= hs[k]
			bar.Parts = append(bar.Parts, views.BarPart{Y: y, H: hs[k], Status: s, Count: m[s]})
		}
		if len(words) == 0 {
			words = []string{"no runs"}
		}
		bar.Title = fmt.Sprintf("%s–%s: %s", bar.Label, start.Add(time.Hour).Format("15:04"), strings.Join(words, ", "))
		c.Hours = append(c.Hours, bar)
	}
	for _, s := range statusOrder(totals) {
		c.Totals = append(c.Totals, views.StatusTotal{Status: s, Count: totals[s]})
	}
	return c
}

// statusOrder is the statuses m counts, known ones in stacking order, then
// any other sorted.
func statusOrder(m map[string]int64) []string {
	var out, other []string
	for _, s := range chartStatuses {
		if m[s] > 0 {
			out = append(out, s)
		}
	}
	for s, n := range m {
		if n > 0 && !slices.Contains(chartStatuses[:], s) {
			other = append(other, s)
		}
	}
	slices.Sort(other)
	return append(out, other...)
}
