package handlers_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
)

// TestAPIListIsNeverOlderThanGet: the API's job list (served from the
// scheduler's one kept Snapshot, its JSON memoised there) never shows a job
// older than a GET of that job that answered before it, while another
// client pauses and resumes it (issue 14, item 3; the scheduler's
// TestListIsNeverOlderThanGet checks the same below the API). At the end
// the database, the scheduler and the API agree (agreeAll).
func TestAPIListIsNeverOlderThanGet(t *testing.T) {
	e := newEnv(t, nil)
	e.createWebhook("hook", `"trigger":"interval","minutes":5`)
	start, writing := make(chan struct{}), make(chan struct{})
	errs := make(chan error, 10)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(writing)
		<-start
		for i := range 100 {
			action := "pause"
			if i%2 == 1 {
				action = "resume"
			}
			if status, raw, err := e.sendAuth("POST", "/api/scheduler/jobs/hook/"+action, ""); err != nil || status != 200 {
				errs <- fmt.Errorf("%s: %d %s %v", action, status, raw, err)
				return
			}
		}
	})
	version := func(path string, list bool) (float64, error) {
		status, raw, err := e.sendAuth("GET", path, "")
		if err != nil || status != 200 {
			return 0, fmt.Errorf("GET %s: %d %s %v", path, status, raw, err)
		}
		var body struct {
			Version float64 `json:"version"`
			Jobs    []struct {
				ID      string  `json:"id"`
				Version float64 `json:"version"`
			} `json:"jobs"`
		}
		if err := json.Unmarshal(raw, &body); err != nil {
			return 0, err
		}
		if !list {
			return body.Version, nil
		}
		for _, j := range body.Jobs {
			if j.ID == "hook" {
				return j.Version, nil
			}
		}
		return 0, fmt.Errorf("the list has no hook: %s", raw)
	}
	close(start)
	for reads := 0; ; reads++ {
		select {
		case <-writing:
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if reads == 0 {
				t.Fatal("no read overlapped the writes")
			}
			e.agreeAll()
			return
		default:
		}
		got, err := version("/api/scheduler/jobs/hook", false)
		if err != nil {
			t.Fatal(err)
		}
		listed, err := version("/api/scheduler/jobs", true)
		if err != nil {
			t.Fatal(err)
		}
		if listed < got {
			t.Fatalf("the list shows hook at version %v after GET answered version %v", listed, got)
		}
	}
}
