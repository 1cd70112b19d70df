package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"switchboard/models"
)

const usage = `Usage: switchboard [command] [flags]

Commands:
  serve                 run the server (the default)
  user add NAME         add a user; the password is read from standard input (--role admin|viewer)
  user passwd NAME      set a user's password from standard input; signs their sessions out
  user list             list users
  user disable NAME     stop a user from signing in; signs their sessions out
  token create NAME     make an API token and print it once
  token list            list API tokens (never the tokens themselves)
  token revoke ID       delete an API token
  backup FILE           write a consistent copy of the database, safe while the server runs
  restore FILE          replace the database with a backup; refused while a server uses it
  check                 check the database's integrity and Switchboard's invariants
  version               print the version, commit and Go version

Every command takes --db (or SWITCHBOARD_DB); run "switchboard COMMAND --help" for its flags.
`

// run dispatches to a subcommand; with none, it serves.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	c := cli{getenv: getenv, stdin: os.Stdin, stdout: stdout, stderr: stderr}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "user":
		return c.user(ctx, args)
	case "token":
		return c.token(ctx, args)
	case "backup":
		return c.backup(ctx, args)
	case "restore":
		return c.restore(ctx, args)
	case "check":
		return c.check(ctx, args)
	case "version":
		return c.version(args)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

type cli struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// flags parses a subcommand's flags (always --db) and checks the number of
// arguments left.
func (c cli) flags(name, argsUsage string, nargs int, args []string, define func(*flag.FlagSet)) (string, []string, error) {
	fs := flag.NewFlagSet("switchboard "+name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	db := c.getenv("SWITCHBOARD_DB")
	if db == "" {
		db = "switchboard.db"
	}
	fs.StringVar(&db, "db", db, "SQLite database file (SWITCHBOARD_DB)")
	if define != nil {
		define(fs)
	}
	fs.Usage = func() {
		fmt.Fprintf(c.stderr, "Usage: switchboard %s [flags] %s\n", name, argsUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return "", nil, err
	}
	if fs.NArg() != nargs {
		fs.Usage()
		return "", nil, fmt.Errorf("%s takes %d argument(s)", name, nargs)
	}
	return db, fs.Args(), nil
}

// open opens an existing database (a subcommand never creates one by
// accident).
func (c cli) open(db string) (*models.Store, error) {
	if _, err := os.Stat(db); err != nil {
		return nil, fmt.Errorf("database %s: %w", db, err)
	}
	return models.OpenSQLite(db)
}

func (c cli) readPassword() (string, error) {
	line, err := bufio.NewReader(c.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func (c cli) user(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("user: add, passwd, list or disable")
	}
	sub, args := args[0], args[1:]
	var role string
	nargs := 1
	if sub == "list" {
		nargs = 0
	}
	db, rest, err := c.flags("user "+sub, "NAME", nargs, args, func(fs *flag.FlagSet) {
		if sub == "add" {
			fs.StringVar(&role, "role", models.RoleAdmin, "admin or viewer")
		}
	})
	if err != nil {
		return err
	}
	store, err := c.open(db)
	if err != nil {
		return err
	}
	defer store.Close()
	switch sub {
	case "add", "passwd":
		pw, err := c.readPassword()
		if err != nil {
			return err
		}
		if sub == "add" {
			_, err = store.CreateUser(ctx, rest[0], pw, role)
		} else {
			err = store.SetPassword(ctx, rest[0], pw)
		}
		if err == nil {
			fmt.Fprintf(c.stdout, "%s: done\n", rest[0])
		}
		return err
	case "disable":
		if err := store.DisableUser(ctx, rest[0]); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s: disabled\n", rest[0])
		return nil
	case "list":
		users, err := store.ListUsers(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tROLE\tSTATE\tCREATED")
		for _, u := range users {
			state := "active"
			if u.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Username, u.Role, state, u.CreatedAt.Format(time.RFC3339))
		}
		return tw.Flush()
	}
	return fmt.Errorf("user %s: unknown; use add, passwd, list or disable", sub)
}

func (c cli) token(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("token: create, list or revoke")
	}
	sub, args := args[0], args[1:]
	nargs := 1
	if sub == "list" {
		nargs = 0
	}
	db, rest, err := c.flags("token "+sub, "NAME|ID", nargs, args, nil)
	if err != nil {
		return err
	}
	store, err := c.open(db)
	if err != nil {
		return err
	}
	defer store.Close()
	switch sub {
	case "create":
		tok, err := store.CreateToken(ctx, rest[0])
		if err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, tok)
		return nil
	case "list":
		toks, err := store.ListTokens(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tCREATED")
		for _, t := range toks {
			fmt.Fprintf(tw, "%d\t%s\t%s\n", t.ID, t.Name, t.CreatedAt.Format(time.RFC3339))
		}
		return tw.Flush()
	case "revoke":
		id, err := strconv.ParseInt(rest[0], 10, 64)
		if err != nil {
			return fmt.Errorf("token revoke: %q is not a token id", rest[0])
		}
		if err := store.RevokeToken(ctx, id); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "token %d revoked\n", id)
		return nil
	}
	return fmt.Errorf("token %s: unknown; use create, list or revoke", sub)
}

func (c cli) backup(ctx context.Context, args []string) error {
	db, rest, err := c.flags("backup", "FILE", 1, args, nil)
	if err != nil {
		return err
	}
	store, err := c.open(db)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Backup(ctx, rest[0]); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "backed up %s to %s\n", db, rest[0])
	return nil
}

func (c cli) restore(ctx context.Context, args []string) error {
	db, rest, err := c.flags("restore", "FILE", 1, args, nil)
	if err != nil {
		return err
	}
	unlock, err := lockDatabase(db)
	if err != nil {
		return fmt.Errorf("restore refused: %w", err)
	}
	defer unlock()
	// Check the backup before touching anything.
	src, err := c.open(rest[0])
	if err != nil {
		return err
	}
	problems, err := src.IntegrityCheck(ctx)
	src.Close()
	if err != nil || len(problems) > 0 {
		return fmt.Errorf("restore refused: %s fails the integrity check: %v %v", rest[0], err, problems)
	}
	raw, err := os.ReadFile(rest[0])
	if err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(db), "."+filepath.Base(db)+".restoring")
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(db + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := os.Rename(tmp, db); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "restored %s from %s\n", db, rest[0])
	return nil
}

func (c cli) check(ctx context.Context, args []string) error {
	db, _, err := c.flags("check", "", 0, args, nil)
	if err != nil {
		return err
	}
	// Before opening: opening makes the files private again.
	var modes []string
	for _, name := range models.SQLiteFiles(db) {
		if fi, err := os.Stat(name); err == nil && fi.Mode().Perm()&0o077 != 0 {
			modes = append(modes, fmt.Sprintf("%s is readable by other users (mode %04o); it holds password hashes and the audit log: chmod 600 it (Switchboard does when it opens it)", name, fi.Mode().Perm()))
		}
	}
	store, err := c.open(db)
	if err != nil {
		return err
	}
	defer store.Close()
	problems, err := store.IntegrityCheck(ctx)
	if err != nil {
		return err
	}
	inv, err := store.CheckInvariants(ctx)
	if err != nil {
		return err
	}
	problems = append(append(problems, inv...), modes...)
	for _, p := range problems {
		fmt.Fprintln(c.stdout, "problem:", p)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d problem(s) found", len(problems))
	}
	fmt.Fprintln(c.stdout, "ok: integrity check passed, invariants hold, files private (0600)")
	return nil
}

func (c cli) version(args []string) error {
	if len(args) > 0 {
		return errors.New("version takes no arguments")
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return errors.New("no build information in this binary")
	}
	commit, when, dirty := "unknown", "", ""
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = " (modified)"
			}
		}
	}
	fmt.Fprintf(c.stdout, "switchboard %s\ncommit %s%s %s\n%s\n", info.Main.Version, commit, dirty, when, info.GoVersion)
	return nil
}
