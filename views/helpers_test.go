// Helpers for the component tests: render components into one message,
// parse it as a browser's HTML parser would, and assert on what it holds.
// The tests select by id, data-testid and the attributes htmx and app.js
// read, never by a whole-page snapshot.

package views

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

// nasty is text a user may type that must come out as text, never markup.
const nasty = `<script>alert("x")</script> & 'q'`

// render renders the components one after another, as a handler writes a
// fragment and its out-of-band companions into one response.
func render(t *testing.T, cs ...templ.Component) string {
	t.Helper()
	var buf bytes.Buffer
	for _, c := range cs {
		if err := c.Render(context.Background(), &buf); err != nil {
			t.Fatalf("render: %v", err)
		}
	}
	return buf.String()
}

// parse renders the components and parses them as one document, the way
// htmx hands a response to the browser's parser: bare table parts that
// the parser drops are lost here too.
func parse(t *testing.T, cs ...templ.Component) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(render(t, cs...)))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc
}

// parseInTable parses rows or a table body inside a <table>, where the
// page puts them.
func parseInTable(t *testing.T, cs ...templ.Component) *goquery.Document {
	t.Helper()
	html := "<table>" + render(t, cs...) + "</table>"
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc
}

// one is the only element sel matches in s; the test stops otherwise.
func one(t *testing.T, s *goquery.Selection, sel string) *goquery.Selection {
	t.Helper()
	found := s.Find(sel)
	if found.Length() != 1 {
		t.Fatalf("%s: got %d elements, want 1", sel, found.Length())
	}
	return found
}

// count checks how many elements sel matches in s.
func count(t *testing.T, s *goquery.Selection, sel string, want int) {
	t.Helper()
	if got := s.Find(sel).Length(); got != want {
		t.Errorf("%s: got %d elements, want %d", sel, got, want)
	}
}

// present checks that sel matches in s exactly when want says so.
func present(t *testing.T, s *goquery.Selection, sel string, want bool) {
	t.Helper()
	if got := s.Find(sel).Length() > 0; got != want {
		t.Errorf("%s present: got %v, want %v", sel, got, want)
	}
}

// attr checks an attribute's value on the first element of s.
func attr(t *testing.T, s *goquery.Selection, name, want string) {
	t.Helper()
	got, ok := s.Attr(name)
	if !ok {
		t.Errorf("%s: attribute %s missing, want %q", desc(s), name, want)
		return
	}
	if got != want {
		t.Errorf("%s: %s got %q, want %q", desc(s), name, got, want)
	}
}

// hasAttr checks whether the first element of s carries an attribute.
func hasAttr(t *testing.T, s *goquery.Selection, name string, want bool) {
	t.Helper()
	if _, got := s.Attr(name); got != want {
		t.Errorf("%s: has %s got %v, want %v", desc(s), name, got, want)
	}
}

// text checks s's text with its runs of white space made single spaces.
func text(t *testing.T, s *goquery.Selection, want string) {
	t.Helper()
	if got := squash(s.Text()); got != want {
		t.Errorf("%s: text got %q, want %q", desc(s), got, want)
	}
}

// hrefs lists the href of every element sel matches in s, in order.
func hrefs(s *goquery.Selection, sel string) []string {
	var out []string
	s.Find(sel).Each(func(_ int, a *goquery.Selection) {
		out = append(out, a.AttrOr("href", ""))
	})
	return out
}

// escaped checks that s shows nasty as its text and that no element came
// of it.
func escaped(t *testing.T, s *goquery.Selection) {
	t.Helper()
	if !strings.Contains(s.Text(), nasty) {
		t.Errorf("%s: text got %q, want it to hold %q", desc(s), s.Text(), nasty)
	}
	if n := s.Find("script").Length(); n != 0 {
		t.Errorf("%s: got %d <script> elements from text, want 0", desc(s), n)
	}
}

// noActions checks that s offers a viewer nothing to press or fill in.
func noActions(t *testing.T, s *goquery.Selection) {
	t.Helper()
	for _, sel := range []string{"button", "form", "input:not([type=hidden])", "select:not([disabled])", "details"} {
		if n := s.Find(sel).Length(); n != 0 {
			t.Errorf("%s: got %d %s, want none for a viewer", desc(s), n, sel)
		}
	}
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// desc names an element in a failure message: its tag and id or testid.
func desc(s *goquery.Selection) string {
	if s.Length() == 0 {
		return "(nothing)"
	}
	d := goquery.NodeName(s)
	if id, ok := s.Attr("id"); ok {
		return d + "#" + id
	}
	if id, ok := s.Attr("data-testid"); ok {
		return d + "[data-testid=" + id + "]"
	}
	return d
}

// attrs checks several attributes of the first element of s, given as
// name, value pairs.
func attrs(t *testing.T, s *goquery.Selection, nameValues ...string) {
	t.Helper()
	for i := 0; i+1 < len(nameValues); i += 2 {
		attr(t, s, nameValues[i], nameValues[i+1])
	}
}

// postsTo checks that a form posts to path both without script (action)
// and through htmx (hx-post).
func postsTo(t *testing.T, form *goquery.Selection, path string) {
	t.Helper()
	attrs(t, form, "action", path, "hx-post", path)
}
