// The settings and provider acceptance scenarios (10-15) against the store
// on a real SQLite file, under -race. Readers judge every read they make
// while writers run.
//
//	test                                  scenario  guards
//	TestAcceptanceConcurrentSetSetting    10        ten concurrent writes of one key: one row, holding one of the ten values
//	TestAcceptanceConcurrentAddProviders  11        ten set_active adds: each provider one row; once one is active every read shows exactly one; ten adds of one provider: one active row
//	TestAcceptanceConcurrentActivate      12        ten concurrent switches: every read shows exactly one active (never two, never none)
//	TestAcceptanceDeleteUnderReads        13        deletes under ten readers: no error, no half-written row, never two active
//	TestAcceptanceUnknownProviderIDs      14        activate or delete of an unknown id is ErrNotFound and changes nothing
//	TestPartialUniqueIndexForbidsTwoActive 12       the database itself refuses a second active row
//	TestKeyNeverInPlainTextOnDisk         15        the key is in neither the database file nor its WAL

package models

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/models/modeltest"
)

// plainCipher is a stand-in for secrets.Box that still never stores the
// plain key (XOR with 0x5a), so the test of the database file is honest.
type plainCipher struct{}

func (plainCipher) Seal(p, aad []byte) ([]byte, error) { return xor(p), nil }
func (plainCipher) Open(s, aad []byte) ([]byte, error) { return xor(s), nil }

func xor(b []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[i] = b[i] ^ 0x5a
	}
	return out
}

// openTestStore opens a fresh store on dialect and returns it with its
// location (the file for SQLite).
func openTestStore(t *testing.T, dialect string) (*Store, string) {
	t.Helper()
	loc := modeltest.Location(t, dialect)
	s, err := Open(loc, WithCipher(plainCipher{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, loc
}

// eachDialect runs test once on each database, as a subtest.
func eachDialect(t *testing.T, test func(t *testing.T, dialect string)) {
	for _, d := range modeltest.Dialects {
		t.Run(modeltest.Name(d), func(t *testing.T) { test(t, d) })
	}
}

var providerNames = []string{"anthropic", "openai", "google", "xai", "openai_compatible"}

func countActive(t *testing.T, s *Store) int {
	t.Helper()
	n, err := activeProviders(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// activeProviders counts the active providers in one read of the list; it
// is safe in spawned goroutines.
func activeProviders(s *Store) (int, error) {
	ps, err := s.ListProviders(context.Background())
	n := 0
	for _, p := range ps {
		if p.IsActive {
			n++
		}
	}
	return n, err
}

// pollActive reads the active count until stop closes and returns the
// first read that ok refuses. ok gets the count and whether an earlier read
// of this reader saw one active. first is called after the first read.
func pollActive(s *Store, stop <-chan struct{}, reads *atomic.Int64, first func(), ok func(active int, sawOne bool) bool) error {
	defer first() // also when the first read fails
	sawOne := false
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		n, err := activeProviders(s)
		if err != nil {
			return err
		}
		if !ok(n, sawOne) {
			return fmt.Errorf("read %d (after one active: %v) saw %d active providers", reads.Load(), sawOne, n)
		}
		sawOne = sawOne || n == 1
		reads.Add(1)
		first()
	}
}

// within waits for wg for at most d and reports whether it finished.
func within(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// startReaders starts n goroutines running pollActive and returns once each
// has read; the returned function stops them and fails the test on a bad
// read.
func startReaders(t *testing.T, s *Store, n int, ok func(active int, sawOne bool) bool) (stop func()) {
	t.Helper()
	done := make(chan struct{})
	var wg, reading sync.WaitGroup
	var reads atomic.Int64
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		reading.Add(1)
		go func() {
			defer wg.Done()
			var once sync.Once
			if err := pollActive(s, done, &reads, func() { once.Do(reading.Done) }, ok); err != nil {
				errs <- err
			}
		}()
	}
	if !within(&reading, 10*time.Second) {
		close(done)
		t.Fatal("the readers did not start reading")
	}
	return func() {
		t.Helper()
		close(done)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
}

func TestAcceptanceConcurrentSetSetting(t *testing.T) {
	eachDialect(t, testAcceptanceConcurrentSetSetting)
}

func testAcceptanceConcurrentSetSetting(t *testing.T, dialect string) {
	s, _ := openTestStore(t, dialect)
	start := make(chan struct{})
	var wg sync.WaitGroup
	values := map[string]bool{}
	for i := range 10 {
		v := fmt.Sprintf("value-%d", i)
		values[v] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if _, err := s.SetSetting(context.Background(), "ui.theme", v, nil); err != nil {
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
	var n int64
	s.db.Model(&Setting{}).Where("key = ?", "ui.theme").Count(&n)
	st, err := s.GetSetting(context.Background(), "ui.theme")
	if n != 1 || err != nil || !values[st.Value] {
		t.Fatalf("got %d rows, value %q (%v): want one row holding one of the ten values", n, st.Value, err)
	}
}

func TestAcceptanceConcurrentAddProviders(t *testing.T) {
	eachDialect(t, testAcceptanceConcurrentAddProviders)
}

func testAcceptanceConcurrentAddProviders(t *testing.T, dialect string) {
	t.Run("different providers", func(t *testing.T) {
		s, _ := openTestStore(t, dialect)
		start := make(chan struct{})
		// Every add is set_active: once one provider is active, exactly
		// one stays active.
		stop := startReaders(t, s, 4, func(n int, sawOne bool) bool { return n == 1 || (n == 0 && !sawOne) })
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				name := providerNames[i%len(providerNames)]
				if _, err := s.UpsertProvider(context.Background(), ProviderInput{Provider: name, APIKey: fmt.Sprintf("key-%d-abcdefgh", i), SetActive: true}); err != nil {
					t.Error(err)
				}
			}()
		}
		close(start)
		wg.Wait()
		stop()
		ps, _ := s.ListProviders(context.Background())
		seen := map[string]int{}
		for _, p := range ps {
			seen[p.Provider]++
		}
		for _, name := range providerNames {
			if seen[name] != 1 {
				t.Fatalf("%s: %d rows, want 1", name, seen[name])
			}
		}
		if n := countActive(t, s); n != 1 {
			t.Fatalf("active providers: got %d, want 1", n)
		}
	})
	t.Run("same provider", func(t *testing.T) {
		s, _ := openTestStore(t, dialect)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if _, err := s.UpsertProvider(context.Background(), ProviderInput{Provider: "openai", APIKey: fmt.Sprintf("sk-same-%02d", i), SetActive: true}); err != nil {
					t.Error(err)
				}
			}()
		}
		close(start)
		wg.Wait()
		ps, _ := s.ListProviders(context.Background())
		if len(ps) != 1 || !ps[0].IsActive {
			t.Fatalf("got %d rows (%+v), want one active row", len(ps), ps)
		}
	})
}

func TestAcceptanceConcurrentActivate(t *testing.T) { eachDialect(t, testAcceptanceConcurrentActivate) }

func testAcceptanceConcurrentActivate(t *testing.T, dialect string) {
	s, _ := openTestStore(t, dialect)
	ctx := context.Background()
	var ids []int64
	for _, name := range providerNames {
		p, err := s.UpsertProvider(ctx, ProviderInput{Provider: name, APIKey: "key-" + name + "-123", Model: "m", SetActive: true})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	// One provider is active before the switches, so every read during
	// them must show exactly one: never two, never none. Five rounds of
	// ten concurrent switches give the readers time to look.
	stop := startReaders(t, s, 4, func(n int, _ bool) bool { return n == 1 })
	for range 5 {
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if err := s.ActivateProvider(ctx, ids[i%len(ids)]); err != nil {
					t.Error(err)
				}
			}()
		}
		close(start)
		wg.Wait()
	}
	stop()
	if n := countActive(t, s); n != 1 {
		t.Fatalf("active providers: got %d, want 1", n)
	}
}

func TestAcceptanceDeleteUnderReads(t *testing.T) { eachDialect(t, testAcceptanceDeleteUnderReads) }

func testAcceptanceDeleteUnderReads(t *testing.T, dialect string) {
	s, _ := openTestStore(t, dialect)
	ctx := context.Background()
	var ids []int64
	for _, name := range providerNames {
		p, err := s.UpsertProvider(ctx, ProviderInput{Provider: name, APIKey: "key-" + name + "-123", Model: "m", SetActive: true})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	done := make(chan struct{})
	var readers, reading sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		readers.Add(1)
		reading.Add(1)
		go func() {
			defer readers.Done()
			var once sync.Once
			defer once.Do(reading.Done)
			for {
				select {
				case <-done:
					return
				default:
				}
				ps, err := s.ListProviders(ctx)
				if err != nil {
					errs <- err
					return
				}
				active := 0
				for _, p := range ps {
					if p.IsActive {
						active++
					}
					if key, kerr := s.OpenKey(p); kerr != nil || key != "key-"+p.Provider+"-123" || p.APIKeyLast4 != "-123" {
						errs <- fmt.Errorf("half-written %s: key %q (%v), last four %q", p.Provider, key, kerr, p.APIKeyLast4)
						return
					}
				}
				if active > 1 {
					errs <- fmt.Errorf("%d active providers", active)
					return
				}
				once.Do(reading.Done)
			}
		}()
	}
	if !within(&reading, 10*time.Second) { // every reader is reading before the first delete
		close(done)
		t.Fatal("the readers did not start reading")
	}
	for _, id := range ids {
		if err := s.DeleteProvider(ctx, id); err != nil {
			t.Error(err)
		}
	}
	close(done)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if ps, _ := s.ListProviders(ctx); len(ps) != 0 {
		t.Fatalf("left %d providers", len(ps))
	}
}

func TestAcceptanceUnknownProviderIDs(t *testing.T) { eachDialect(t, testAcceptanceUnknownProviderIDs) }

func testAcceptanceUnknownProviderIDs(t *testing.T, dialect string) {
	s, _ := openTestStore(t, dialect)
	ctx := context.Background()
	p, _ := s.UpsertProvider(ctx, ProviderInput{Provider: "openai", APIKey: "sk-abcdefgh", SetActive: true})
	if err := s.ActivateProvider(ctx, 9999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("activate unknown: got %v, want ErrNotFound", err)
	}
	if err := s.DeleteProvider(ctx, 9999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete unknown: got %v, want ErrNotFound", err)
	}
	after, _ := s.ActiveProvider(ctx)
	if after.ID != p.ID || countActive(t, s) != 1 {
		t.Fatal("an unknown id changed the active provider")
	}
}

func TestPartialUniqueIndexForbidsTwoActive(t *testing.T) {
	eachDialect(t, testPartialUniqueIndexForbidsTwoActive)
}

func testPartialUniqueIndexForbidsTwoActive(t *testing.T, dialect string) {
	s, _ := openTestStore(t, dialect)
	ctx := context.Background()
	s.UpsertProvider(ctx, ProviderInput{Provider: "openai", APIKey: "sk-abcdefgh", SetActive: true})
	b, _ := s.UpsertProvider(ctx, ProviderInput{Provider: "xai", APIKey: "xai-abcdefgh", SetActive: false})
	if err := s.w.Exec("UPDATE ai_providers SET is_active = true WHERE id = ?", b.ID).Error; err == nil {
		t.Fatal("the database accepted a second active provider")
	}
}

func TestKeyNeverInPlainTextOnDisk(t *testing.T) {
	s, path := openTestStore(t, "sqlite")
	const key = "sk-PLAINTEXT-CANARY-77"
	if _, err := s.UpsertProvider(context.Background(), ProviderInput{Provider: "openai", APIKey: key, SetActive: true}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, f := range []string{path, path + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(key)) {
			t.Fatalf("%s holds the key in plain text", f)
		}
	}
}

func TestSettingsValidation(t *testing.T) {
	tests := []struct {
		key, value, want string
		ok               bool
	}{
		{"scheduler.timezone", "Europe/Paris", "Europe/Paris", true},
		{"scheduler.timezone", "Mars/Olympus", "", false},
		{"scheduler.timezone", "", "", false},
		{"scheduler.timezone", "Local", "", false},
		{"history.retention_days", "1", "1", true},
		{"history.retention_days", "3650", "3650", true},
		{"history.retention_days", "0", "", false},
		{"history.retention_days", "3651", "", false},
		{"history.retention_days", "7.5", "", false},
		{"ui.theme", "dark", "dark", true},
		{"UI.Theme", "dark", "", false},
		{"a b", "x", "", false},
		{"internal.catalog_seeded", "false", "", false},
		{"ui.big", string(make([]byte, 4097)), "", false},
		{"ui.big", strings.Repeat("b", 4096), strings.Repeat("b", 4096), true},
	}
	for _, tt := range tests {
		got, err := ValidateSetting(tt.key, tt.value)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ValidateSetting(%q, %.20q) = %q, %v; want ok=%v %q", tt.key, tt.value, got, err, tt.ok, tt.want)
		}
	}
}

func TestPruneRuns(t *testing.T) { eachDialect(t, testPruneRuns) }

func testPruneRuns(t *testing.T, dialect string) {
	s, _ := openTestStore(t, dialect)
	ctx := context.Background()
	now := time.Now()
	for _, r := range []JobRun{
		{JobID: "a", JobName: "A", Source: SourceSchedule, Status: StatusSuccess, StartedAt: now.AddDate(0, 0, -40)},
		{JobID: "a", JobName: "A", Source: SourceSchedule, Status: StatusRunning, StartedAt: now.AddDate(0, 0, -40)},
		{JobID: "a", JobName: "A", Source: SourceSchedule, Status: StatusError, StartedAt: now.AddDate(0, 0, -10)},
	} {
		if _, err := s.InsertFinishedRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.PruneRuns(ctx, now.AddDate(0, 0, -30))
	_, total, _ := s.ListRuns(ctx, RunFilter{})
	if err != nil || n != 1 || total != 2 {
		t.Fatalf("pruned %d (%v), %d left: want the one finished run older than 30 days gone", n, err, total)
	}
}
