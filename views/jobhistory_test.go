// jobhistory.templ: a job's change history on its page.
//
//	test                                    guards
//	TestJobHistoryCardListsChanges          each entry's actor, action in words, time and changed fields, escaped; an empty history says so
//	TestJobHistoryRestoreIsForWritersOnly   a restorable entry offers Restore (the entry and the job's version, swapping #job-history) to a writer only
//	TestScheduleEditorOOBReplacesTheEditor  a restore also sends the schedule editor out of band, aimed at #schedule-editor

package views

import "testing"

func jobHistory(canWrite bool) JobHistory {
	return JobHistory{JobID: "nightly", Version: 8, CanWrite: canWrite, Entries: []HistoryEntry{
		{ID: 5, At: "2026-01-02T00:00:00Z", Actor: nasty, Action: "job.reschedule", Schedule: "0 4 * * *", Restorable: true,
			Changes: []HistoryChange{{Field: "schedule", Before: "0 3 * * *", After: "0 4 * * *"}}},
		{ID: 4, At: "2026-01-01T00:00:00Z", Actor: "ada", Action: "job.custom"},
	}}
}

func TestJobHistoryCardListsChanges(t *testing.T) {
	card := one(t, parse(t, JobHistoryCard(jobHistory(true))).Selection, "section#job-history[data-testid=job-history]")
	attr(t, card, "aria-labelledby", "job-history-title")
	one(t, card, "#job-history-title")
	count(t, card, "li[data-testid=history-entry]", 2)
	e := one(t, card, "li[data-entry-id='5']")
	attr(t, e, "data-action", "job.reschedule")
	escaped(t, one(t, e, "[data-testid=history-actor]"))
	text(t, one(t, e, ".history-head"), nasty+" rescheduled 2026-01-02T00:00:00Z")
	c := one(t, e, "[data-testid=history-change]")
	attr(t, c, "data-field", "schedule")
	text(t, one(t, c, "dd"), "0 3 * * * → 0 4 * * *")
	// An action without words is shown as it is named.
	text(t, one(t, card, "li[data-entry-id='4'] .history-head"), "ada job.custom 2026-01-01T00:00:00Z")
	count(t, card, "li[data-entry-id='4'] dl", 0)
	count(t, card, "p.empty", 0)

	empty := one(t, parse(t, JobHistoryCard(JobHistory{JobID: "x"})).Selection, "#job-history")
	text(t, one(t, empty, "p.empty"), "No recorded changes.")
	count(t, empty, "li", 0)
}

func TestJobHistoryRestoreIsForWritersOnly(t *testing.T) {
	card := one(t, parse(t, JobHistoryCard(jobHistory(true))).Selection, "#job-history")
	form := one(t, card, "form")
	postsTo(t, form, "/jobs/nightly/restore-schedule")
	attrs(t, form, "hx-target", "#job-history", "hx-swap", "outerHTML")
	attr(t, one(t, form, "input[name=entry]"), "value", "5")
	attr(t, one(t, form, "input[name=version]"), "value", "8")
	one(t, form, "button[data-testid=restore-schedule]")
	count(t, card, "li[data-entry-id='4'] form", 0)

	noActions(t, one(t, parse(t, JobHistoryCard(jobHistory(false))).Selection, "#job-history"))
}

func TestScheduleEditorOOBReplacesTheEditor(t *testing.T) {
	doc := parse(t, JobHistoryCard(jobHistory(true)), ScheduleEditorOOB(ScheduleForm{JobID: "nightly", Version: 8, Mode: "cron"}, Preview{}))
	wrap := one(t, doc.Selection, "[hx-swap-oob]")
	attr(t, wrap, "hx-swap-oob", "outerHTML:#schedule-editor")
	attr(t, one(t, wrap, "form#schedule-editor [data-testid=schedule-version]"), "value", "8")
}
