package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"switchboard/egress"
	"switchboard/handlers"
	"switchboard/models"
	"switchboard/scheduler"
)

// redactURL drops the password from a database URL before it is shown.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// location is where the store lives: the PostgreSQL URL, else the SQLite file.
func (c config) location() string {
	if c.databaseURL != "" {
		return c.databaseURL
	}
	return c.dbPath
}

// config is everything the command line and environment decide.
type config struct {
	addr          string
	metricsAddr   string
	dbPath        string
	databaseURL   string
	instanceID    string
	catalog       bool
	apiToken      string
	secretKey     string
	logFormat     string
	logLevel      slog.Level
	shutdownGrace time.Duration
	corsOrigins   []string // normalised by handlers.ParseOrigin
	cookieSecure  bool
	egress        *egress.Policy
}

// parseConfig reads flags, falling back to SWITCHBOARD_* environment
// variables, and validates them once.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	var c config
	fs := flag.NewFlagSet("switchboard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", env("SWITCHBOARD_ADDR", "127.0.0.1:8080"), "listen address (SWITCHBOARD_ADDR)")
	fs.StringVar(&c.metricsAddr, "metrics-addr", env("SWITCHBOARD_METRICS_ADDR", ""), "extra listen address serving /metrics without authentication, for a scraper on loopback (SWITCHBOARD_METRICS_ADDR)")
	fs.StringVar(&c.dbPath, "db", env("SWITCHBOARD_DB", "switchboard.db"), "SQLite database file (SWITCHBOARD_DB)")
	fs.StringVar(&c.databaseURL, "database-url", env("SWITCHBOARD_DATABASE_URL", ""), "PostgreSQL URL for several instances (SWITCHBOARD_DATABASE_URL)")
	fs.StringVar(&c.instanceID, "instance-id", env("SWITCHBOARD_INSTANCE_ID", ""), "this instance's name in a cluster; default the host name and a random suffix (SWITCHBOARD_INSTANCE_ID)")
	catalog := fs.String("catalog", env("SWITCHBOARD_CATALOG", "true"), "create the catalogue of seven jobs on an empty database (SWITCHBOARD_CATALOG)")
	fs.StringVar(&c.logFormat, "log-format", env("SWITCHBOARD_LOG_FORMAT", "text"), "log format: text or json (SWITCHBOARD_LOG_FORMAT)")
	level := fs.String("log-level", env("SWITCHBOARD_LOG_LEVEL", "info"), "log level: debug, info, warn, error (SWITCHBOARD_LOG_LEVEL)")
	var corsFlags []string
	fs.Func("cors-origin", "an origin (scheme://host[:port]) whose pages may call /api/ with the user's session; repeat for several (SWITCHBOARD_CORS_ORIGINS, comma-separated)",
		func(s string) error { corsFlags = append(corsFlags, s); return nil })
	var allow, deny []string
	fs.Func("webhook-allow", "an IP address or CIDR webhooks may reach even where refused by default (link-local) or by --webhook-deny; repeat for several (SWITCHBOARD_WEBHOOK_ALLOW, comma-separated)",
		func(s string) error { allow = append(allow, s); return nil })
	fs.Func("webhook-deny", "an IP address or CIDR webhooks may not reach; repeat for several (SWITCHBOARD_WEBHOOK_DENY, comma-separated)",
		func(s string) error { deny = append(deny, s); return nil })
	secureDefault, secureErr := strconv.ParseBool(env("SWITCHBOARD_COOKIE_SECURE", "false"))
	fs.BoolVar(&c.cookieSecure, "cookie-secure", secureDefault, "mark the session cookie Secure: set it when a proxy in front of Switchboard ends TLS (SWITCHBOARD_COOKIE_SECURE)")
	fs.DurationVar(&c.shutdownGrace, "shutdown-grace", 5*time.Minute, "how long running jobs may finish after SIGINT/SIGTERM")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	var err error
	if c.catalog, err = strconv.ParseBool(*catalog); err != nil {
		return c, fmt.Errorf("--catalog: %q is not true or false", *catalog)
	}
	if err := c.logLevel.UnmarshalText([]byte(*level)); err != nil {
		return c, fmt.Errorf("--log-level: %w", err)
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return c, fmt.Errorf("--log-format: %q is not text or json", c.logFormat)
	}
	if secureErr != nil {
		return c, fmt.Errorf("SWITCHBOARD_COOKIE_SECURE: %q is not true or false", getenv("SWITCHBOARD_COOKIE_SECURE"))
	}
	if allow == nil && getenv("SWITCHBOARD_WEBHOOK_ALLOW") != "" {
		allow = strings.Split(getenv("SWITCHBOARD_WEBHOOK_ALLOW"), ",")
	}
	if deny == nil && getenv("SWITCHBOARD_WEBHOOK_DENY") != "" {
		deny = strings.Split(getenv("SWITCHBOARD_WEBHOOK_DENY"), ",")
	}
	if c.egress, err = egress.New(allow, deny); err != nil {
		return c, err
	}
	if corsFlags == nil && getenv("SWITCHBOARD_CORS_ORIGINS") != "" {
		corsFlags = strings.Split(getenv("SWITCHBOARD_CORS_ORIGINS"), ",")
	}
	for _, o := range corsFlags {
		origin, err := handlers.ParseOrigin(o)
		if err != nil {
			return c, fmt.Errorf("--cors-origin: %w", err)
		}
		c.corsOrigins = append(c.corsOrigins, origin)
	}
	c.apiToken = getenv("SWITCHBOARD_API_TOKEN")
	c.secretKey = getenv("SWITCHBOARD_SECRET_KEY")
	if c.databaseURL != "" {
		if !models.IsPostgresURL(c.databaseURL) {
			return c, fmt.Errorf("--database-url: %q is not a postgres:// URL", redactURL(c.databaseURL))
		}
		// Every instance must open the API keys the others sealed and
		// accept the sessions the others signed: one key, given to all.
		if c.secretKey == "" {
			return c, errors.New("--database-url: SWITCHBOARD_SECRET_KEY is required with PostgreSQL (base64 of 32 bytes, the same on every instance; make one with: head -c 32 /dev/urandom | base64)")
		}
	}
	if c.instanceID == "" {
		c.instanceID = scheduler.DefaultInstanceID()
	}
	return c, nil
}

func newLogger(c config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.logLevel}
	if c.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
