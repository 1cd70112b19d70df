package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"switchboard/models"
	"switchboard/static"
)

// wireSection measures section 7: the bytes each answer puts on the wire,
// without and with Accept-Encoding: gzip, and what compressing costs the
// server for the largest answers.
func wireSection(w io.Writer, renders int) error {
	progress("wire: 1,000 jobs")
	big, err := startApp(1000)
	if err != nil {
		return err
	}
	defer big.stop()
	cookie, err := signInCookie(big)
	if err != nil {
		return err
	}
	progress("wire: 50 jobs")
	small, err := startApp(50)
	if err != nil {
		return err
	}
	defer small.stop()
	assets, err := static.New()
	if err != nil {
		return err
	}
	assetsURL, stopAssets, err := serve(assets)
	if err != nil {
		return err
	}
	defer stopAssets()

	bearer := "Bearer " + token
	t := table{head: []string{"answer", "uncompressed", "gzip", "ratio"}}
	for _, c := range []struct {
		name, base, path, header, value string
	}{
		{"`GET /jobs`, 1,000 jobs (HTML)", big.url, "/jobs", "Cookie", cookie},
		{"`GET /api/scheduler/jobs`, 1,000 jobs (JSON)", big.url, "/api/scheduler/jobs", "Authorization", bearer},
		{"`GET /api/scheduler/jobs`, 50 jobs (JSON)", small.url, "/api/scheduler/jobs", "Authorization", bearer},
		{"`htmx-2.0.11.min.js` (static)", assetsURL, assets.URL("vendor/htmx-2.0.11.min.js"), "", ""},
	} {
		plain, err := onTheWire(c.base+c.path, c.header, c.value, "")
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		zipped, err := onTheWire(c.base+c.path, c.header, c.value, "gzip")
		if err != nil {
			return fmt.Errorf("%s, gzip: %w", c.name, err)
		}
		t.add(c.name, bytesText(plain), bytesText(zipped), ratio(float64(zipped), float64(plain)))
	}

	// The server's time for the two largest answers, the router called
	// directly: what gzip costs in CPU for what it saves on the wire.
	timing := table{head: []string{"server time, p50", "uncompressed", "gzip", "ratio"}}
	for _, c := range []struct{ name, path, header, value string }{
		{"`GET /jobs`, 1,000 jobs", "/jobs", "Cookie", cookie},
		{"`GET /api/scheduler/jobs`, 1,000 jobs", "/api/scheduler/jobs", "Authorization", bearer},
	} {
		var plain, zipped latencies
		for range renders {
			for _, enc := range []string{"", "gzip"} {
				req := httptest.NewRequest("GET", c.path, nil)
				req.Header.Set(c.header, c.value)
				if enc != "" {
					req.Header.Set("Accept-Encoding", enc)
				}
				rec := httptest.NewRecorder()
				t0 := time.Now()
				big.handler.ServeHTTP(rec, req)
				d := time.Since(t0)
				if rec.Code != 200 || rec.Header().Get("Content-Encoding") != enc {
					return fmt.Errorf("%s: %d, Content-Encoding %q, want 200 %q", c.path, rec.Code, rec.Header().Get("Content-Encoding"), enc)
				}
				if enc == "" {
					plain = append(plain, d)
				} else {
					zipped = append(zipped, d)
				}
			}
		}
		plain, zipped = plain.sorted(), zipped.sorted()
		timing.add(c.name, ms(plain.q(0.5)), ms(zipped.q(0.5)), ratio(float64(zipped.q(0.5)), float64(plain.q(0.5))))
	}

	fmt.Fprintf(w, "## 7. Bytes on the wire\n\n")
	fmt.Fprintf(w, "Bytes a client reads from the connection for one answer (status line, headers and body) over loopback "+
		"HTTP/1.1, without Accept-Encoding and with `Accept-Encoding: gzip`. HTML and JSON of 1 KiB or more are gzipped "+
		"per request; static files were gzipped once at start-up; live streams are never compressed. The ratio is "+
		"gzip over uncompressed: below 1× is fewer bytes.\n\n")
	t.write(w)
	fmt.Fprintf(w, "What compressing costs the server, %d requests each way, the router called directly.\n\n", renders)
	timing.write(w)
	return nil
}

// onTheWire is the number of bytes read from a fresh connection for one GET
// (status line, headers and body as sent), with Accept-Encoding set to
// acceptEncoding ("" sends none). The body is read to its end.
func onTheWire(url, header, value, acceptEncoding string) (int64, error) {
	var n atomic.Int64
	dialer := &net.Dialer{}
	client := &http.Client{
		Transport: &http.Transport{
			DisableCompression: true, // send only the Accept-Encoding asked for, and decode nothing
			DisableKeepAlives:  true,
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				c, err := dialer.DialContext(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				return &countingConn{Conn: c, n: &n}, nil
			},
		},
		Timeout: 30 * time.Second,
	}
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return 0, err
	}
	if header != "" {
		req.Header.Set(header, value)
	}
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != 200 {
		return 0, fmt.Errorf("status %d", resp.StatusCode)
	}
	if got := resp.Header.Get("Content-Encoding"); got != acceptEncoding {
		return 0, fmt.Errorf("Content-Encoding %q, want %q", got, acceptEncoding)
	}
	return n.Load(), nil
}

// countingConn counts the bytes read from a connection.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingConn) Read(b []byte) (int, error) {
	k, err := c.Conn.Read(b)
	c.n.Add(int64(k))
	return k, err
}

func bytesText(n int64) string {
	if n >= 10<<10 {
		return fmt.Sprintf("%d bytes (%.0f KiB)", n, float64(n)/1024)
	}
	return fmt.Sprintf("%d bytes", n)
}

// signInCookie creates an admin and signs in through the form, returning
// the session cookie ("name=value").
func signInCookie(a *app) (string, error) {
	if _, err := a.store.CreateUser(context.Background(), "wire", "wire password 123", models.RoleAdmin); err != nil {
		return "", err
	}
	req := httptest.NewRequest("POST", "/login", strings.NewReader("username=wire&password=wire+password+123"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	a.handler.ServeHTTP(rec, req)
	cookie, _, _ := strings.Cut(rec.Header().Get("Set-Cookie"), ";")
	if rec.Code != http.StatusSeeOther || cookie == "" {
		return "", fmt.Errorf("sign in: %d", rec.Code)
	}
	return cookie, nil
}
