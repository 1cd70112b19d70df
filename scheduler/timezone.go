package scheduler

import (
	"context"
	"fmt"
	"time"

	"switchboard/models"
)

// SetTimezone moves the scheduler to another IANA zone at once and stores
// the setting: every cron job's next run is recomputed in the new zone;
// interval jobs restart their interval from now. If storing fails the
// scheduler goes back to the old zone, so the setting and the scheduler
// never disagree.
func (s *Service) SetTimezone(ctx context.Context, name string) (models.Setting, error) {
	s.tzMu.Lock()
	defer s.tzMu.Unlock()
	loc, err := time.LoadLocation(name)
	if err != nil {
		return models.Setting{}, models.Invalid("value", "Invalid value for scheduler.timezone: %q is not an IANA timezone.", name)
	}
	old := s.Location()
	if err := s.relocate(ctx, loc); err != nil {
		return models.Setting{}, err
	}
	st, err := s.store.SetSetting(ctx, models.SettingTimezone, name, nil)
	if err != nil {
		if rerr := s.relocate(context.WithoutCancel(ctx), old); rerr != nil {
			s.log.Error("cannot return to the old timezone", "err", rerr)
		}
		return models.Setting{}, err
	}
	return st, nil
}

// relocate swaps in a gocron engine running in loc. It holds every stripe
// lock, so no change to any job interleaves with the swap; the old engine is
// shut down after the locks are released (it may wait briefly on a run that
// is finishing, which needs its stripe).
func (s *Service) relocate(ctx context.Context, loc *time.Location) error {
	if loc.String() == s.Location().String() {
		return nil
	}
	rows, err := s.store.ListJobs(ctx)
	if err != nil {
		return err
	}
	eng, err := newGocronEngine(loc, s.clock, s.log)
	if err != nil {
		return err
	}
	for i := range s.stripe {
		s.stripe[i].Lock()
	}
	s.list.begin() // every next run moves with the zone
	old := s.cur()
	s.rt.Store(&schedRuntime{loc: loc, eng: eng})
	var failed []string
	for _, j := range rows {
		if err := s.reconcile(j); err != nil {
			failed = append(failed, j.ID)
		}
	}
	s.mu.Lock()
	live, closed := s.state == started, s.state == closing
	s.mu.Unlock()
	if live {
		eng.start()
	}
	s.list.end()
	for i := range s.stripe {
		s.stripe[i].Unlock()
	}
	if err := old.eng.shutdown(context.WithoutCancel(ctx)); err != nil {
		s.log.Debug("old gocron engine shutdown", "err", err)
	}
	if closed {
		_ = eng.shutdown(context.WithoutCancel(ctx))
	}
	if len(failed) > 0 {
		return fmt.Errorf("jobs that could not be rescheduled in %s: %v", loc, failed)
	}
	s.log.Info("scheduler timezone changed", "from", old.loc.String(), "to", loc.String())
	return nil
}
