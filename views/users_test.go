// users.templ: the users page, the audit log, sign-in, error pages and
// toasts.
//
//	test                                  guards
//	TestUsersPageOffersActionsOnOthers    each user's row: Disable (confirmed, htmx) or Enable for others, nothing on your own row; the add form posts to /users
//	TestUsersBodyOOBTravelsInATemplate    the rows sent after the add form survive the parser inside <template>, marked hx-swap-oob; the page's own body is not
//	TestNewUserShowsErrorsAndKeepsInput   a refused add keeps the username and role, ties each message to its field, and never echoes the password
//	TestAuditPageListsEntriesEscaped      one row per entry with its action, escaped before/after, the pager; an empty log says so
//	TestLoginPageCarriesNext              the sign-in form posts to /login with the page to return to and the message, escaped
//	TestErrorPageAndToast                 an error page's title and message escaped with a way back; a toast appends to #toasts out of band

package views

import "testing"

func usersView() UsersView {
	return UsersView{Users: []UserRow{
		{Username: "ada", Role: "admin", Created: "2026-01-01T00:00:00Z", Me: true},
		{Username: "bob", Role: "viewer", Created: "2026-01-02T00:00:00Z"},
		{Username: "eve", Role: "viewer", Created: "2026-01-03T00:00:00Z", Disabled: true},
	}}
}

func TestUsersPageOffersActionsOnOthers(t *testing.T) {
	doc := parse(t, UsersPage(usersView()))
	table := one(t, doc.Selection, "table[data-testid=users-table]")
	body := one(t, table, "tbody#users-body")
	hasAttr(t, body, "hx-swap-oob", false)
	count(t, body, "tr[data-testid=user-row]", 3)

	me := one(t, body, "tr[data-username=ada]")
	text(t, one(t, me, "td:first-child"), "ada (you)")
	count(t, me, "form", 0)

	bob := one(t, body, "tr[data-username=bob]")
	form := one(t, bob, "form")
	postsTo(t, form, "/users/bob/disable")
	attrs(t, form, "hx-confirm", "Disable bob and end their sessions?", "hx-target", "body")
	one(t, form, "button[data-testid=disable-user]")
	attr(t, one(t, bob, "time"), "datetime", "2026-01-02T00:00:00Z")

	eve := one(t, body, "tr[data-username=eve]")
	if !eve.HasClass("disabled") {
		t.Errorf("eve's row: class got %q, want disabled", eve.AttrOr("class", ""))
	}
	attr(t, one(t, eve, "form"), "action", "/users/eve/enable")
	count(t, eve, "[data-testid=disable-user]", 0)

	add := one(t, doc.Selection, "form#new-user-form[data-testid=new-user-form]")
	postsTo(t, add, "/users")
	attrs(t, add, "hx-target", "this", "hx-swap", "outerHTML")
}

func TestUsersBodyOOBTravelsInATemplate(t *testing.T) {
	doc := parse(t, NewUser(NewUserForm{Saved: true}), UsersBodyOOB(usersView().Users))
	body := one(t, doc.Selection, "template > tbody#users-body")
	attr(t, body, "hx-swap-oob", "true")
	count(t, body, "tr[data-testid=user-row]", 3)

	empty := one(t, parseInTable(t, UsersBody(nil, false)).Selection, "tbody#users-body")
	count(t, empty, "tr", 0)
}

func TestNewUserShowsErrorsAndKeepsInput(t *testing.T) {
	f := NewUserForm{Username: nasty, Role: "admin", Message: "Could not add the user.",
		Errors: map[string]string{"username": "taken", "password": "too short"}}
	form := one(t, parse(t, NewUser(f)).Selection, "form#new-user-form")
	user := one(t, form, "input[data-testid=new-username]")
	attrs(t, user, "value", nasty, "aria-invalid", "true", "aria-describedby", "error-username")
	text(t, one(t, form, "#error-username"), "taken")
	pw := one(t, form, "input[type=password][data-testid=new-password]")
	attr(t, pw, "aria-describedby", "error-password")
	hasAttr(t, pw, "value", false)
	hasAttr(t, one(t, form, "[data-testid=new-role]"), "aria-invalid", false)
	attr(t, one(t, form, "select[name=role] option[selected]"), "value", "admin")
	text(t, one(t, form, "[data-testid=form-error]"), "Could not add the user.")
	count(t, form, "p.saved", 0)

	form = one(t, parse(t, NewUser(NewUserForm{Saved: true})).Selection, "form#new-user-form")
	one(t, form, "p.saved[role=status]")
	attr(t, one(t, form, "select[name=role] option[selected]"), "value", "viewer")
	count(t, form, "[aria-invalid]", 0)
}

func TestAuditPageListsEntriesEscaped(t *testing.T) {
	rows := []AuditRow{{At: "2026-01-01T00:00:00Z", Actor: "ada", Action: "job.edit", Target: "nightly", Before: nasty, After: `{"name":"b"}`}}
	doc := parse(t, AuditPage(rows, Pager{Page: 1, TotalPages: 1, Total: 1}))
	table := one(t, doc.Selection, "table[data-testid=audit-table]")
	row := one(t, table, "tr[data-testid=audit-row]")
	attr(t, row, "data-action", "job.edit")
	escaped(t, one(t, row, "td.diff:nth-of-type(5)"))
	text(t, one(t, row, "td.diff:nth-of-type(6)"), `{"name":"b"}`)
	one(t, doc.Selection, "nav[data-testid=pager]")
	count(t, doc.Selection, "p.empty", 0)

	doc = parse(t, AuditPage(nil, Pager{Page: 1}))
	count(t, doc.Selection, "tr[data-testid=audit-row]", 0)
	text(t, one(t, doc.Selection, "p.empty"), "Nothing has changed yet.")
}

func TestLoginPageCarriesNext(t *testing.T) {
	f := LoginForm{Username: "ada", Next: "/jobs?q=a&b", Message: nasty}
	form := one(t, parse(t, LoginPage(f)).Selection, "form[data-testid=login-form]")
	attrs(t, form, "method", "post", "action", "/login")
	attr(t, one(t, form, "input[type=hidden][name=next]"), "value", "/jobs?q=a&b")
	attr(t, one(t, form, "input[data-testid=login-username]"), "value", "ada")
	hasAttr(t, one(t, form, "input[type=password][data-testid=login-password]"), "value", false)
	escaped(t, one(t, form, "[data-testid=form-error]"))
	one(t, form, "button[type=submit][data-testid=login-submit]")
}

func TestErrorPageAndToast(t *testing.T) {
	sec := one(t, parse(t, ErrorPage("Not found", nasty)).Selection, "section[data-testid=error-page]")
	text(t, one(t, sec, "h1"), "Not found")
	escaped(t, one(t, sec, "p:first-of-type"))
	attr(t, one(t, sec, "a"), "href", "/jobs")

	wrap := one(t, parse(t, Toast("error", nasty)).Selection, "[hx-swap-oob]")
	attr(t, wrap, "hx-swap-oob", "beforeend:#toasts")
	toast := one(t, wrap, "[data-testid=toast]")
	attrs(t, toast, "class", "toast toast-error", "role", "status")
	escaped(t, toast)
}
