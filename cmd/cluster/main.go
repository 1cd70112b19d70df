// Command cluster starts three switchboard instances on :8080–8082 sharing
// one PostgreSQL database, for a person to try several instances: `go tool
// task cluster`. It creates the database (default "switchboard" on
// 127.0.0.1:5432) when missing, keeps one secret key in .cluster.key, and
// stops every instance on Ctrl-C.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/jackc/pgx/v5"
)

func main() {
	admin := flag.String("admin-url", envOr("SWITCHBOARD_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"), "a PostgreSQL URL with the right to create databases")
	name := flag.String("database", "switchboard", "the database the instances share")
	count := flag.Int("instances", 3, "how many instances")
	firstPort := flag.Int("port", 8080, "the first instance's port; the others follow")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *admin, *name, *count, *firstPort); err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func run(ctx context.Context, admin, name string, count, firstPort int) error {
	dbURL, err := ensureDatabase(ctx, admin, name)
	if err != nil {
		return err
	}
	key, err := secretKey(".cluster.key")
	if err != nil {
		return err
	}
	bin, err := os.MkdirTemp("", "switchboard-cluster")
	if err != nil {
		return err
	}
	defer os.RemoveAll(bin)
	exe := bin + "/switchboard"
	if out, err := exec.Command("go", "build", "-o", exe, "./cmd/switchboard").CombinedOutput(); err != nil {
		return fmt.Errorf("build: %v\n%s", err, out)
	}
	var wg sync.WaitGroup
	for i := range count {
		id := fmt.Sprintf("instance-%d", i+1)
		cmd := exec.CommandContext(ctx, exe, "serve", "--addr", fmt.Sprintf("127.0.0.1:%d", firstPort+i), "--database-url", dbURL, "--instance-id", id)
		cmd.Env = append(os.Environ(), "SWITCHBOARD_SECRET_KEY="+key)
		cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
		out, _ := cmd.StdoutPipe()
		errOut, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			return err
		}
		wg.Add(3)
		go prefix(&wg, id, out)
		go prefix(&wg, id, errOut)
		go func() { defer wg.Done(); _ = cmd.Wait() }()
	}
	fmt.Printf("%d instances on %s; Ctrl-C stops them\n", count, redacted(dbURL))
	wg.Wait()
	return nil
}

func prefix(wg *sync.WaitGroup, id string, r io.Reader) {
	defer wg.Done()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fmt.Printf("%-11s %s\n", id, sc.Text())
	}
}

// ensureDatabase creates name on the server admin points at, unless it
// exists, and returns its URL.
func ensureDatabase(ctx context.Context, admin, name string) (string, error) {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", fmt.Errorf("PostgreSQL does not answer at %s (start it with: bash .ci/postgres): %w", redacted(admin), err)
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
			return "", err
		}
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// secretKey reads the key every instance shares, making it once.
func secretKey(path string) (string, error) {
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b)), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	key := base64.StdEncoding.EncodeToString(raw)
	return key, os.WriteFile(path, []byte(key+"\n"), 0o600)
}

func redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
