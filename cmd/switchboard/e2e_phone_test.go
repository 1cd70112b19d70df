// The console on a phone, the pause menu, the settings form and the
// provider cards in Debian's Chromium: issue 13 items 5, 6, 8 and 9.
//
//	test                          item  guards
//	TestBrowserPhoneLayout        5     every page fits 390 px; the pause menu's fields are on screen; the top bar is at most two rows
//	TestBrowserPauseMenu          8     Escape and an outside click close the pause menu (focus back on its summary); a stale menu's pause is refused as changed elsewhere
//	TestBrowserSettingsConflict   9     a rejected save shows the stored value as "Now:"; a live change updates an untouched field and marks a touched one; a stale save is refused
//	TestBrowserProviderCards      6     a second provider's key does not take over; deleting the active provider says which one is active now; a deleted card offers no test

package main

import (
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserPhoneLayout visits every page at 390×844.
func TestBrowserPhoneLayout(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "phone.db"), map[string]string{"SWITCHBOARD_ADMIN_PASSWORD": adminPassword})
	if status, m := s.call(t, "POST", "/api/settings/ai-provider", `{"provider":"openai","api_key":"sk-phone-openai-1111"}`); status != 200 {
		t.Fatalf("add provider: %d %v", status, m)
	}
	p := newBrowser(t, phone)
	do(t, p, "open the login page", chromedp.Navigate(s.url+"/login"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-form]`)))
	fitsWidth(t, p, "/login")
	signInBrowser(t, p, s.url, "admin", adminPassword)
	waitLive(t, p)
	fitsWidth(t, p, "/jobs")
	// The bar's brand, links and session controls sit in at most two rows.
	if over := evalJS[string](t, p, `(() => {
		const rows = [];
		for (const e of document.querySelectorAll('.topbar .brand, .topbar nav a, .topbar .session > *')) {
			const r = e.getBoundingClientRect();
			if (r.width === 0) continue;
			const mid = (r.top + r.bottom) / 2;
			if (!rows.some(row => mid >= row.top && mid <= row.bottom)) rows.push({top: r.top, bottom: r.bottom});
		}
		const h = document.querySelector('.topbar').getBoundingClientRect().height;
		return rows.length <= 2 ? '' : 'the top bar takes ' + rows.length + ' rows, ' + Math.round(h) + 'px';
	})()`); over != "" {
		t.Errorf("on a phone: %s", over)
	}

	const job = "technical_monitor"
	do(t, p, "open the pause menu", chromedp.Click(chromedp.CSS(`#job-`+job+` [data-testid=pause-open]`)),
		chromedp.WaitVisible(chromedp.CSS(`#job-`+job+` [data-testid=pause-reason]`)))
	if off := evalJS[string](t, p, `(() => {
		const w = document.documentElement.clientWidth;
		for (const e of document.querySelectorAll('#job-`+job+` .pause-menu form, #job-`+job+` .pause-menu input, #job-`+job+` .pause-menu select, #job-`+job+` .pause-menu button')) {
			const r = e.getBoundingClientRect();
			if (r.left < 0 || r.right > w) return (e.dataset.testid || e.tagName) + ' spans ' + Math.round(r.left) + '..' + Math.round(r.right) + ' of ' + w;
		}
		return '';
	})()`); off != "" {
		t.Errorf("the pause menu on a phone: %s", off)
	}
	fitsWidth(t, p, "/jobs with the pause menu open")
	screenshot(t, p, "11-phone-pause-menu")

	for _, page := range []struct{ path, sel string }{
		{"/jobs/" + job, `[data-testid=schedule-editor]`},
		{"/jobs/new", `[data-testid=job-form]`},
		{"/history", `[data-testid=runs-table]`},
		{"/audit", `[data-testid=audit-table]`},
		{"/settings", `[data-testid=settings-form]`},
		{"/providers", `[data-testid=provider-card]`},
		{"/users", `[data-testid=new-user-form]`},
	} {
		do(t, p, "open "+page.path, chromedp.Navigate(s.url+page.path), chromedp.WaitVisible(chromedp.CSS(page.sel)))
		fitsWidth(t, p, page.path)
	}
	do(t, p, "the job page's pause menu", chromedp.Navigate(s.url+"/jobs/"+job),
		chromedp.Click(chromedp.CSS(`[data-testid=job-summary] [data-testid=pause-open]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=job-summary] [data-testid=pause-reason]`)))
	fitsWidth(t, p, "/jobs/"+job+" with the pause menu open")
}

// TestBrowserPauseMenu: the pause menu closes as menus do, and a pause from
// a menu left open while the job changed elsewhere is refused.
func TestBrowserPauseMenu(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "pause.db"), map[string]string{"SWITCHBOARD_ADMIN_PASSWORD": adminPassword})
	a := newBrowser(t, desktop)
	signInBrowser(t, a, s.url, "admin", adminPassword)
	waitLive(t, a)
	const job = "technical_monitor"
	row := `#job-` + job
	open := func(what string) {
		t.Helper()
		do(t, a, what, chromedp.Click(chromedp.CSS(row+` [data-testid=pause-open]`)), chromedp.WaitVisible(chromedp.CSS(row+` [data-testid=pause-reason]`)))
		waitJS(t, a, "the reason field focused", `document.activeElement === document.querySelector('`+row+` [data-testid=pause-reason]')`)
	}
	closed := rowJS(job, `!r.querySelector('details.pause-menu').open`)
	summaryFocused := `document.activeElement === document.querySelector('` + row + ` [data-testid=pause-open]')`

	open("open the pause menu")
	do(t, a, "press Escape", chromedp.KeyEvent(kb.Escape))
	waitJS(t, a, "Escape to close the menu", closed)
	waitJS(t, a, "the focus back on the menu's button", summaryFocused)

	open("open the pause menu again")
	do(t, a, "click outside the menu", chromedp.Click(chromedp.CSS(`h1`)))
	waitJS(t, a, "a click outside to close the menu", closed)
	waitJS(t, a, "the focus back on the menu's button", summaryFocused)

	// The menu stays open while someone pauses the job elsewhere: the row
	// is held back (and says so), and the stale menu's pause is refused.
	open("open the pause menu a third time")
	do(t, a, "type a reason", chromedp.SendKeys(chromedp.CSS(row+` [data-testid=pause-reason]`), "mine"))
	if status, m := s.call(t, "POST", "/api/scheduler/jobs/"+job+"/pause", `{"reason":"set elsewhere"}`); status != 200 {
		t.Fatalf("API pause: %d %v", status, m)
	}
	waitJS(t, a, "the open row to be marked changed", rowJS(job, `r.dataset.changed === 'true' && !!r.querySelector('details.pause-menu[open]')`))
	expectConsole(t, a, "the server responded with a status of 409") // the refusal, on purpose
	do(t, a, "pause from the stale menu", chromedp.Click(chromedp.CSS(row+` [data-testid=pause]`)))
	waitJS(t, a, "the toast to say the job changed elsewhere",
		`[...document.querySelectorAll('[data-testid=toast]')].some(e => e.textContent.includes('changed elsewhere'))`)
	waitJS(t, a, "the row to show the reason set elsewhere", rowJS(job, `r.dataset.state === 'paused' && r.querySelector('[data-testid=paused-reason]').textContent === 'set elsewhere'`))
	if _, m := s.call(t, "GET", "/api/scheduler/jobs/"+job, ""); m["paused_reason"] != "set elsewhere" {
		t.Fatalf("the stale menu overwrote the reason: %v", m["paused_reason"])
	}
	screenshot(t, a, "12-pause-conflict")

	// The job page's menu: resumed elsewhere while it is open.
	if status, m := s.call(t, "POST", "/api/scheduler/jobs/"+job+"/resume", ``); status != 200 {
		t.Fatalf("API resume: %d %v", status, m)
	}
	do(t, a, "open the job page", chromedp.Navigate(s.url+"/jobs/"+job), chromedp.WaitVisible(chromedp.CSS(`[data-testid=job-summary] [data-testid=pause-open]`)))
	waitLive(t, a)
	do(t, a, "open its pause menu", chromedp.Click(chromedp.CSS(`[data-testid=job-summary] [data-testid=pause-open]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=job-summary] [data-testid=pause-reason]`)))
	do(t, a, "press Escape", chromedp.Focus(chromedp.CSS(`[data-testid=job-summary] [data-testid=pause-reason]`)), chromedp.KeyEvent(kb.Escape))
	waitJS(t, a, "Escape to close the job page's menu", `!document.querySelector('[data-testid=job-summary] details.pause-menu').open`)
	do(t, a, "open it again and type", chromedp.Click(chromedp.CSS(`[data-testid=job-summary] [data-testid=pause-open]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=job-summary] [data-testid=pause-reason]`), "mine"))
	if status, m := s.call(t, "POST", "/api/scheduler/jobs/"+job+"/pause", `{"reason":"set elsewhere again"}`); status != 200 {
		t.Fatalf("API pause: %d %v", status, m)
	}
	waitJS(t, a, "the summary to be marked changed", `document.querySelector('[data-testid=job-summary]').dataset.changed === 'true'`)
	expectConsole(t, a, "the server responded with a status of 409") // the refusal, on purpose
	do(t, a, "pause from the stale menu", chromedp.Click(chromedp.CSS(`[data-testid=job-summary] [data-testid=pause]`)))
	waitJS(t, a, "the summary to show the reason set elsewhere",
		`document.querySelector('[data-testid=job-summary] [data-testid=paused-reason]')?.textContent === 'set elsewhere again'`)
	if _, m := s.call(t, "GET", "/api/scheduler/jobs/"+job, ""); m["paused_reason"] != "set elsewhere again" {
		t.Fatalf("the job page's stale menu overwrote the reason: %v", m["paused_reason"])
	}
}

// TestBrowserSettingsConflict: "Now:" is the stored value, a live change
// reaches an untouched field, and a stale form's save is refused.
func TestBrowserSettingsConflict(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "settings.db"), map[string]string{"SWITCHBOARD_ADMIN_PASSWORD": adminPassword})
	a := newBrowser(t, desktop)
	signInBrowser(t, a, s.url, "admin", adminPassword)
	const tz, days = `[data-testid="setting-scheduler.timezone"]`, `[data-testid="setting-history.retention_days"]`
	now := func(key string) string {
		return `document.querySelector('[data-testid=setting-value][data-key="` + key + `"]').textContent`
	}
	type_ := func(what, sel, value string) {
		t.Helper()
		do(t, a, what, chromedp.Evaluate[chromedp.Void](`document.querySelector('`+sel+`').value = ''`), chromedp.SendKeys(chromedp.CSS(sel), value))
	}
	do(t, a, "open settings", chromedp.Navigate(s.url+"/settings"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=settings-form]`)))
	waitLive(t, a)

	// A rejected save: the field keeps the typed value, "Now:" the stored.
	type_("type an unknown zone", tz, "Mars/Olympus")
	expectConsole(t, a, "the server responded with a status of 422") // the refusal, on purpose
	do(t, a, "save", chromedp.Click(chromedp.CSS(`[data-testid=save-settings]`)))
	waitJS(t, a, "the field's error", `!!document.querySelector('[data-testid="error-scheduler.timezone"]')`)
	if got := evalJS[string](t, a, now("scheduler.timezone")); got != "America/New_York" {
		t.Errorf("after a rejected save Now: says %q, want the stored America/New_York", got)
	}
	if got := evalJS[string](t, a, `document.querySelector('`+tz+`').value`); got != "Mars/Olympus" {
		t.Errorf("after a rejected save the field holds %q, want what was typed", got)
	}
	screenshot(t, a, "13-settings-rejected")

	// A live change reaches a field left as it was.
	do(t, a, "reload settings", chromedp.Navigate(s.url+"/settings"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=settings-form]`)))
	waitLive(t, a)
	if status, m := s.call(t, "PUT", "/api/settings/history.retention_days", `{"value":"45"}`); status != 200 {
		t.Fatalf("API set: %d %v", status, m)
	}
	waitJS(t, a, "the untouched field to take the new value", `document.querySelector('`+days+`').value === '45' && `+now("history.retention_days")+` === '45'`)

	// A field being edited keeps what was typed and says it changed
	// elsewhere; saving it is refused, and saving again replaces it.
	type_("type a zone", tz, "Europe/Paris")
	if status, m := s.call(t, "PUT", "/api/settings/scheduler.timezone", `{"value":"Asia/Tokyo"}`); status != 200 {
		t.Fatalf("API set: %d %v", status, m)
	}
	waitJS(t, a, "Now: to show the new zone and the typed field to say it changed elsewhere",
		now("scheduler.timezone")+` === 'Asia/Tokyo' && document.querySelector('`+tz+`').value === 'Europe/Paris' && !!document.querySelector('[data-testid=setting-changed]')`)
	expectConsole(t, a, "the server responded with a status of 409") // the refusal, on purpose
	do(t, a, "save the stale form", chromedp.Click(chromedp.CSS(`[data-testid=save-settings]`)))
	waitJS(t, a, "the refusal to say the settings changed elsewhere",
		`(document.querySelector('#settings-form [data-testid=form-error]') || {}).textContent?.includes('changed elsewhere')`)
	if _, m := s.call(t, "GET", "/api/settings/scheduler.timezone", ""); m["value"] != "Asia/Tokyo" {
		t.Fatalf("the stale form undid the other change: %v", m["value"])
	}
	screenshot(t, a, "14-settings-conflict")
	do(t, a, "save again", chromedp.Click(chromedp.CSS(`[data-testid=save-settings]`)))
	waitJS(t, a, "saved", `!!document.querySelector('[data-testid=settings-saved]')`)
	if _, m := s.call(t, "GET", "/api/settings/scheduler.timezone", ""); m["value"] != "Europe/Paris" {
		t.Fatalf("saving again after the conflict: timezone %v", m["value"])
	}
	if _, m := s.call(t, "GET", "/api/settings/history.retention_days", ""); m["value"] != "45" {
		t.Fatalf("saving again undid the retention set elsewhere: %v", m["value"])
	}
}

// TestBrowserProviderCards: saving keys and deleting the active provider on
// the providers page, as the cards and toasts show it.
func TestBrowserProviderCards(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "providers.db"), map[string]string{"SWITCHBOARD_ADMIN_PASSWORD": adminPassword})
	a := newBrowser(t, desktop)
	signInBrowser(t, a, s.url, "admin", adminPassword)
	do(t, a, "open providers", chromedp.Navigate(s.url+"/providers"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=provider-card]`)))
	waitLive(t, a)
	card := func(name string) string { return `[data-testid=provider-card][data-provider=` + name + `]` }
	toastSays := func(text string) string {
		return `[...document.querySelectorAll('[data-testid=toast]')].some(e => e.textContent.includes('` + text + `'))`
	}
	status := func(name, want string) string {
		return `document.querySelector('` + card(name) + ` [data-testid=provider-status]').dataset.status === '` + want + `'`
	}
	for _, name := range []string{"openai", "anthropic"} {
		do(t, a, "save a key for "+name, chromedp.SendKeys(chromedp.CSS(card(name)+` [data-testid=provider-key-input]`), "sk-e2e-"+name+"-1234"),
			chromedp.Click(chromedp.CSS(card(name)+` [data-testid=provider-save]`)))
		waitJS(t, a, name+" configured", `!!document.querySelector('`+card(name)+` [data-testid=provider-saved]')`)
	}
	waitJS(t, a, "the first key's toast to say it was made active", toastSays("OpenAI saved and made active"))
	waitJS(t, a, "the second key's toast to say only saved", toastSays("Anthropic saved."))
	waitJS(t, a, "OpenAI to stay active, Anthropic configured", status("openai", "active")+` && `+status("anthropic", "configured"))

	// The confirmation is the browser's own dialog: accept it.
	do(t, a, "delete the active provider", chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(chromedp.CSS(card("openai")+` [data-testid=provider-delete]`)))
	waitJS(t, a, "the toast to say who took over", toastSays("Anthropic is now the active provider"))
	waitJS(t, a, "Anthropic active, OpenAI unconfigured", status("anthropic", "active")+` && `+status("openai", "unconfigured"))
	waitJS(t, a, "the deleted card to offer no connection test", `!document.querySelector('`+card("openai")+` [data-testid=provider-test]') && !!document.querySelector('`+card("anthropic")+` [data-testid=provider-test]')`)
	waitJS(t, a, "the deleted card's form to ask for a key again", `!document.querySelector('`+card("openai")+` [data-testid=provider-saved]') && document.querySelector('`+card("openai")+` [data-testid=provider-key-input]').placeholder === 'paste the key'`)
	screenshot(t, a, "15-providers-after-delete")
}
