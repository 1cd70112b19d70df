// settings.templ, the settings page: the scheduler's settings, the active
// provider and the providers' list. The providers page is in
// providers_test.go.
//
//	test                                      guards
//	TestSettingsFormForAdminAndViewer         each setting sends the value it was loaded at and shows the stored one under the id live updates swap; a viewer's inputs are disabled and there is no save
//	TestSettingsFormShowsErrorsAndConflicts   a refused value is kept and tied to its field while the loaded value still travels, a setting changed elsewhere says so, a conflict is an alert
//	TestActiveProviderForAdminAndViewer       the switch posts to /settings/active-provider with the active one selected; a viewer's select is disabled; no provider links to /providers
//	TestActiveProviderOOBReplacesTheForm      the live update aims outerHTML at #active-provider-form
//	TestSettingsPageHoldsTheLiveParts         the page has the providers' list and instances sections live updates and links use

package views

import "testing"

func settingsView(canWrite bool) SettingsView {
	openai := ProviderItem{Name: "openai", DisplayName: "OpenAI", Status: "configured", Active: true}
	return SettingsView{
		Fields: []SettingField{
			{Key: "scheduler.timezone", Label: "Timezone", Kind: "timezone", Value: "Europe/Paris", Stored: "Europe/Paris", Loaded: "Europe/Paris", Default: "UTC"},
			{Key: "scheduler.max_workers", Label: "Workers", Kind: "number", Value: "4", Stored: "4", Loaded: "4", Default: "10"},
		},
		Active:    ActiveProviderForm{Options: []ProviderItem{openai, {Name: "ollama", DisplayName: "Ollama"}}, CanWrite: canWrite},
		Providers: []ProviderItem{openai},
		CanWrite:  canWrite,
		Zones:     []string{"UTC", "Europe/Paris"},
		Instances: []Instance{{ID: "host-1", Leader: true, Self: true}},
	}
}

func TestSettingsFormForAdminAndViewer(t *testing.T) {
	for _, canWrite := range []bool{true, false} {
		form := one(t, parse(t, SettingsForm(settingsView(canWrite))).Selection, "form#settings-form[data-testid=settings-form]")
		postsTo(t, form, "/settings")
		attrs(t, form, "hx-target", "this", "hx-swap", "outerHTML")
		attr(t, one(t, form, "input[type=hidden][data-testid='setting-loaded-scheduler.max_workers']"), "name", "loaded.scheduler.max_workers")
		tz := one(t, form, "input[data-testid='setting-scheduler.timezone']")
		attrs(t, tz, "list", "zones", "value", "Europe/Paris")
		workers := one(t, form, "input[name='scheduler.max_workers']")
		attr(t, workers, "inputmode", "numeric")
		hasAttr(t, tz, "disabled", !canWrite)
		hasAttr(t, workers, "disabled", !canWrite)
		now := one(t, form, "span#setting-scheduler-max_workers[data-testid=setting-value]")
		attr(t, now, "data-key", "scheduler.max_workers")
		text(t, now, "4")
		count(t, form, "datalist#zones option", 2)
		present(t, form, "button[data-testid=save-settings]", canWrite)
		count(t, form, "[aria-invalid], [data-testid=setting-changed], [data-testid=settings-saved]", 0)
	}
}

func TestSettingsFormShowsErrorsAndConflicts(t *testing.T) {
	v := settingsView(true)
	v.Errors = map[string]string{"scheduler.max_workers": "must be 1 to 100"}
	v.Fields[1].Value = "0" // what was typed; the form was loaded at 4
	v.Fields[0].Changed, v.Fields[0].Stored = true, nasty
	v.Conflict, v.Saved = "Another admin changed the settings.", true
	form := one(t, parse(t, SettingsForm(v)).Selection, "form#settings-form")
	workers := one(t, form, "input[name='scheduler.max_workers']")
	attrs(t, workers, "aria-invalid", "true", "aria-describedby", "error-scheduler.max_workers", "value", "0")
	attr(t, one(t, form, "input[name='loaded.scheduler.max_workers']"), "value", "4")
	text(t, one(t, form, "p[id='error-scheduler.max_workers']"), "must be 1 to 100")
	changed := one(t, form, "label.changed [data-testid=setting-changed]")
	escaped(t, changed)
	text(t, one(t, form, "[data-testid=form-error]"), "Another admin changed the settings.")
	attr(t, one(t, form, "[data-testid=settings-saved]"), "role", "status")
}

func TestActiveProviderForAdminAndViewer(t *testing.T) {
	for _, canWrite := range []bool{true, false} {
		form := one(t, parse(t, ActiveProvider(settingsView(canWrite).Active)).Selection, "form#active-provider-form[data-testid=active-provider-form]")
		postsTo(t, form, "/settings/active-provider")
		attr(t, form, "hx-target", "this")
		sel := one(t, form, "select[name=provider][data-testid=active-provider-select]")
		attr(t, sel, "aria-label", "Active provider")
		hasAttr(t, sel, "disabled", !canWrite)
		attr(t, one(t, sel, "option[selected]"), "value", "openai")
		present(t, form, "button[data-testid=activate-selected]", canWrite)
	}
	form := one(t, parse(t, ActiveProvider(ActiveProviderForm{CanWrite: true, Message: nasty})).Selection, "form#active-provider-form")
	count(t, form, "select", 0)
	attr(t, one(t, form, "a"), "href", "/providers")
	escaped(t, one(t, form, "[data-testid=form-error]"))
}

func TestActiveProviderOOBReplacesTheForm(t *testing.T) {
	doc := parse(t, ProviderListOOB(nil), ActiveProviderOOB(settingsView(true).Active))
	wrap := one(t, doc.Selection, "div[hx-swap-oob^=outerHTML]")
	attr(t, wrap, "hx-swap-oob", "outerHTML:#active-provider-form")
	one(t, wrap, "form#active-provider-form")
}

func TestSettingsPageHoldsTheLiveParts(t *testing.T) {
	doc := parse(t, SettingsPage(settingsView(false)))
	one(t, doc.Selection, "form#settings-form")
	one(t, doc.Selection, "form#active-provider-form")
	list := one(t, doc.Selection, "ul#provider-list[data-testid=provider-list]")
	hasAttr(t, list, "hx-swap-oob", false)
	attr(t, one(t, list, "li[data-testid=provider-item]"), "id", "provider-openai")
	one(t, doc.Selection, "section#instances tr[data-testid=instance-row]")
	count(t, doc.Selection, "button", 0)
}
