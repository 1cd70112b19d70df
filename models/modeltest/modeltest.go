// Package modeltest finds databases for tests on either dialect: a temporary
// SQLite file, or a PostgreSQL database of the test's own that is dropped
// when the test ends. PostgreSQL is found at SWITCHBOARD_TEST_DATABASE_URL,
// else at 127.0.0.1:5432 as user postgres; when it does not answer the test
// fails (`.ci/deps` installs and starts one), it never skips.
package modeltest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Dialects are the databases every store test runs on.
var Dialects = [...]string{"sqlite", "postgres"}

// AdminURL is the PostgreSQL server tests create their databases on.
func AdminURL() string {
	if u := os.Getenv("SWITCHBOARD_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// PostgresURL creates an empty database for t and returns its URL; the
// database is dropped when t ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin := AdminURL()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("PostgreSQL is needed for this test and does not answer at %s: %v (run .ci/deps, or set SWITCHBOARD_TEST_DATABASE_URL)", admin, err)
	}
	defer conn.Close(context.Background())
	name := "sbtest_" + strings.ToLower(rand.Text()[:12])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("drop test database %s: %v", name, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("SWITCHBOARD_TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Location returns where a store of dialect lives for t: an SQLite file in
// t's temporary folder, or a fresh PostgreSQL database's URL.
func Location(t testing.TB, dialect string) string {
	t.Helper()
	switch dialect {
	case "sqlite":
		return filepath.Join(t.TempDir(), "test.db")
	case "postgres":
		return PostgresURL(t)
	}
	t.Fatalf("unknown dialect %q", dialect)
	return ""
}

// Name is a subtest name for dialect.
func Name(dialect string) string { return fmt.Sprintf("db=%s", dialect) }
