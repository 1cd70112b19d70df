// jobops.templ: bulk actions, the resume question and its fragments.
//
//	test                                  guards
//	TestBulkBarPostsTheSelection          the bulk form (#jobs-bulk, which the rows' checkboxes name) posts pause or resume to /jobs/bulk and swaps #bulk-result
//	TestBulkResultListsWhatWasNotChanged  each refused job with its message, escaped; an empty result is an empty status region
//	TestBulkRowsTravelInTemplates         the changed rows sent after the result survive the parser and swap out of band
//	TestResumeDialogAsksAboutMissedRuns   "Run once now" only when runs were missed, both answers aimed at the caller's target, the count capped in words

package views

import (
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestBulkBarPostsTheSelection(t *testing.T) {
	doc := parse(t, BulkBar())
	form := one(t, doc.Selection, "form#jobs-bulk[data-testid=bulk-bar]")
	postsTo(t, form, "/jobs/bulk")
	attrs(t, form, "hx-target", "#bulk-result", "hx-swap", "outerHTML")
	hasAttr(t, form, "aria-label", true)
	attr(t, one(t, form, "button[data-testid=bulk-pause]"), "value", "pause")
	attr(t, one(t, form, "button[data-testid=bulk-resume]"), "value", "resume")
	one(t, form, "select[name=duration][data-testid=bulk-duration]")
	one(t, doc.Selection, "#bulk-result[role=status]")
}

func TestBulkResultListsWhatWasNotChanged(t *testing.T) {
	res := one(t, parse(t, BulkResult([]BulkProblem{{ID: "a", Message: nasty}, {ID: "b", Message: "changed since"}})).Selection, "div#bulk-result[data-testid=bulk-result]")
	attr(t, res, "role", "status")
	count(t, res, "li[data-testid=bulk-problem]", 2)
	escaped(t, one(t, res, "li[data-job-id=a]"))

	empty := one(t, parse(t, BulkResult(nil)).Selection, "div#bulk-result")
	count(t, empty, "*", 0)
}

func TestBulkRowsTravelInTemplates(t *testing.T) {
	b := adminRow()
	b.ID = "backup"
	doc := parse(t, BulkResult(nil), BulkRows([]JobRow{adminRow(), b}))
	for _, id := range []string{"job-nightly", "job-backup"} {
		attr(t, one(t, doc.Selection, "template tr#"+id), "hx-swap-oob", "true")
	}
}

func TestResumeDialogAsksAboutMissedRuns(t *testing.T) {
	tests := []struct {
		missed  int
		runOnce bool
		words   string
	}{
		{0, false, ""},
		{1, true, "1 scheduled run"},
		{999, true, "999 scheduled runs"},
		{1000, true, "more than 999 scheduled runs"},
	}
	for _, tt := range tests {
		d := ResumeDialog{JobID: "nightly", JobName: nasty, Target: "job-nightly", Missed: tt.missed, PausedAt: "2026-01-01T00:00:00Z"}
		dlg := one(t, parse(t, ResumeDialogView(d)).Selection, "dialog#resume-dialog[data-testid=resume-dialog]")
		attr(t, dlg, "aria-labelledby", "resume-dialog-title")
		escaped(t, one(t, dlg, "#resume-dialog-title"))
		present(t, dlg, "[data-testid=resume-run-once]", tt.runOnce)
		forms := dlg.Find("form")
		if want := map[bool]int{true: 2, false: 1}[tt.runOnce]; forms.Length() != want {
			t.Fatalf("missed %d: got %d forms, want %d", tt.missed, forms.Length(), want)
		}
		forms.Each(func(_ int, f *goquery.Selection) {
			postsTo(t, f, "/jobs/nightly/resume")
			attrs(t, f, "hx-target", "#job-nightly", "hx-swap", "outerHTML")
		})
		one(t, dlg, "[data-testid=resume-just]")
		one(t, dlg, "button[data-close-dialog][data-testid=resume-cancel]")
		if tt.runOnce {
			attr(t, one(t, dlg, "form:has([data-testid=resume-run-once]) input[name=run_missed]"), "value", "1")
			n := one(t, dlg, "[data-testid=missed-count]")
			text(t, n, tt.words)
			attr(t, n, "data-count", itoa(tt.missed))
		} else {
			text(t, one(t, dlg, "[data-testid=resume-missed]"), "It missed no scheduled run while paused.")
		}
	}
}
