package scheduler

import (
	"context"
	"crypto/rand"
	"os"
	"strings"
	"time"

	"switchboard/models"
)

// Cluster timing. An instance reports every beat; the leader's lease lasts
// leaseTTL and is renewed every beat, so a dead leader is replaced within
// about leaseTTL; an instance unheard for lostAfter is taken for dead (its
// runs under way are closed); the list forgets it after listedFor.
const (
	beat      = time.Second
	leaseTTL  = 5 * time.Second
	lostAfter = leaseTTL // as soon as a successor may lead, the dead leader's runs are closed
	listedFor = 30 * time.Second
	leaderKey = "leader"
)

// Member is one instance as GET /api/cluster shows it.
type Member struct {
	models.Instance
	Leader bool
}

// WithInstance names this instance in the cluster and the version it runs.
func WithInstance(id, version string) Option {
	return func(s *Service) { s.instance, s.version = id, version }
}

// Instance is this instance's id.
func (s *Service) Instance() string { return s.instance }

// Leader reports whether this instance runs the schedule now: it holds the
// leader lease, and the lease is not about to run out.
func (s *Service) Leader() bool {
	until := s.leaderUntil.Load()
	return until != 0 && time.Now().UnixNano() < until
}

// Members lists the instances seen in the last 30 s, by id.
func (s *Service) Members(ctx context.Context) ([]Member, error) {
	insts, err := s.store.Instances(ctx, time.Now().Add(-listedFor))
	if err != nil {
		return nil, err
	}
	leader, err := s.store.LeaseHolder(ctx, leaderKey)
	if err != nil {
		return nil, err
	}
	out := make([]Member, len(insts))
	for i, in := range insts {
		out[i] = Member{Instance: in, Leader: in.ID == leader}
	}
	return out, nil
}

// campaign reports this instance alive and takes or renews the leader
// lease. The lease counts as held until a margin before it runs out, so a
// leader that stalls stops running jobs before a successor may start.
func (s *Service) campaign(ctx context.Context) {
	if err := s.store.Heartbeat(ctx, models.Instance{
		ID: s.instance, StartedAt: s.startedAt, LastEventID: s.lastApplied.Load(), Version: s.version,
	}); err != nil && ctx.Err() == nil {
		s.log.Warn("cannot report this instance alive", "err", err)
	}
	asked := time.Now()
	l, err := s.store.AcquireLease(ctx, leaderKey, s.instance, leaseTTL)
	switch {
	case err != nil:
		if ctx.Err() == nil {
			s.log.Warn("cannot renew the leader lease", "err", err)
		}
		return // keep what we had until it runs out
	case l.Holder == s.instance:
		if !s.Leader() {
			s.log.Info("this instance now runs the schedule", "instance", s.instance)
		}
		s.leaderUntil.Store(asked.Add(leaseTTL - leaseTTL/5).UnixNano())
	default:
		if s.Leader() {
			s.log.Info("another instance runs the schedule now", "leader", l.Holder)
		}
		s.leaderUntil.Store(0)
	}
	if s.Leader() {
		s.closeLostRuns(ctx)
	}
}

// closeLostRuns ends the runs of instances that stopped reporting: they
// can never finish, and would keep their jobs from running.
func (s *Service) closeLostRuns(ctx context.Context) {
	running, _, err := s.store.ListRuns(ctx, models.RunFilter{Status: models.StatusRunning, Limit: 1000})
	if err != nil || len(running) == 0 {
		return
	}
	alive, err := s.store.Instances(ctx, time.Now().Add(-lostAfter))
	if err != nil {
		return
	}
	live := map[string]bool{}
	for _, in := range alive {
		live[in.ID] = true
	}
	n, err := s.store.CloseRuns(ctx, func(inst string) bool { return !live[inst] }, "instance lost: the instance running it stopped")
	if err != nil {
		s.log.Warn("cannot close runs of lost instances", "err", err)
	} else if n > 0 {
		s.log.Warn("closed runs of lost instances", "runs", n)
	}
}

// membership campaigns every beat until ctx ends, then leaves the cluster
// so a successor need not wait for the lease to run out.
func (s *Service) membership(ctx context.Context) {
	defer close(s.memberDone)
	t := time.NewTicker(beat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			bg := context.Background()
			s.leaderUntil.Store(0)
			_ = s.store.ReleaseLease(bg, leaderKey, s.instance)
			_ = s.store.RemoveInstance(bg, s.instance)
			return
		case <-t.C:
			s.campaign(ctx)
		}
	}
}

// DefaultInstanceID is the host name and a random suffix.
func DefaultInstanceID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "switchboard"
	}
	return host + "-" + strings.ToLower(rand.Text()[:6])
}
