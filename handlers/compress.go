package handlers

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"
)

// compressMinSize is the smallest answer worth gzipping: below about one
// packet, fewer bytes do not mean fewer round trips.
const compressMinSize = 1024

// compress gzips HTML (pages and htmx fragments) and JSON answers of
// compressMinSize bytes or more for a client whose Accept-Encoding admits
// gzip, whatever their status; every answer it wraps says
// Vary: Accept-Encoding. It buffers the first KiB to decide and never
// compresses HEAD. Our handlers write a finished body in one go, so
// compressing never splits an answer.
//
// Routes keeps the live streams outside it (their frames are encoded once
// and shared by every client, and the writer would hold back a frame until
// a KiB had gathered), and the static files, which carry their own gzipped
// copies. The content-type list is a second guard: text/event-stream is not
// in it.
//
// gzip only: every browser and HTTP client decodes it, and one coding keeps
// one representation per answer to reason about.
func compress(next http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(
		gzhttp.MinSize(compressMinSize),
		gzhttp.ContentTypes([]string{"text/html", "application/json"}),
		gzhttp.EnableZstd(false),
	)
	if err != nil {
		panic(err) // the options are constants: only a programming error gets here
	}
	return wrap(next)
}
