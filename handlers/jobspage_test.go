// The jobs page at 1,000 jobs, over HTTP: a page of the table at a time,
// with filters, search and the /events snapshot following the page.
//
//	test                                   guards
//	TestJobsPageAtAThousandJobs            50 rows a page in id order, a pager, filters and search combine with pages, counts cover every job, bad pages answered clearly
//	TestJobsPageSnapshotCarriesOnlyItsPage the /events URL a page names, and its snapshot holds that page's rows and no other

package handlers_test

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"switchboard/models"
	"switchboard/scheduler"
)

// seedJobs creates n webhook jobs job-0000… straight through the scheduler
// (four at a time: the API would only add HTTP to it) and pauses every
// tenth, job-0000, job-0010 and so on.
func seedJobs(t *testing.T, e *env, n int) {
	t.Helper()
	ids := make(chan int)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range 4 {
		wg.Go(func() {
			for i := range ids {
				in := models.JobInput{ID: models.Text(fmt.Sprintf("job-%04d", i)), Name: models.Text(fmt.Sprintf("Job %d", i)),
					Kind: models.Text(models.KindWebhook), Config: &models.JobConfig{Webhook: &models.WebhookConfig{URL: "http://127.0.0.1:1/"}},
					Schedule: models.ScheduleInput{Trigger: models.TriggerCron, Args: map[string]models.Value{
						"hour": *models.Text(strconv.Itoa(i % 24)), "minute": *models.Text(strconv.Itoa(i % 60))}}}
				spec, err := in.Validate(e.sched.Location(), time.Now())
				if err == nil {
					_, err = e.sched.Create(t.Context(), spec)
				}
				if err == nil && i%10 == 0 {
					_, err = e.sched.Pause(t.Context(), spec.Job.ID, scheduler.PauseOptions{Reason: "seeded paused"})
				}
				if err != nil {
					errs <- fmt.Errorf("job %d: %w", i, err)
				}
			}
		})
	}
	for i := range n {
		ids <- i
	}
	close(ids)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// rowIDs are the job ids of the table's rows, in order.
func rowIDs(doc *goquery.Document) []string {
	var ids []string
	doc.Find(`#jobs-body [data-testid=job-row]`).Each(func(_ int, s *goquery.Selection) {
		ids = append(ids, s.AttrOr("data-job-id", ""))
	})
	return ids
}

// jobIDs are job-%04d for each i from..to (inclusive) in steps of step.
func jobIDs(from, to, step int) []string {
	var ids []string
	for i := from; i <= to; i += step {
		ids = append(ids, fmt.Sprintf("job-%04d", i))
	}
	return ids
}

func chipCount(doc *goquery.Document, filter string) string {
	return strings.TrimSpace(doc.Find(`[data-testid=job-filters] [data-count="` + filter + `"]`).Text())
}

func TestJobsPageAtAThousandJobs(t *testing.T) {
	e := newEnv(t, nil)
	seedJobs(t, e, 1000)
	b := e.signIn(t, "alice", "admin")
	// The 900 scheduled jobs: those whose number is not a multiple of ten.
	var scheduled []string
	for i := range 1000 {
		if i%10 != 0 {
			scheduled = append(scheduled, fmt.Sprintf("job-%04d", i))
		}
	}

	tests := []struct {
		path      string
		rows      []string
		rangeText string
		prev      string // the previous page's link; "" for none
		next      string
	}{
		{"/jobs", jobIDs(0, 49, 1), "1–50 of 1,000", "", "/jobs?page=2"},
		{"/jobs?page=2", jobIDs(50, 99, 1), "51–100 of 1,000", "/jobs?page=1", "/jobs?page=3"},
		{"/jobs?page=20", jobIDs(950, 999, 1), "951–1,000 of 1,000", "/jobs?page=19", ""},
		{"/jobs?status=paused", jobIDs(0, 490, 10), "1–50 of 100", "", "/jobs?page=2&status=paused"},
		{"/jobs?status=paused&page=2", jobIDs(500, 990, 10), "51–100 of 100", "/jobs?page=1&status=paused", ""},
		{"/jobs?status=scheduled&page=18", scheduled[850:900], "851–900 of 900", "/jobs?page=17&status=scheduled", ""},
		{"/jobs?q=JOB-012", jobIDs(120, 129, 1), "1–10 of 10", "", ""},
		{"/jobs?q=job+99", append([]string{"job-0099"}, jobIDs(990, 999, 1)...), "1–11 of 11", "", ""},
		{"/jobs?q=job-01&status=paused", jobIDs(100, 190, 10), "1–10 of 10", "", ""},
		{"/jobs?q=nothing-like-it", nil, "No jobs", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			status, doc, _ := b.get(tt.path)
			if status != http.StatusOK {
				t.Fatalf("status: got %d, want 200", status)
			}
			if got := rowIDs(doc); !slices.Equal(got, tt.rows) {
				t.Fatalf("rows: got %d %v, want %d %v", len(got), got, len(tt.rows), tt.rows)
			}
			if got := strings.Join(strings.Fields(text(doc, "pager-range")), " "); got != tt.rangeText {
				t.Errorf("pager: got %q, want %q", got, tt.rangeText)
			}
			if got := doc.Find(`[data-testid=pager-prev]`).AttrOr("href", ""); got != tt.prev {
				t.Errorf("previous page link: got %q, want %q", got, tt.prev)
			}
			if got := doc.Find(`[data-testid=pager-next]`).AttrOr("href", ""); got != tt.next {
				t.Errorf("next page link: got %q, want %q", got, tt.next)
			}
			if count(doc, "jobs-notice") != 0 {
				t.Errorf("notice on a page that exists: %q", text(doc, "jobs-notice"))
			}
		})
	}

	t.Run("the chips count every job, whatever the page", func(t *testing.T) {
		_, doc, _ := b.get("/jobs?status=paused&page=2")
		want := map[string]string{"": "1000", "scheduled": "900", "paused": "100", "running": "0", "failed": "0"}
		for f, n := range want {
			if got := chipCount(doc, f); got != n {
				t.Errorf("chip %q: got %q, want %q", f, got, n)
			}
		}
		if got := doc.Find(`[data-testid=job-filters] a[data-filter=scheduled]`).AttrOr("href", ""); got != "/jobs?status=scheduled" {
			t.Errorf("scheduled chip links to %q, want /jobs?status=scheduled (its first page)", got)
		}
		// The chips alone, as the page asks for them when jobs change.
		status, frag, _ := b.get("/jobs?status=paused&page=2", "HX-Request", "true", "HX-Target", "job-filters")
		if status != 200 || count(frag, "job-filters") != 1 || count(frag, "job-row") != 0 || chipCount(frag, "paused") != "100" {
			t.Fatalf("chips fragment: got %d, %d chips, %d rows", status, count(frag, "job-filters"), count(frag, "job-row"))
		}
	})

	t.Run("a page past the end shows the last page and says so", func(t *testing.T) {
		status, doc, _ := b.get("/jobs?status=paused&page=40")
		if status != http.StatusOK {
			t.Fatalf("status: got %d, want 200", status)
		}
		if got := rowIDs(doc); !slices.Equal(got, jobIDs(500, 990, 10)) {
			t.Fatalf("rows: got %v, want the last page of paused jobs", got)
		}
		if got, want := text(doc, "jobs-notice"), "There is no page 40: this is the last page, 2."; got != want {
			t.Fatalf("notice: got %q, want %q", got, want)
		}
	})

	for _, path := range []string{"/jobs?page=abc", "/jobs?page=0", "/jobs?page=-3", "/jobs?page=1.5", "/jobs?status=paused&page=x"} {
		t.Run(path, func(t *testing.T) {
			status, doc, _ := b.get(path)
			if status != http.StatusBadRequest || count(doc, "error-page") != 1 {
				t.Fatalf("got %d, want 400 with an error page", status)
			}
			if !strings.Contains(doc.Find(`[data-testid=error-page]`).Text(), "Invalid page: must be a positive integer.") {
				t.Fatalf("error page: got %q", doc.Find(`[data-testid=error-page]`).Text())
			}
		})
	}

	t.Run("a row is lean", func(t *testing.T) {
		status, raw := b.getRaw("/jobs")
		if status != 200 {
			t.Fatalf("status %d", status)
		}
		// The pause form is the page's one template, not one per row.
		if n := strings.Count(raw, `data-testid="pause-reason"`); n != 1 {
			t.Errorf("pause forms: got %d, want 1 (the template)", n)
		}
		if n := strings.Count(raw, `data-testid="pause-open"`); n != 45 {
			t.Errorf("pause menus: got %d, want 45 (the enabled jobs of the page)", n)
		}
		if len(raw) > 100<<10 {
			t.Errorf("page of 50 rows: got %d KiB, want under 100", len(raw)>>10)
		}
	})
}

func TestJobsPageSnapshotCarriesOnlyItsPage(t *testing.T) {
	e := newEnv(t, nil)
	seedJobs(t, e, 1000)
	b := e.signIn(t, "alice", "admin")

	rowID := regexp.MustCompile(`data-job-id="([^"]+)"`)
	snapshotRows := func(t *testing.T, path string) []string {
		t.Helper()
		c := e.connectTo(t, streamClient(), path, "")
		defer c.close()
		evs := c.waitEvents(t, "the snapshot", func(evs []sseEvent) bool { return len(evs) > 0 })
		if evs[0].name != "snapshot" {
			t.Fatalf("first event: got %q, want snapshot", evs[0].name)
		}
		var ids []string
		for _, m := range rowID.FindAllStringSubmatch(evs[0].data, -1) {
			ids = append(ids, m[1])
		}
		return ids
	}
	tests := []struct {
		page, events string // the page, and the /events URL it names
		rows         []string
	}{
		{"/jobs", "/events?view=jobs", jobIDs(0, 49, 1)},
		{"/jobs?page=2", "/events?page=2&view=jobs", jobIDs(50, 99, 1)},
		{"/jobs?status=paused&page=2", "/events?page=2&status=paused&view=jobs", jobIDs(500, 990, 10)},
		{"/jobs?status=paused&page=9", "/events?page=2&status=paused&view=jobs", jobIDs(500, 990, 10)},
		{"/jobs?q=job-012", "/events?q=job-012&view=jobs", jobIDs(120, 129, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			_, doc, _ := b.get(tt.page)
			if got := doc.Find(`[sse-connect]`).AttrOr("sse-connect", ""); got != tt.events {
				t.Fatalf("the page streams from %q, want %q", got, tt.events)
			}
			if got := snapshotRows(t, tt.events); !slices.Equal(got, tt.rows) {
				t.Fatalf("snapshot rows: got %d %v, want %d %v", len(got), got, len(tt.rows), tt.rows)
			}
		})
	}
	// A query no page makes gets the first page rather than an error the
	// EventSource would retry forever.
	if got := snapshotRows(t, "/events?view=jobs&page=abc&status=bogus"); !slices.Equal(got, jobIDs(0, 49, 1)) {
		t.Fatalf("snapshot for a bad query: got %v, want the first page", got)
	}
}
