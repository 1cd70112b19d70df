// Package static embeds the console's browser assets and serves them under
// content-hashed URLs, so browsers may cache them forever.
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed vendor/*.js vendor/*.LICENSE vendor/SHA256SUMS app.css app.js
var files embed.FS

// Assets serves the embedded files under hashed URLs.
type Assets struct {
	byURL map[string]string // "/static/<hash>/<path>" → embedded path
	urls  map[string]string // embedded path → hashed URL
}

// New indexes the embedded files by content hash.
func New() (*Assets, error) {
	a := &Assets{byURL: map[string]string{}, urls: map[string]string{}}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		url := "/static/" + hex.EncodeToString(sum[:6]) + "/" + p
		a.byURL[url], a.urls[p] = p, url
		return nil
	})
	return a, err
}

// URL is the cache-forever URL of an embedded file, such as
// "vendor/htmx-2.0.11.min.js"; "" for a file that is not embedded.
func (a *Assets) URL(name string) string { return a.urls[name] }

// ServeHTTP serves a hashed URL with an immutable cache lifetime; any other
// path is a 404 (an old hash included: its content is gone).
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, ok := a.byURL[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, _ := files.ReadFile(p) // present: indexed from the same FS
	ctype := "text/plain; charset=utf-8"
	switch {
	case strings.HasSuffix(p, ".js"):
		ctype = "text/javascript; charset=utf-8"
	case strings.HasSuffix(p, ".css"):
		ctype = "text/css; charset=utf-8" // with nosniff, a stylesheet must say so
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, path.Base(p), time.Time{}, bytes.NewReader(b))
}
