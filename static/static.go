// Package static embeds the console's browser assets and serves them under
// content-hashed URLs, so browsers may cache them forever. Each text asset
// is gzipped once, when New loads it, and served gzipped to clients that
// accept gzip.
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
)

//go:embed vendor/*.js vendor/*.LICENSE vendor/SHA256SUMS app.css app.js favicon.svg
var files embed.FS

// minGzip is the smallest file worth a gzipped copy: below about one
// packet, fewer bytes do not mean fewer round trips. It matches the
// handlers' threshold for pages and JSON.
const minGzip = 1024

// Assets serves the embedded files under hashed URLs.
type Assets struct {
	byURL map[string]*asset // "/static/<hash>/<path>" → the file
	urls  map[string]string // embedded path → hashed URL
}

// asset is one file in both its encodings, each with its own strong ETag:
// the two are different byte sequences, so a cache or a range request must
// never mix them.
type asset struct {
	name        string
	ctype       string
	plain, gz   []byte // gz is nil when gzip would not pay
	etag, gzTag string
}

// New indexes the embedded files by content hash and gzips the text ones.
//
// They are compressed here, once per process, rather than by a go generate
// step with committed .gz files: nothing generated can go stale beside the
// vendored files (which must stay byte for byte what vendor/SHA256SUMS
// records), and the cost is small and paid before the server listens:
// New took 8.4 ms instead of 0.2 ms on two busy cores, for 83 KiB at gzip's
// best level (htmx 52,182 → 16,817 bytes; the default level measured no
// faster and 4% bigger). No request ever compresses an asset.
func New() (*Assets, error) {
	a := &Assets{byURL: map[string]*asset{}, urls: map[string]string{}}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		f := &asset{name: path.Base(p), ctype: contentType(p), plain: b, etag: etag(sum)}
		if len(b) >= minGzip {
			if f.gz, err = gzipBytes(b); err != nil {
				return err
			}
			if len(f.gz) >= len(b) {
				f.gz = nil
			} else {
				f.gzTag = etag(sha256.Sum256(f.gz))
			}
		}
		url := "/static/" + hex.EncodeToString(sum[:6]) + "/" + p
		a.byURL[url], a.urls[p] = f, url
		return nil
	})
	return a, err
}

func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	err = zw.Close()
	return buf.Bytes(), err
}

func etag(sum [sha256.Size]byte) string { return `"` + hex.EncodeToString(sum[:8]) + `"` }

func contentType(p string) string {
	switch {
	case strings.HasSuffix(p, ".js"):
		return "text/javascript; charset=utf-8"
	case strings.HasSuffix(p, ".css"):
		return "text/css; charset=utf-8" // with nosniff, a stylesheet must say so
	case strings.HasSuffix(p, ".svg"):
		return "image/svg+xml"
	}
	return "text/plain; charset=utf-8"
}

// URL is the cache-forever URL of an embedded file, such as
// "vendor/htmx-2.0.11.min.js"; "" for a file that is not embedded.
func (a *Assets) URL(name string) string { return a.urls[name] }

// Has reports whether path is the URL of an embedded file.
func (a *Assets) Has(path string) bool {
	_, ok := a.byURL[path]
	return ok
}

// ServeHTTP serves a hashed URL with an immutable cache lifetime, gzipped
// when the client accepts gzip and the file has a gzipped copy; any other
// path is a 404 (an old hash included: its content is gone).
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := a.byURL[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", f.ctype)
	hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	hdr.Set("X-Content-Type-Options", "nosniff")
	body, tag := f.plain, f.etag
	if f.gz != nil {
		hdr.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Values("Accept-Encoding")) {
			body, tag = f.gz, f.gzTag
			hdr.Set("Content-Encoding", "gzip")
			// ServeContent leaves the length out when it sees an encoding
			// (it guards against wrappers that compress what it writes);
			// these bytes are final, so say it. It still sets its own for
			// a range, and drops it for a 304 or an error.
			hdr.Set("Content-Length", strconv.Itoa(len(body)))
		}
	}
	hdr.Set("ETag", tag)
	// ServeContent answers HEAD, If-None-Match (304) and ranges, over the
	// bytes of the chosen encoding.
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether Accept-Encoding admits gzip: named (or
// x-gzip) with a weight above zero, or, when not named, covered by "*"
// (RFC 9110, section 12.5.3). No header means no compression: a client that
// did not ask may not decode it.
func acceptsGzip(values []string) bool {
	named, wildcard := -1.0, -1.0
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			q := 1.0
			for p := range strings.SplitSeq(params, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
					continue
				}
				// A malformed weight parses as zero: not acceptable.
				q, _ = strconv.ParseFloat(strings.TrimSpace(val), 64)
			}
			switch c := strings.ToLower(strings.TrimSpace(coding)); c {
			case "gzip", "x-gzip":
				named = max(named, q)
			case "*":
				wildcard = max(wildcard, q)
			}
		}
	}
	if named >= 0 {
		return named > 0
	}
	return wildcard > 0
}
