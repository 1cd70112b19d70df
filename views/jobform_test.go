// job.templ, the forms: the schedule editor with its preview, and the
// job's definition (edit and new).
//
//	test                                   guards
//	TestScheduleEditorSavesTheSeenVersion  posts to /jobs/{id}/schedule with the version seen, swaps itself; the preview follows input; a conflict and a save are announced
//	TestScheduleFieldsTieErrorsToTheField  a refused schedule marks the named field aria-invalid, points the fieldset at #error-schedule, keeps the mode and values
//	TestSchedulePreviewShowsRunsOrError    the next runs and DST warnings, or only the error; the crontab line for app.js; ScheduleError holds the message, ScheduleErrorCleared empties it out of band
//	TestJobDefinitionEditAndNew            edit posts to /jobs/{id}/edit with its version, new posts to /jobs with id, kind and its own schedule editor; field errors are tied to fields
//	TestJobDefinitionMaskedWebhook         a masked webhook offers Reveal (htmx, swapping #job-form) and lists the headers set, never their values; a builtin job has no kind fields

package views

import "testing"

func TestScheduleEditorSavesTheSeenVersion(t *testing.T) {
	f := ScheduleForm{JobID: "nightly", Version: 7, Timezone: "Europe/Paris", Mode: "cron", Minute: "0", Hour: "3"}
	form := one(t, parse(t, ScheduleEditor(f, Preview{Describe: "At 03:00"})).Selection, "form#schedule-editor[data-testid=schedule-editor]")
	postsTo(t, form, "/jobs/nightly/schedule")
	attrs(t, form, "hx-target", "this", "hx-swap", "outerHTML")
	attr(t, one(t, form, "input[data-testid=schedule-version]"), "value", "7")
	fs := one(t, form, "fieldset.modes")
	attrs(t, fs, "hx-get", "/jobs/nightly/preview", "hx-target", "#schedule-preview", "hx-include", "closest form")
	hasAttr(t, fs, "aria-describedby", false)
	attr(t, one(t, form, "input[data-testid=mode-cron]"), "checked", "")
	attr(t, one(t, form, "[data-testid=cron-hour]"), "value", "3")
	one(t, form, "#schedule-preview")
	one(t, form, "div#schedule-error")
	count(t, form, "[data-testid=schedule-conflict]", 0)
	count(t, form, "[data-testid=schedule-saved]", 0)

	f.Conflict, f.Saved = nasty, true
	form = one(t, parse(t, ScheduleEditor(f, Preview{})).Selection, "form#schedule-editor")
	c := one(t, form, "[data-testid=schedule-conflict]")
	attr(t, c, "role", "alert")
	escaped(t, c)
	attr(t, one(t, form, "[data-testid=schedule-saved]"), "role", "status")
}

func TestScheduleFieldsTieErrorsToTheField(t *testing.T) {
	f := ScheduleForm{JobID: "nightly", Mode: "interval", Every: "0", Unit: "hours",
		Errors: map[string]string{"schedule": "every must be at least 1", "hours": "too small"}}
	form := one(t, parse(t, ScheduleEditor(f, Preview{})).Selection, "form#schedule-editor")
	attr(t, one(t, form, "fieldset.modes"), "aria-describedby", "error-schedule")
	every := one(t, form, "[data-testid=interval-every]")
	attrs(t, every, "aria-invalid", "true", "aria-describedby", "error-schedule")
	hasAttr(t, one(t, form, "[data-testid=cron-minute]"), "aria-invalid", false)
	attr(t, one(t, form, "input[data-testid=mode-interval]"), "checked", "")
	attr(t, one(t, form, "[data-testid=interval-unit] option[selected]"), "value", "hours")
	text(t, one(t, form, "#schedule-error #error-schedule"), "every must be at least 1")
	count(t, form, "button[data-preset-every][data-preset-unit]", 6)
}

func TestSchedulePreviewShowsRunsOrError(t *testing.T) {
	p := Preview{Describe: "At 03:00", Runs: []string{"2026-01-01T03:00:00Z", "2026-01-02T03:00:00Z"}, Warnings: []string{nasty}, Crontab: "0 3 * * *"}
	div := one(t, parse(t, SchedulePreview(p)).Selection, "div#schedule-preview[data-testid=schedule-preview]")
	attrs(t, div, "aria-live", "polite", "data-crontab", "0 3 * * *")
	text(t, one(t, div, "[data-testid=preview-describe]"), "At 03:00")
	count(t, div, "li[data-testid=preview-run] time[data-schedule]", 2)
	escaped(t, one(t, div, "[data-testid=dst-warning]"))
	count(t, div, "[data-testid=preview-error]", 0)

	div = one(t, parse(t, SchedulePreview(Preview{Error: nasty, Runs: p.Runs})).Selection, "#schedule-preview")
	hasAttr(t, div, "data-crontab", false)
	escaped(t, one(t, div, "[data-testid=preview-error]"))
	count(t, div, "[data-testid=preview-run]", 0)

	msg := one(t, parse(t, ScheduleError(map[string]string{"schedule": nasty})).Selection, "div#schedule-error")
	escaped(t, one(t, msg, "p#error-schedule"))
	count(t, one(t, parse(t, ScheduleError(nil)).Selection, "div#schedule-error"), "*", 0)
	cleared := one(t, parse(t, SchedulePreview(p), ScheduleErrorCleared()).Selection, "div#schedule-error")
	attr(t, cleared, "hx-swap-oob", "true")
	count(t, cleared, "*", 0)
}

func TestJobDefinitionEditAndNew(t *testing.T) {
	edit := JobForm{ID: "nightly", Kind: "prompt", Name: nasty, Version: 7, Message: "Not saved.",
		Errors: map[string]string{"name": "required", "config": "bad url", "config.url": "bad url"}}
	form := one(t, parse(t, JobDefinition(edit)).Selection, "form#job-form[data-testid=job-form]")
	postsTo(t, form, "/jobs/nightly/edit")
	attr(t, form, "hx-target", "this")
	attr(t, one(t, form, "input[type=hidden][name=version]"), "value", "7")
	name := one(t, form, "[data-testid=job-name-input]")
	attrs(t, name, "value", nasty, "aria-describedby", "error-name")
	attr(t, one(t, form, "[data-testid=job-url]"), "aria-describedby", "error-config")
	text(t, one(t, form, "#error-config"), "bad url")
	text(t, one(t, form, "[data-testid=form-error]"), "Not saved.")
	text(t, one(t, form, "[data-testid=save-job]"), "Save")
	count(t, form, "[data-testid=job-id]", 0)
	count(t, form, "fieldset.modes", 0)

	nw := JobForm{IsNew: true, Kind: "webhook", Schedule: ScheduleForm{Mode: "crontab"}, Errors: map[string]string{"id": "taken"}}
	doc := parse(t, NewJobPage(nw))
	form = one(t, doc.Selection, "form#job-form")
	postsTo(t, form, "/jobs")
	count(t, form, "input[name=version]", 0)
	attr(t, one(t, form, "[data-testid=job-id]"), "aria-describedby", "error-id")
	attr(t, one(t, form, "[data-testid=job-kind] option[selected]"), "value", "webhook")
	attr(t, one(t, form, "fieldset.modes"), "hx-get", "/jobs/new/preview")
	one(t, form, "#schedule-preview")
	text(t, one(t, form, "[data-testid=save-job]"), "Create job")
	// A new job carries both kinds' fields whichever is chosen: the kind
	// can still change, and app.css hides the other by the select's value.
	for _, kind := range []string{"webhook", "prompt"} {
		nw.Kind = kind
		kf := one(t, parse(t, JobDefinition(nw)).Selection, "form#job-form div.kind-fields")
		if !kf.HasClass("kind-prompt") || !kf.HasClass("kind-webhook") {
			t.Errorf("new %s job's kind fields: class got %q, want both kinds", kind, kf.AttrOr("class", ""))
		}
	}
}

func TestJobDefinitionMaskedWebhook(t *testing.T) {
	f := JobForm{ID: "hook", Kind: "webhook", Masked: true, HeadersSet: []string{"Authorization", "X-Key"}, Method: "PUT"}
	form := one(t, parse(t, JobDefinition(f)).Selection, "form#job-form")
	reveal := one(t, form, "[data-testid=webhook-masked] button[data-testid=reveal-webhook]")
	attrs(t, reveal, "hx-post", "/jobs/hook/reveal", "hx-target", "#job-form")
	text(t, one(t, form, "fieldset.for-webhook p.hint:last-child"), "Set now: Authorization, X-Key. Leave empty to keep them; values are never shown.")
	text(t, one(t, form, "textarea[name=headers]"), "")
	text(t, one(t, form, "select[name=method] option[selected]"), "PUT")

	f = JobForm{ID: "cleanup", Kind: "builtin"}
	count(t, one(t, parse(t, JobDefinition(f)).Selection, "form#job-form"), "div.kind-fields", 0)
}
