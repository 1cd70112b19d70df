// live.templ: a job's row, the same component on the jobs page, as an
// htmx answer and as a live update, and the other out-of-band fragments
// the event stream sends.
//
//	test                                      guards
//	TestJobRowActionsFollowStateAndViewer     a row's id, data-* and buttons: pause menu while enabled, resume (with data-missed-after) while paused, run disabled while running; a viewer's row has no control at all
//	TestJobRowStatusShowsRunningAndPaused     the state cell: elapsed time with the usual duration app.js compares against, the "longer than usual" note hidden until it is, the pause reason and end
//	TestJobRowEscapesWhatUsersTyped           a job's name and description come out as text, in the cell and in the select box's aria-label
//	TestOOBTableFragmentsTravelInTemplates    rows and table bodies sent after another element survive the HTML parser inside <template>, carrying hx-swap-oob
//	TestPauseFormTemplateIsThePagesOne        the pause form app.js copies: versioned, with the durations the handler knows
//	TestAnnouncementSwapsOnlyItsText          the live region keeps its element and takes escaped text
//	TestProviderListOOBMarksTheActiveOne      the providers' list replaces itself, one item marked active, empty when none
//	TestSettingValueOOBHasNoDotInItsID        a setting's shown value is swapped by an id CSS can select
//	TestJobStateNamesRunningPausedScheduled   the state the jobs page shows and filters by
//	TestJobRowCellsAndActionsAlone            the row's parts rendered on their own: a cell per column (one fewer for a viewer), the actions without the select box

package views

import (
	"slices"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

func adminRow() JobRow {
	return JobRow{ID: "nightly", Name: "Nightly report", Schedule: "0 3 * * *", Timezone: "Europe/Paris",
		NextRun: "2026-01-02T03:00:00Z", LastRun: "2026-01-01T03:00:00Z", LastStatus: "success",
		Enabled: true, Version: 7, CanWrite: true}
}

func TestJobRowActionsFollowStateAndViewer(t *testing.T) {
	paused := adminRow()
	paused.Enabled, paused.NextRun, paused.MissedAfter = false, "", "2026-01-01T04:00:00Z"
	running := adminRow()
	running.Running, running.RunningSince = true, "2026-01-01T05:00:00Z"
	viewer := adminRow()
	viewer.CanWrite = false
	tests := []struct {
		name                     string
		row                      JobRow
		state                    string
		pause, resume, runLocked bool
	}{
		{"scheduled", adminRow(), "scheduled", true, false, false},
		{"paused", paused, "paused", false, true, false},
		{"running", running, "running", true, false, true},
		{"viewer", viewer, "scheduled", false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := one(t, parseInTable(t, JobRowTR(tt.row)).Selection, "tr#job-nightly")
			attrs(t, tr, "data-testid", "job-row", "data-job-id", "nightly", "data-state", tt.state, "data-version", "7", "data-last-status", "success")
			hasAttr(t, tr, "data-job-target", true)
			attr(t, one(t, tr, "td[data-testid=job-name] a"), "href", "/jobs/nightly")
			text(t, one(t, tr, "[data-testid=job-state]"), tt.state)
			if !tt.row.CanWrite {
				noActions(t, tr)
				return
			}
			sel := one(t, tr, "input[data-testid=job-select]")
			attrs(t, sel, "value", "nightly:7", "form", "jobs-bulk")
			present(t, tr, "details.pause-menu[data-pause='/jobs/nightly/pause'] [data-testid=pause-open]", tt.pause)
			present(t, tr, "form[hx-post='/jobs/nightly/resume'][action='/jobs/nightly/resume'] [data-testid=resume]", tt.resume)
			if tt.resume {
				attr(t, tr.Find("form[hx-post='/jobs/nightly/resume']"), "data-missed-after", "2026-01-01T04:00:00Z")
			}
			run := one(t, tr, "form[hx-post='/jobs/nightly/run'][action='/jobs/nightly/run'] button[data-testid=run-now]")
			hasAttr(t, run, "disabled", tt.runLocked)
			attr(t, one(t, tr, "a[data-testid=edit]"), "href", "/jobs/nightly")
		})
	}
}

func TestJobRowStatusShowsRunningAndPaused(t *testing.T) {
	long := adminRow()
	long.Running, long.RunningSince, long.UsualMs, long.UsualText = true, "2026-01-01T05:00:00Z", 90000, "1m30s"
	for _, late := range []bool{false, true} {
		long.LongRunning = late
		tr := parseInTable(t, JobRowTR(long)).Find("tr")
		elapsed := one(t, tr, "small.elapsed")
		attrs(t, elapsed, "data-since", "2026-01-01T05:00:00Z", "data-usual-ms", "90000")
		note := one(t, tr, "[data-testid=running-long]")
		hasAttr(t, note, "hidden", !late)
		text(t, note, "running longer than usual (typically ≤ 1m30s)")
	}

	fresh := adminRow()
	fresh.Running, fresh.RunningSince = true, "2026-01-01T05:00:00Z"
	tr := parseInTable(t, JobRowTR(fresh)).Find("tr")
	hasAttr(t, one(t, tr, "small.elapsed"), "data-usual-ms", false)
	count(t, tr, "[data-testid=running-long]", 0)

	paused := adminRow()
	paused.Enabled, paused.PausedReason, paused.PausedUntil = false, "maintenance", "2026-01-03T00:00:00Z"
	tr = parseInTable(t, JobRowTR(paused)).Find("tr")
	text(t, one(t, tr, "[data-testid=paused-reason]"), "maintenance")
	attr(t, one(t, tr, ".paused-until time"), "datetime", "2026-01-03T00:00:00Z")

	never := adminRow()
	never.LastRun, never.LastStatus = "", ""
	tr = parseInTable(t, JobRowTR(never)).Find("tr")
	hasAttr(t, tr, "data-last-status", false)
	count(t, tr, "[data-testid=job-last-status]", 0)
}

func TestJobRowEscapesWhatUsersTyped(t *testing.T) {
	j := adminRow()
	j.Name, j.Description = nasty, nasty
	tr := parseInTable(t, JobRowTR(j)).Find("tr")
	escaped(t, one(t, tr, "a.job-name"))
	escaped(t, one(t, tr, "small.job-description"))
	attr(t, one(t, tr, "[data-testid=job-select]"), "aria-label", "Select "+nasty)
}

func TestOOBTableFragmentsTravelInTemplates(t *testing.T) {
	paused := adminRow()
	paused.ID, paused.Enabled = "backup", false
	tests := []struct {
		name, sel, oob string
		rows           int
		doc            func(t *testing.T) *goquery.Document
	}{
		{"row", "template > tr#job-nightly", "true", 0, func(t *testing.T) *goquery.Document {
			return parse(t, Toast("ok", "Paused."), JobRowOOB(adminRow()))
		}},
		{"removed row", "template > tr#job-gone", "delete", 0, func(t *testing.T) *goquery.Document {
			return parse(t, Toast("ok", "Deleted."), JobRemovedOOB("gone"))
		}},
		{"table body", "template > tbody#jobs-body[data-testid=jobs-body]", "true", 2, func(t *testing.T) *goquery.Document {
			return parse(t, Announcement("x"), JobsTableBodyOOB([]JobRow{adminRow(), paused}))
		}},
		{"empty table body", "template > tbody#jobs-body", "true", 0, func(t *testing.T) *goquery.Document {
			return parse(t, Announcement("x"), JobsTableBodyOOB(nil))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			el := one(t, tt.doc(t).Selection, tt.sel)
			attr(t, el, "hx-swap-oob", tt.oob)
			count(t, el, "tr[data-testid=job-row]", tt.rows)
		})
	}
	// A live row is the page's row: the same cells and data.
	row := one(t, parse(t, JobRowOOB(adminRow())).Selection, "tr#job-nightly")
	attr(t, row, "data-version", "7")
	count(t, row, "[data-testid=run-now]", 1)
}

func TestPauseFormTemplateIsThePagesOne(t *testing.T) {
	tmpl := one(t, parse(t, PauseFormTemplate()).Selection, "template#pause-form")
	form := one(t, tmpl, "form")
	attr(t, form, "hx-post", "")
	attr(t, one(t, form, "input[type=hidden][name=version]"), "value", "")
	one(t, form, "input[name=reason][data-testid=pause-reason]")
	var got []string
	one(t, form, "select[name=duration]").Find("option").Each(func(_ int, o *goquery.Selection) {
		got = append(got, o.AttrOr("value", "?"))
	})
	if want := []string{"", "15m", "1h", "4h", "24h", "168h"}; !slices.Equal(got, want) {
		t.Errorf("durations: got %q, want %q", got, want)
	}
	one(t, form, "button[type=submit][data-testid=pause]")
}

func TestAnnouncementSwapsOnlyItsText(t *testing.T) {
	div := one(t, parse(t, Announcement(nasty)).Selection, "div#live-announcer")
	attr(t, div, "hx-swap-oob", "innerHTML")
	escaped(t, div)
}

func TestProviderListOOBMarksTheActiveOne(t *testing.T) {
	items := []ProviderItem{
		{Name: "openai", DisplayName: "OpenAI", Status: "configured", KeyMasked: "••••abcd", Model: "gpt", Active: true},
		{Name: "ollama", DisplayName: nasty, Status: "unconfigured"},
	}
	ul := one(t, parse(t, ProviderListOOB(items)).Selection, "ul#provider-list[data-testid=provider-list]")
	attr(t, ul, "hx-swap-oob", "true")
	count(t, ul, "li[data-testid=provider-item]", 2)
	count(t, ul, "li.provider-active", 1)
	attr(t, one(t, ul, "li.provider-active"), "id", "provider-openai")
	attr(t, one(t, ul, "li#provider-ollama"), "data-status", "unconfigured")
	escaped(t, one(t, ul, "li#provider-ollama .provider-name"))
	count(t, ul, "li#provider-ollama code.key", 0)

	empty := one(t, parse(t, ProviderListOOB(nil)).Selection, "ul#provider-list")
	count(t, empty, "li", 0)
}

func TestSettingValueOOBHasNoDotInItsID(t *testing.T) {
	span := one(t, parse(t, SettingValueOOB("scheduler.max_workers", nasty)).Selection, "span[data-testid=setting-value]")
	attrs(t, span, "id", "setting-scheduler-max_workers", "data-key", "scheduler.max_workers", "hx-swap-oob", "true")
	escaped(t, span)
}

func TestJobStateNamesRunningPausedScheduled(t *testing.T) {
	for _, tt := range []struct {
		running, enabled bool
		want             string
	}{{false, true, "scheduled"}, {false, false, "paused"}, {true, true, "running"}, {true, false, "running"}} {
		if got := JobState(tt.running, tt.enabled); got != tt.want {
			t.Errorf("JobState(%v, %v): got %q, want %q", tt.running, tt.enabled, got, tt.want)
		}
	}
}

func TestJobRowCellsAndActionsAlone(t *testing.T) {
	for _, canWrite := range []bool{true, false} {
		j := adminRow()
		j.CanWrite = canWrite
		cells := parseInTable(t, templ.Join(templ.Raw("<tr>"), JobRowCells(j), templ.Raw("</tr>"))).Find("tr")
		count(t, cells, "td", map[bool]int{true: 7, false: 6}[canWrite])
		count(t, cells, "td.actions > *", map[bool]int{true: 3, false: 0}[canWrite])
	}
	doc := parse(t, JobActions(adminRow()))
	one(t, doc.Selection, "details.pause-menu noscript")
	one(t, doc.Selection, "[data-testid=run-now]")
	count(t, doc.Selection, "[data-testid=job-select]", 0)
}
