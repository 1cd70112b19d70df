package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"switchboard/models"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "switchboard-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "switchboard")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sb runs the real binary and returns its output and whether it succeeded.
func sb(t *testing.T, stdin string, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	return string(out), err == nil
}

func newDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "sb.db")
	st, err := models.OpenSQLite(db)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	return db
}

func TestCLIHelpAndVersion(t *testing.T) {
	if out, ok := sb(t, "", "version"); !ok || !strings.Contains(out, "switchboard") || !strings.Contains(out, "go1.") {
		t.Fatalf("version: %v %s", ok, out)
	}
	for _, args := range [][]string{{"--help"}, {"help"}, {"backup", "--help"}, {"user", "add", "--help"}, {"serve", "--help"}} {
		if out, ok := sb(t, "", args...); !ok || !strings.Contains(strings.ToLower(out), "usage") {
			t.Fatalf("%v: %v %s", args, ok, out)
		}
	}
	if out, ok := sb(t, "", "frobnicate"); ok || !strings.Contains(out, `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: %v %s", ok, out)
	}
	if out, ok := sb(t, "", "check", "--db", filepath.Join(t.TempDir(), "missing.db")); ok || !strings.Contains(out, "missing.db") {
		t.Fatalf("check of a missing database: %v %s", ok, out)
	}
}

func TestCLIUsers(t *testing.T) {
	db := newDB(t)
	steps := []struct {
		stdin string
		args  []string
		ok    bool
		want  string
	}{
		{"correct horse battery\n", []string{"user", "add", "--db", db, "alice"}, true, "alice: done"},
		{"correct horse battery\n", []string{"user", "add", "--db", db, "alice"}, false, "already exists"},
		{"short\n", []string{"user", "add", "--db", db, "bob"}, false, "at least 12 characters"},
		{"viewer password 12\n", []string{"user", "add", "--db", db, "--role", "viewer", "carol"}, true, "carol: done"},
		{"viewer password 12\n", []string{"user", "add", "--db", db, "--role", "root", "dave"}, false, "admin or viewer"},
		{"", []string{"user", "list", "--db", db}, true, "carol     viewer  active"},
		{"a new password!!\n", []string{"user", "passwd", "--db", db, "alice"}, true, "alice: done"},
		{"a new password!!\n", []string{"user", "passwd", "--db", db, "nobody"}, false, `no user "nobody"`},
		{"", []string{"user", "disable", "--db", db, "alice"}, true, "alice: disabled"},
		{"", []string{"user", "list", "--db", db}, true, "alice     admin   disabled"},
	}
	for _, s := range steps {
		out, ok := sb(t, s.stdin, s.args...)
		if ok != s.ok || !strings.Contains(out, s.want) {
			t.Fatalf("%v: got ok=%v %q, want ok=%v and %q", s.args, ok, out, s.ok, s.want)
		}
	}
	st, _ := models.OpenSQLite(db)
	defer st.Close()
	if _, err := st.Authenticate(context.Background(), "alice", "a new password!!"); err == nil {
		t.Fatal("a disabled user authenticated")
	}
	if _, err := st.Authenticate(context.Background(), "carol", "viewer password 12"); err != nil {
		t.Fatalf("carol: %v", err)
	}
}

func TestCLITokens(t *testing.T) {
	db := newDB(t)
	out, ok := sb(t, "", "token", "create", "--db", db, "ci-script")
	token := strings.TrimSpace(out)
	if !ok || !strings.HasPrefix(token, "sb_") {
		t.Fatalf("create: %v %q", ok, out)
	}
	out, ok = sb(t, "", "token", "list", "--db", db)
	if !ok || !strings.Contains(out, "ci-script") || strings.Contains(out, token) {
		t.Fatalf("list: %v %q (must name the token, never show it)", ok, out)
	}
	st, _ := models.OpenSQLite(db)
	if valid, _ := st.TokenExists(context.Background(), token); !valid {
		t.Fatal("created token is not valid")
	}
	st.Close()
	if out, ok = sb(t, "", "token", "revoke", "--db", db, "1"); !ok {
		t.Fatalf("revoke: %s", out)
	}
	if out, ok = sb(t, "", "token", "revoke", "--db", db, "1"); ok || !strings.Contains(out, `no token "1"`) {
		t.Fatalf("revoke again: %v %s", ok, out)
	}
	if out, ok = sb(t, "", "token", "revoke", "--db", db, "x"); ok {
		t.Fatalf("revoke x: %s", out)
	}
}

func TestCLIBackupUnderWritesAndRestore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "live.db")
	s := startServer(t, db, map[string]string{"SWITCHBOARD_API_TOKEN": "backup-token-1234"})
	s.token = "backup-token-1234"

	// Writers keep going during the backup; every write acknowledged before
	// the backup starts must be in it.
	var acked sync.Map // key → time acknowledged
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var n, ackedCount atomic.Int64
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("ui.k%d_%d", w, n.Add(1))
				if st, _, _ := s.send("PUT", "/api/settings/"+key, `{"value":"v"}`); st == 200 {
					acked.Store(key, time.Now())
					ackedCount.Add(1)
				}
			}
		}()
	}
	waitFor := time.Now().Add(10 * time.Second)
	for ackedCount.Load() < 50 && time.Now().Before(waitFor) {
		time.Sleep(time.Millisecond)
	}
	backup := filepath.Join(dir, "backup.db")
	started := time.Now()
	out, ok := sb(t, "", "backup", "--db", db, backup)
	close(stop)
	wg.Wait()
	if !ok {
		t.Fatalf("backup: %s", out)
	}
	if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file mode: %v %v, want 0600 (it holds password hashes)", fi.Mode(), err)
	}
	if out, ok := sb(t, "", "backup", "--db", db, backup); ok || !strings.Contains(out, "exists") {
		t.Fatalf("backup over an existing file: %v %s", ok, out)
	}
	bst, err := models.OpenSQLite(backup)
	if err != nil {
		t.Fatal(err)
	}
	if problems, err := bst.IntegrityCheck(context.Background()); err != nil || len(problems) > 0 {
		t.Fatalf("backup integrity: %v %v", err, problems)
	}
	settings, _ := bst.ListSettings(context.Background())
	bst.Close()
	missing, before := 0, 0
	acked.Range(func(k, v any) bool {
		if v.(time.Time).Before(started) {
			before++
			if _, ok := settings[k.(string)]; !ok {
				missing++
			}
		}
		return true
	})
	if before < 50 || missing > 0 {
		t.Fatalf("%d of %d writes acknowledged before the backup are missing from it", missing, before)
	}

	// Restore is refused while the server runs, and works after.
	if out, ok := sb(t, "", "restore", "--db", db, backup); ok || !strings.Contains(out, "in use") {
		t.Fatalf("restore under a running server: %v %s", ok, out)
	}
	s.stop()
	if out, ok := sb(t, "", "restore", "--db", db, backup); !ok {
		t.Fatalf("restore: %s", out)
	}
	if out, ok := sb(t, "", "check", "--db", db); !ok || !strings.Contains(out, "ok:") {
		t.Fatalf("check after restore: %v %s", ok, out)
	}
	if out, ok := sb(t, "", "restore", "--db", db, filepath.Join(dir, "nope.db")); ok {
		t.Fatalf("restore from a missing file: %s", out)
	}
}

func TestCLICheckFindsBrokenInvariants(t *testing.T) {
	db := newDB(t)
	if out, ok := sb(t, "", "check", "--db", db); !ok {
		t.Fatalf("check of a good database: %s", out)
	}
	raw, err := sql.Open("sqlite3", models.SQLiteDSN(db))
	if err != nil {
		t.Fatal(err)
	}
	_, err = raw.Exec(`INSERT INTO jobs (id, name, description, kind, config, trigger, trigger_args, enabled, paused_reason,
		market_hours_only, timeout_seconds, version, last_run_status) VALUES
		('broken', 'Broken', '', 'webhook', '{}', 'cron', '{"month": 2, "day": 31}', 1, '', 0, 0, 1, ''),
		('garbled', 'Garbled', '', 'webhook', '{}', 'interval', 'not json', 1, '', 0, 0, 1, '')`)
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, ok := sb(t, "", "check", "--db", db)
	if ok || !strings.Contains(out, "job broken") || !strings.Contains(out, "job garbled") || !strings.Contains(out, "2 problem(s)") {
		t.Fatalf("check: %v %s", ok, out)
	}
}

func TestSecondServerOnOneDatabaseIsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sb.db")
	startServer(t, db, map[string]string{"SWITCHBOARD_API_TOKEN": "two-servers-1234"})
	err := run(context.Background(), []string{"--addr", "127.0.0.1:0", "--db", db}, func(string) string { return "" }, os.Stdout, t.Output())
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second server: got %v, want a refusal", err)
	}
}
