package handlers_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

const testPassword = "correct horse battery"

// browser is a signed-in session against env, as a browser holds one: a
// cookie jar, form posts, and htmx requests when asked.
type browser struct {
	t      *testing.T
	e      *env
	client *http.Client
}

// signIn creates a user with role and signs in through the form.
func (e *env) signIn(t *testing.T, username, role string) *browser {
	t.Helper()
	if _, err := e.store.CreateUser(t.Context(), username, testPassword, role); err != nil {
		t.Fatal(err)
	}
	b := e.anonymous(t)
	status, doc, _ := b.post("/login", url.Values{"username": {username}, "password": {testPassword}, "next": {"/jobs"}}, false)
	if status != http.StatusOK || doc.Find(`[data-testid=current-user]`).Length() != 1 {
		t.Fatalf("sign in as %s: got %d", username, status)
	}
	return b
}

// anonymous is a browser with no session.
func (e *env) anonymous(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, e: e, client: &http.Client{Jar: jar}}
}

// noRedirects is the same session, stopping at the first answer.
func (b *browser) noRedirects() *browser {
	c := *b.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: b.t, e: b.e, client: &c}
}

func (b *browser) do(req *http.Request) (int, *goquery.Document, http.Header) {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	// A row fragment, as htmx swaps it, parses only inside a table.
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("<tr")) {
		raw = append(append([]byte("<table><tbody>"), raw...), "</tbody></table>"...)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(raw))
	if err != nil {
		b.t.Fatal(err)
	}
	return resp.StatusCode, doc, resp.Header
}

// get fetches a page; headers are name, value pairs (an htmx request's).
func (b *browser) get(path string, headers ...string) (int, *goquery.Document, http.Header) {
	b.t.Helper()
	req, err := http.NewRequest("GET", b.e.srv.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

// getRaw fetches a page's bytes as sent.
func (b *browser) getRaw(path string) (int, string) {
	b.t.Helper()
	resp, err := b.client.Get(b.e.srv.URL + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp.StatusCode, string(raw)
}

// post sends a form; htmx marks it as htmx sends it.
func (b *browser) post(path string, form url.Values, htmx bool, headers ...string) (int, *goquery.Document, http.Header) {
	b.t.Helper()
	req, err := http.NewRequest("POST", b.e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

// text is the trimmed text of the first match of a data-testid.
func text(doc *goquery.Document, testid string) string {
	return strings.TrimSpace(doc.Find(`[data-testid="` + testid + `"]`).First().Text())
}

func count(doc *goquery.Document, testid string) int {
	return doc.Find(`[data-testid="` + testid + `"]`).Length()
}
