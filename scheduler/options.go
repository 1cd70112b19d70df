// Package scheduler is the one writer path for jobs: a locked service over
// gocron that keeps the jobs table, gocron and every reader in agreement.
//
// Lock discipline. Changes to one job are serialised by that job's stripe
// lock, held for the whole check-then-act (validate, write the row, apply to
// gocron, publish). s.mu guards only in-memory maps and is never held across
// I/O. Holding a stripe lock is also what marks a change under way for the
// one cache of the job list (listCache, in snapshot.go). No lock is held
// while a job body runs, so a body (or an event
// listener, which runs on the dispatcher goroutine) may call back into the
// service: no path ever takes a lock it already holds.
package scheduler

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/jonboulle/clockwork"

	"switchboard/egress"
	"switchboard/models"
)

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock of the service and of gocron (tests pass a fake).
func WithClock(c clockwork.Clock) Option { return func(s *Service) { s.clock = c } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// WithPromptRunner sets how prompt jobs reach the AI provider. Without one,
// prompt runs end skipped: "no active AI provider".
func WithPromptRunner(r PromptRunner) Option { return func(s *Service) { s.prompt = r } }

// WithHTTPClient sets the client webhook jobs use (tests; it bypasses the
// egress policy's dialer, not its check of saved URLs).
func WithHTTPClient(c *http.Client) Option { return func(s *Service) { s.http = c } }

// WithEgress sets which addresses webhook jobs may reach; the default
// refuses link-local and cloud metadata addresses.
func WithEgress(p *egress.Policy) Option {
	return func(s *Service) { s.egress, s.http = p, p.Client(webhookTimeout) }
}

// webhookTimeout bounds one webhook call, redirects included.
const webhookTimeout = 30 * time.Second

// WithApplyHook is called before a schedule is applied to gocron; an error
// aborts the change, which then rolls back. It is the seam through which
// tests make applying fail.
func WithApplyHook(h func(jobID string, sched models.Schedule) error) Option {
	return func(s *Service) { s.applyHook = h }
}

// WithMarketHours overrides the market-hours test (tests pin it).
func WithMarketHours(open func(time.Time) bool) Option {
	return func(s *Service) { s.marketOpen = open }
}
