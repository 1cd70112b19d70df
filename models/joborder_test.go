package models

import (
	"context"
	"slices"
	"testing"
)

// The jobs table is cut into pages by the server and takes new rows live in
// the browser, which places them by comparing ids as strings: both must
// sort alike, so ListJobs orders by the id's bytes on every database (a
// PostgreSQL collation would put "aa_new" after "aab", and "B" after "a").
func TestListJobsInByteOrderOfID(t *testing.T) { eachDialect(t, testListJobsInByteOrderOfID) }

func testListJobsInByteOrderOfID(t *testing.T, dialect string) {
	s, _ := openTestStore(t, dialect)
	ctx := context.Background()
	if dialect == "postgres" {
		// A database made with a linguistic default collation, as many
		// are: the test server's is C.
		if err := s.db.Exec(`ALTER TABLE jobs ALTER COLUMN id TYPE varchar(64) COLLATE "en-US-x-icu"`).Error; err != nil {
			t.Fatal(err)
		}
	}
	ids := []string{"aab", "aa_new", "B_upper", "a-dash", "a_under", "Zed", "m1", "m10", "m2", "_lead"}
	for _, id := range ids {
		if _, err := s.CreateJob(ctx, testJob(id), nil); err != nil {
			t.Fatalf("create %s: %v", id, err)
		}
	}
	jobs, err := s.ListJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(jobs))
	for i, j := range jobs {
		got[i] = j.ID
	}
	want := slices.Clone(ids)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("ListJobs order:\n got %v\nwant %v", got, want)
	}
}
