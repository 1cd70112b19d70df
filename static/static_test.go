package static

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

// The vendored files match the checksums recorded when they were fetched
// from the npm registry, and are served under hashed, immutable URLs.
func TestVendoredAssets(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	sums, err := files.ReadFile("vendor/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(string(sums)))
	n := 0
	for sc.Scan() {
		want, name, _ := strings.Cut(sc.Text(), "  ")
		b, err := files.ReadFile("vendor/" + name)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Fatalf("%s: sha256 %s, want %s", name, got, want)
		}
		url := a.URL("vendor/" + name)
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
		body, _ := io.ReadAll(rec.Body)
		if rec.Code != 200 || string(body) != string(b) || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
			t.Fatalf("GET %s: %d, %d bytes, %q", url, rec.Code, len(body), rec.Header().Get("Cache-Control"))
		}
		n++
	}
	if n != 2 || a.URL("vendor/htmx-2.0.11.min.js") == "" || a.URL("vendor/htmx-ext-sse-2.2.4.js") == "" {
		t.Fatalf("checked %d files, want htmx and its SSE extension", n)
	}
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, httptest.NewRequest("GET", "/static/000000000000/vendor/htmx-2.0.11.min.js", nil))
	if rec.Code != 404 {
		t.Fatalf("stale hash: got %d, want 404", rec.Code)
	}
}
