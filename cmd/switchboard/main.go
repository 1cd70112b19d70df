// Command switchboard serves the Switchboard control room: scheduled jobs,
// settings and AI providers, over a JSON API.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"switchboard/ai"
	"switchboard/handlers"
	"switchboard/hub"
	"switchboard/metrics"
	"switchboard/models"
	"switchboard/providers"
	"switchboard/scheduler"
	"switchboard/secrets"
	"switchboard/static"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // --help printed the usage
		}
		fmt.Fprintln(os.Stderr, "switchboard:", err)
		os.Exit(1)
	}
}

// serve is the composition root: config, logger, store, scheduler,
// handlers, HTTP server; it shuts them down in reverse when ctx ends.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	keyFile := ""
	if cfg.databaseURL == "" {
		// On SQLite one server owns the file; on PostgreSQL any number
		// share the database and coordinate through it.
		unlock, err := lockDatabase(cfg.dbPath)
		if err != nil {
			return err
		}
		defer unlock()
		keyFile = cfg.dbPath + ".key"
	}
	key, err := secrets.LoadKey(cfg.secretKey, keyFile)
	if err != nil {
		return err
	}
	box, err := secrets.New(key)
	if err != nil {
		return err
	}
	events := hub.New(handlers.StreamClasses, 256, 4096)
	store, err := models.Open(cfg.location(), models.WithCipher(box))
	if err != nil {
		return err
	}
	defer store.Close()
	mets := metrics.New(metrics.Gauges{
		StreamClients:   func() float64 { return float64(events.Stats().Subscribers) },
		SlowDisconnects: func() float64 { return float64(events.Stats().SlowDisconnects) },
		PausedJobs: func() float64 {
			n, _ := store.CountPausedJobs(context.Background())
			return float64(n)
		},
	})
	// Provider calls obey the same egress policy as webhooks: a base URL is
	// an address an admin typed, like a webhook's.
	aiClient := ai.NewClient(cfg.egress.Client(0), 2*time.Minute, ai.WithObserver(mets.ObserveProvider))
	// One provider service for prompt jobs and connection tests.
	provs := providers.New(store, aiClient)

	tz := models.DefaultTimezone
	if st, err := store.GetSetting(ctx, models.SettingTimezone); err == nil {
		tz = st.Value
	} else if !errors.Is(err, models.ErrNotFound) {
		return err
	}
	// Listen before any job can run: webhooks must know our own addresses.
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	cfg.egress.AddSelf(ln.Addr())
	var mln net.Listener
	if cfg.metricsAddr != "" {
		if mln, err = net.Listen("tcp", cfg.metricsAddr); err != nil {
			return err
		}
		defer mln.Close()
		cfg.egress.AddSelf(mln.Addr())
	}
	sched, err := scheduler.New(store, tz, scheduler.WithLogger(log), scheduler.WithPromptRunner(promptRunner(provs)),
		scheduler.WithInstance(cfg.instanceID, buildVersion()), scheduler.WithEgress(cfg.egress))
	if err != nil {
		return err
	}
	sched.Subscribe(func(e scheduler.Event) {
		// Every instance sees every run; each counts its own.
		if e.Type == scheduler.EventJobCompleted && e.Run.DurationMs != nil && e.Run.Instance == sched.Instance() {
			mets.ObserveRun(e.JobID, e.Run.Status, time.Duration(*e.Run.DurationMs)*time.Millisecond)
		}
	})
	if err := sched.Register(pruneJob(store)); err != nil {
		return err
	}
	// First-start work runs once however many instances start together.
	err = store.Exclusive(ctx, func() error {
		if cfg.catalog {
			if err := sched.SeedCatalog(ctx); err != nil {
				return err
			}
		}
		if err := sched.Start(ctx); err != nil {
			return err
		}
		if err := bootstrapToken(ctx, store, cfg, stdout); err != nil {
			return err
		}
		return bootstrapAdmin(ctx, store, getenv("SWITCHBOARD_ADMIN_PASSWORD"), stdout)
	})
	defer func() {
		grace, cancel := context.WithTimeout(context.Background(), cfg.shutdownGrace)
		defer cancel()
		if err := sched.Close(grace); err != nil {
			log.Error("scheduler shutdown", "err", err)
		}
	}()
	if err != nil {
		return err
	}

	assets, err := static.New()
	if err != nil {
		return err
	}
	handler := handlers.New(handlers.Deps{Store: store, Scheduler: sched, Hub: events, Providers: provs, Log: log, Assets: assets, Metrics: mets},
		handlers.Config{APIToken: cfg.apiToken, SessionSecret: key, CORSOrigins: cfg.corsOrigins, Version: buildVersion(), CookieSecure: cfg.cookieSecure})
	srv := &http.Server{
		Handler:           handler.Routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 2)
	go func() { served <- srv.Serve(ln) }()
	if mln != nil {
		msrv := &http.Server{Handler: mets.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go func() { served <- msrv.Serve(mln) }()
		defer msrv.Close()
		fmt.Fprintf(stdout, "Metrics on http://%s/metrics\n", mln.Addr())
	}
	fmt.Fprintf(stdout, "Switchboard listening on http://%s\n", ln.Addr())
	log.Info("listening", "addr", ln.Addr().String(), "db", redactURL(cfg.location()), "instance", cfg.instanceID)

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	events.Close() // ends every live stream, so Shutdown need not wait on them
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	if err := handler.WaitStreams(shutdownCtx); err != nil {
		log.Warn("live streams did not end", "err", err)
	}
	return nil
}

// bootstrapAdmin creates the first admin on a database without users, with
// the given password or a generated one printed once.
func bootstrapAdmin(ctx context.Context, store *models.Store, password string, stdout io.Writer) error {
	n, err := store.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	generated := password == ""
	if generated {
		password = rand.Text()
	}
	if _, err := store.CreateUser(ctx, "admin", password, models.RoleAdmin); err != nil {
		return fmt.Errorf("first admin: %w", err)
	}
	if generated {
		fmt.Fprintf(stdout, "Created the first admin user 'admin'; its password, printed once: %s\n", password)
	}
	return nil
}

// bootstrapToken makes the first API token when none exists and none was
// given, and prints it once: it is stored only as a hash.
func bootstrapToken(ctx context.Context, store *models.Store, cfg config, stdout io.Writer) error {
	if cfg.apiToken != "" {
		return nil
	}
	n, err := store.CountTokens(ctx)
	if err != nil || n > 0 {
		return err
	}
	token, err := store.CreateToken(ctx, "initial")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created the first API token (shown only once): %s\n", token)
	return nil
}

// buildVersion names the build in the cluster list: the module version, or
// the commit it was built from.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v = s.Value[:12]
		}
	}
	if v == "" {
		v = "devel"
	}
	return v
}
