// history.templ and cluster.templ: the history page and the instances
// section of the settings page.
//
//	test                                  guards
//	TestHistoryPageFiltersAndGoesLive     the filter form (GET /history) keeps the chosen job and status; only a live page's table body has the id new runs are added to
//	TestHistoryPageEmpty                  no runs: the table says so, the pager still shows
//	TestInstancesSectionMarksLeaderAndSelf  one row per instance, the leader ("runs the schedule") and this instance ("this one") told apart, ids escaped

package views

import "testing"

func TestHistoryPageFiltersAndGoesLive(t *testing.T) {
	v := HistoryView{
		Runs:   []RunRow{{ID: 1, JobID: "a", JobName: "A", Status: "success"}, {ID: 2, JobID: "b", JobName: nasty, Status: "error"}},
		Jobs:   []JobOption{{ID: "a", Name: "A"}, {ID: "b", Name: nasty}},
		Job:    "b",
		Status: "error",
		Pager:  Pager{Page: 1, TotalPages: 1, Total: 2},
		Live:   true,
	}
	doc := parse(t, HistoryPage(v))
	form := one(t, doc.Selection, "form[data-testid=history-filters]")
	attrs(t, form, "method", "get", "action", "/history")
	attr(t, one(t, form, "select[name=job][data-testid=history-job] option[selected]"), "value", "b")
	escaped(t, one(t, form, "option[value=b]"))
	attr(t, one(t, form, "select[name=status][data-testid=history-status] option[selected]"), "value", "error")
	count(t, form, "select[name=job] option", 3)

	body := one(t, doc.Selection, "[data-testid=runs-table] tbody#history-live")
	count(t, body, "tr[data-testid=run-row]", 2)
	attr(t, one(t, body, "tr[data-run-id='2'] td:first-child a"), "href", "/jobs/b")
	escaped(t, one(t, body, "tr[data-run-id='2'] td:first-child a"))
	one(t, doc.Selection, "nav[data-testid=pager]")

	v.Live = false
	doc = parse(t, HistoryPage(v))
	count(t, doc.Selection, "#history-live", 0)
	hasAttr(t, one(t, doc.Selection, "[data-testid=runs-table] tbody"), "id", false)
}

func TestHistoryPageEmpty(t *testing.T) {
	doc := parse(t, HistoryPage(HistoryView{Pager: Pager{Page: 1}}))
	count(t, doc.Selection, "tr[data-testid=run-row]", 0)
	text(t, one(t, doc.Selection, "p.empty"), "No runs yet.")
	count(t, doc.Selection, "select[name=job] option", 1)
	count(t, doc.Selection, "option[selected]", 0)
	one(t, doc.Selection, "nav[data-testid=pager]")
}

func TestInstancesSectionMarksLeaderAndSelf(t *testing.T) {
	sec := one(t, parse(t, InstancesSection([]Instance{
		{ID: "host-1", Leader: true, LastEventID: 1234, Version: "v1"},
		{ID: nasty, Self: true, LastEventID: 1200},
	})).Selection, "section#instances[data-testid=instances]")
	rows := sec.Find("tr[data-testid=instance-row]")
	if rows.Length() != 2 {
		t.Fatalf("instance rows: got %d, want 2", rows.Length())
	}
	for i, want := range []string{"host-1", "runs the schedule", "", "", "1234", "v1"} {
		text(t, rows.Eq(0).Find("td").Eq(i), want)
	}
	text(t, one(t, rows.Eq(1), "td:nth-child(2)"), "follower")
	escaped(t, one(t, rows.Eq(1), "td:first-child code"))
	text(t, one(t, rows.Eq(1), "td:first-child small"), "(this one)")
	count(t, rows.Eq(0), "small", 0)

	empty := one(t, parse(t, InstancesSection(nil)).Selection, "section#instances")
	count(t, empty, "tr[data-testid=instance-row]", 0)
}
