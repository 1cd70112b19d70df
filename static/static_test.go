package static

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
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

// A file worth compressing goes out gzipped to a client that accepts gzip
// and plain otherwise, each encoding with its own ETag (a 304 for either)
// and Vary: Accept-Encoding on both; a small file has one encoding only.
func TestAssetEncoding(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	get := func(method, name, acceptEncoding, ifNoneMatch string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(method, a.URL(name), nil)
		if acceptEncoding != "" {
			req.Header.Set("Accept-Encoding", acceptEncoding)
		}
		if ifNoneMatch != "" {
			req.Header.Set("If-None-Match", ifNoneMatch)
		}
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, req)
		return rec
	}
	for _, c := range []struct {
		name, acceptEncoding string
		gzip, vary           bool
	}{
		{"vendor/htmx-2.0.11.min.js", "", false, true},
		{"vendor/htmx-2.0.11.min.js", "gzip", true, true},
		{"vendor/htmx-2.0.11.min.js", "gzip, deflate, br, zstd", true, true},
		{"vendor/htmx-2.0.11.min.js", "br;q=1.0, gzip;q=0.5", true, true},
		{"vendor/htmx-2.0.11.min.js", "gzip;q=0", false, true},
		{"vendor/htmx-2.0.11.min.js", "identity", false, true},
		{"vendor/htmx-2.0.11.min.js", "*", true, true},
		{"vendor/htmx-2.0.11.min.js", "*, gzip;q=0", false, true},
		{"vendor/htmx-ext-sse-2.2.4.js", "gzip", true, true},
		{"app.css", "gzip", true, true},
		{"app.js", "gzip", true, true},
		{"vendor/htmx.LICENSE", "gzip", false, false},
	} {
		t.Run(c.name+" "+c.acceptEncoding, func(t *testing.T) {
			want, err := files.ReadFile(c.name)
			if err != nil {
				t.Fatal(err)
			}
			rec := get("GET", c.name, c.acceptEncoding, "")
			body := rec.Body.Bytes()
			if rec.Code != 200 {
				t.Fatalf("got %d, want 200", rec.Code)
			}
			if got := rec.Header().Get("Content-Encoding"); got != map[bool]string{true: "gzip"}[c.gzip] {
				t.Fatalf("Content-Encoding: got %q, want gzip %v", got, c.gzip)
			}
			if got := rec.Header().Get("Vary") == "Accept-Encoding"; got != c.vary {
				t.Fatalf("Vary: got %q, want Accept-Encoding %v", rec.Header().Get("Vary"), c.vary)
			}
			if got := rec.Header().Get("Content-Length"); got != strconv.Itoa(len(body)) {
				t.Fatalf("Content-Length: got %s, want %d", got, len(body))
			}
			if c.gzip {
				if len(body) >= len(want) {
					t.Fatalf("gzipped: got %d bytes, want fewer than %d", len(body), len(want))
				}
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(body, want) {
				t.Fatalf("body: got %d bytes unlike the file, want its %d", len(body), len(want))
			}
			tag := rec.Header().Get("ETag")
			if c.vary {
				other := get("GET", c.name, map[bool]string{true: "", false: "gzip"}[c.gzip], "")
				if otherTag := other.Header().Get("ETag"); tag == "" || otherTag == tag {
					t.Fatalf("ETag: got %q for both encodings, want one each", tag)
				}
			}
			if rec := get("GET", c.name, c.acceptEncoding, tag); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
				t.Fatalf("If-None-Match %s: got %d with %d bytes, want 304", tag, rec.Code, rec.Body.Len())
			}
			head := get("HEAD", c.name, c.acceptEncoding, "")
			if head.Code != 200 || head.Body.Len() != 0 || head.Header().Get("Content-Length") != rec.Header().Get("Content-Length") ||
				head.Header().Get("Content-Encoding") != rec.Header().Get("Content-Encoding") {
				t.Fatalf("HEAD: got %d, %d bytes, headers %v; want GET's headers and no body", head.Code, head.Body.Len(), head.Header())
			}
		})
	}
}
