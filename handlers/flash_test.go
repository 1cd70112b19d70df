package handlers_test

import (
	"net/http"
	"net/url"
	"testing"
)

// Creating and deleting a job land on another page, which says what was
// done, once; with or without htmx.
func TestCreateAndDeleteToastOnTheNextPage(t *testing.T) {
	e := newEnv(t, nil)
	b := e.signIn(t, "alice", "admin")
	for _, htmx := range []bool{true, false} {
		form := url.Values{"id": {"digest"}, "kind": {"prompt"}, "name": {"Daily digest"}, "prompt": {"Summarise"}, "mode": {"cron"}, "hour": {"8"}, "minute": {"15"}}
		if status, _, _ := b.noRedirects().post("/jobs", form, htmx); status != http.StatusCreated && status != http.StatusSeeOther {
			t.Fatalf("create (htmx %v): %d", htmx, status)
		}
		_, doc, _ := b.get("/jobs/digest")
		if got := text(doc, "toast"); got != "Created Daily digest." {
			t.Errorf("the job's page after a create (htmx %v): toast %q", htmx, got)
		}
		if _, doc, _ := b.get("/jobs/digest"); count(doc, "toast") != 0 {
			t.Errorf("the toast shows again on the next page (htmx %v)", htmx)
		}
		if status, _, _ := b.noRedirects().post("/jobs/digest/delete", nil, htmx); status != http.StatusOK && status != http.StatusSeeOther {
			t.Fatalf("delete (htmx %v): %d", htmx, status)
		}
		_, doc, _ = b.get("/jobs")
		if got := text(doc, "toast"); got != "Deleted Daily digest." {
			t.Errorf("the jobs page after a delete (htmx %v): toast %q", htmx, got)
		}
	}
}
