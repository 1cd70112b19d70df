package scheduler

import (
	"time"
	_ "time/tzdata" // market hours and every IANA zone work without a system zone database
)

var newYork = mustLoad("America/New_York")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // cannot happen: time/tzdata is linked in
	}
	return loc
}

// MarketOpen reports whether t falls in US market hours: Monday to Friday,
// 09:30 to 16:00 America/New_York. Exchange holidays are not modelled.
func MarketOpen(t time.Time) bool {
	t = t.In(newYork)
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	minutes := t.Hour()*60 + t.Minute()
	return minutes >= 9*60+30 && minutes < 16*60
}

// marketClosedReason is the summary of a run skipped outside market hours.
const marketClosedReason = "outside market hours (Mon–Fri 09:30–16:00 America/New_York)"
