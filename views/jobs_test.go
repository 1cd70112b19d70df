// jobs.templ: the jobs page, its filter chips and its pager.
//
//	test                                    guards
//	TestJobsPageForAdminAndViewer           an admin gets New job, the bulk bar, select boxes and the pause template; a viewer gets the table and no control in it
//	TestJobsTableCarriesWhatAppJSReads      the table's hx-target/hx-swap for row actions, its filter, search, total and first/last-page flags, the body live updates replace
//	TestJobsPageEmptyAndNotice              no jobs: an empty body, "No jobs", the filter's empty line; a notice says why another page is shown
//	TestJobsSearchKeepsFilterAndEscapes     the search form keeps the status filter and shows the query as a value, escaped
//	TestJobFiltersLinkEveryChip             each chip links its filter with the search kept, shows its count, and only the current one is marked
//	TestJobsPagerLinksAroundThePage         first/previous only past page one, next/last only before the end, the range with thousands separators

package views

import (
	"slices"
	"testing"
)

func jobsView(canWrite bool) JobsView {
	a, b := adminRow(), adminRow()
	b.ID, b.Name = "backup", "Backup"
	a.CanWrite, b.CanWrite = canWrite, canWrite
	return JobsView{
		Jobs:     []JobRow{a, b},
		Counts:   map[string]int{"": 120, "scheduled": 100, "running": 5, "paused": 15, "failed": 3},
		Pager:    Pager{Page: 2, TotalPages: 3, Total: 120, From: 51, To: 100, Prev: "/jobs?page=1", Next: "/jobs?page=3", First: "/jobs", Last: "/jobs?page=3"},
		Timezone: "Europe/Paris",
		CanWrite: canWrite,
	}
}

func TestJobsPageForAdminAndViewer(t *testing.T) {
	for _, canWrite := range []bool{true, false} {
		doc := parse(t, JobsPage(jobsView(canWrite)))
		text(t, one(t, doc.Selection, "[data-testid=scheduler-timezone]"), "Europe/Paris")
		count(t, doc.Selection, "#jobs-body tr[data-testid=job-row]", 2)
		present(t, doc.Selection, "a[data-testid=new-job][href='/jobs/new']", canWrite)
		present(t, doc.Selection, "form#jobs-bulk[data-testid=bulk-bar]", canWrite)
		present(t, doc.Selection, "#bulk-result", canWrite)
		present(t, doc.Selection, "template#pause-form", canWrite)
		present(t, doc.Selection, "th input[data-select-all][data-testid=select-all]", canWrite)
		cols := 6
		if canWrite {
			cols = 7
		}
		count(t, doc.Selection, "#jobs-table thead th", cols)
		if !canWrite {
			noActions(t, one(t, doc.Selection, "#jobs-table"))
		}
	}
}

func TestJobsTableCarriesWhatAppJSReads(t *testing.T) {
	v := jobsView(true)
	v.Filter, v.Search = "paused", "rep"
	table := one(t, parse(t, JobsPage(v)).Selection, "table#jobs-table[data-testid=jobs-table]")
	attrs(t, table, "hx-target", "closest [data-job-target]", "hx-swap", "outerHTML", "data-filter", "paused", "data-search", "rep", "data-total", "120")
	hasAttr(t, table, "data-first", false)
	hasAttr(t, table, "data-last", false)
	one(t, table, "tbody#jobs-body[data-testid=jobs-body]")

	v.Pager.Prev, v.Pager.Next = "", ""
	table = one(t, parse(t, JobsPage(v)).Selection, "table#jobs-table")
	hasAttr(t, table, "data-first", true)
	hasAttr(t, table, "data-last", true)
}

func TestJobsPageEmptyAndNotice(t *testing.T) {
	v := jobsView(true)
	v.Jobs, v.Pager, v.Counts = nil, Pager{Page: 1}, nil
	doc := parse(t, JobsPage(v))
	count(t, one(t, doc.Selection, "tbody#jobs-body"), "tr", 0)
	text(t, one(t, doc.Selection, "[data-testid=pager-range]"), "No jobs")
	one(t, doc.Selection, "p.empty-filter")
	count(t, doc.Selection, "[data-testid=jobs-notice]", 0)
	attr(t, one(t, doc.Selection, "#job-filters"), "data-total", "0")
	stale := one(t, doc.Selection, "p#jobs-stale[data-testid=jobs-stale]")
	hasAttr(t, stale, "hidden", true)

	v.Notice = "Page 9 is past the end: showing page 1."
	notice := one(t, parse(t, JobsPage(v)).Selection, "[data-testid=jobs-notice]")
	attr(t, notice, "role", "status")
	text(t, notice, v.Notice)
}

func TestJobsSearchKeepsFilterAndEscapes(t *testing.T) {
	v := jobsView(false)
	v.Filter, v.Search = "failed", nasty
	form := one(t, parse(t, JobsPage(v)).Selection, "form[data-testid=job-search]")
	attrs(t, form, "action", "/jobs", "method", "get", "role", "search")
	attr(t, one(t, form, "input[type=hidden][name=status]"), "value", "failed")
	input := one(t, form, "input[name=q][data-testid=job-search-input]")
	attrs(t, input, "value", nasty, "aria-label", "Search jobs by name or id")
	count(t, form, "script", 0)

	v.Filter = ""
	form = one(t, parse(t, JobsPage(v)).Selection, "form[data-testid=job-search]")
	count(t, form, "input[name=status]", 0)
}

func TestJobFiltersLinkEveryChip(t *testing.T) {
	v := jobsView(true)
	v.Filter, v.Search = "paused", "a&b"
	nav := one(t, parse(t, JobFilters(v)).Selection, "nav#job-filters[data-testid=job-filters]")
	attrs(t, nav, "aria-label", "Filter jobs by status", "data-total", "120")
	wantHrefs := []string{"/jobs?q=a%26b", "/jobs?q=a%26b&status=scheduled", "/jobs?q=a%26b&status=running", "/jobs?q=a%26b&status=paused", "/jobs?q=a%26b&status=failed"}
	if got := hrefs(nav, "a.chip"); !slices.Equal(got, wantHrefs) {
		t.Errorf("chip links: got %q, want %q", got, wantHrefs)
	}
	current := one(t, nav, "a[aria-current]")
	attr(t, current, "data-filter", "paused")
	if !current.HasClass("chip-on") {
		t.Errorf("current chip: class got %q, want chip-on among them", current.AttrOr("class", ""))
	}
	count(t, nav, "a.chip-on", 1)
	text(t, one(t, nav, "[data-count=failed]"), "3")
	text(t, one(t, nav, "[data-count='']"), "120")

	v.Search = ""
	nav = one(t, parse(t, JobFilters(v)).Selection, "nav#job-filters")
	if got := hrefs(nav, "a.chip")[:2]; !slices.Equal(got, []string{"/jobs", "/jobs?status=scheduled"}) {
		t.Errorf("chip links without a search: got %q", got)
	}
}

func TestJobsPagerLinksAroundThePage(t *testing.T) {
	tests := []struct {
		name       string
		p          Pager
		back, next bool
		rng        string
	}{
		{"first of many", Pager{Page: 1, From: 1, To: 50, Total: 1234, Next: "/jobs?page=2", Last: "/jobs?page=25"}, false, true, "1–50 of 1,234"},
		{"middle", jobsView(true).Pager, true, true, "51–100 of 120"},
		{"last", Pager{Page: 3, From: 101, To: 120, Total: 120, Prev: "/jobs?page=2", First: "/jobs"}, true, false, "101–120 of 120"},
		{"none", Pager{Page: 1}, false, false, "No jobs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nav := one(t, parse(t, JobsPager(tt.p)).Selection, "nav[data-testid=jobs-pager]")
			attr(t, nav, "aria-label", "Pages of jobs")
			text(t, one(t, nav, "[data-testid=pager-range]"), tt.rng)
			present(t, nav, "a[data-testid=pager-first][rel=first]", tt.back)
			present(t, nav, "a[data-testid=pager-prev][rel=prev]", tt.back)
			present(t, nav, "a[data-testid=pager-next][rel=next]", tt.next)
			present(t, nav, "a[data-testid=pager-last][rel=last]", tt.next)
			if tt.back {
				attr(t, nav.Find("[data-testid=pager-first]"), "href", tt.p.First)
				attr(t, nav.Find("[data-testid=pager-prev]"), "href", tt.p.Prev)
			}
			if tt.next {
				attr(t, nav.Find("[data-testid=pager-next]"), "href", tt.p.Next)
				attr(t, nav.Find("[data-testid=pager-last]"), "href", tt.p.Last)
			}
		})
	}
}
