package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"switchboard/models"
)

// pageSection measures section 4: the server's time to answer GET /jobs
// with 1,000 jobs (its first page) for a signed-in admin, calling the router directly (the
// network and the browser are not in it), beside a handler writing the
// same bytes.
func pageSection(w io.Writer, renders int) error {
	progress("jobs page: 1,000 jobs")
	a, err := startApp(1000)
	if err != nil {
		return err
	}
	defer a.stop()
	if _, err := a.store.CreateUser(context.Background(), "bench", "bench password 123", models.RoleAdmin); err != nil {
		return err
	}
	req := httptest.NewRequest("POST", "/login", strings.NewReader("username=bench&password=bench+password+123"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	a.handler.ServeHTTP(rec, req)
	cookie, _, _ := strings.Cut(rec.Header().Get("Set-Cookie"), ";")
	if rec.Code != http.StatusSeeOther || cookie == "" {
		return fmt.Errorf("sign in: %d", rec.Code)
	}
	get := func(h http.Handler) (time.Duration, *httptest.ResponseRecorder) {
		req := httptest.NewRequest("GET", "/jobs", nil)
		req.Header.Set("Cookie", cookie)
		rec := httptest.NewRecorder()
		t0 := time.Now()
		h.ServeHTTP(rec, req)
		return time.Since(t0), rec
	}
	// The page shows the first 50 of the 1,000 jobs; the chips count all.
	_, first := get(a.handler)
	if first.Code != 200 || strings.Count(first.Body.String(), `data-testid="job-row"`) != 50 ||
		!strings.Contains(first.Body.String(), "1–50 of 1,000") {
		return fmt.Errorf("jobs page: %d, %d rows", first.Code, strings.Count(first.Body.String(), `data-testid="job-row"`))
	}
	bare := bareHandler(first.Body.Bytes(), first.Header().Get("Content-Type"))
	var ours, base latencies
	for range renders {
		d, rec := get(a.handler)
		if rec.Code != 200 {
			return fmt.Errorf("jobs page: %d", rec.Code)
		}
		ours = append(ours, d)
		d, _ = get(bare)
		base = append(base, d)
	}
	ours, base = ours.sorted(), base.sorted()
	fmt.Fprintf(w, "## 4. Jobs page with 1,000 jobs\n\n")
	fmt.Fprintf(w, "Server time of `GET /jobs` (its first page of 50 rows, %d KiB of HTML) for a signed-in admin, %d renders, "+
		"the router called directly. The baseline is a handler writing the same bytes, so the ratio is what building the page "+
		"costs over sending it.\n\n", first.Body.Len()>>10, renders)
	t := table{head: []string{"measure", "Switchboard", "same bytes from memory", "ratio", "target"}}
	t.add("p50", ms(ours.q(0.5)), ms(base.q(0.5)), ratio(float64(ours.q(0.5)), float64(base.q(0.5))), "< 5 ms: "+met(ours.q(0.5) < 5*time.Millisecond))
	t.add("p99", ms(ours.q(0.99)), ms(base.q(0.99)), ratio(float64(ours.q(0.99)), float64(base.q(0.99))), "")
	t.add("HTML", fmt.Sprintf("%d KiB", first.Body.Len()>>10), "", "", "< 150 KiB: "+met(first.Body.Len() < 150<<10))
	t.write(w)
	return nil
}
