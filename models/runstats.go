package models

import (
	"context"
	"time"
)

// GetRun returns one run or ErrNotFound.
func (s *Store) GetRun(ctx context.Context, id int64) (JobRun, error) {
	return take[JobRun](s.db.WithContext(ctx).Where("id = ?", id), WhatRun, id)
}

// CountRunsByStatus counts the runs started in [from, to) by status. The
// window is read through the started_at index, so a chart of a day costs
// one small query per bar whatever the history holds.
func (s *Store) CountRunsByStatus(ctx context.Context, from, to time.Time) (map[string]int64, error) {
	var rows []struct {
		Status string
		N      int64
	}
	err := s.db.WithContext(ctx).Model(&JobRun{}).Select("status, COUNT(*) AS n").
		Where("started_at >= ? AND started_at < ?", from.UTC(), to.UTC()).Group("status").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// RecentDurations returns the durations, in milliseconds, of the job's last
// n runs that did work and finished (success or error), newest first: a
// skipped tick ends at once and would say nothing of how long the job takes.
func (s *Store) RecentDurations(ctx context.Context, jobID string, n int) ([]int64, error) {
	var out []int64
	err := s.db.WithContext(ctx).Model(&JobRun{}).
		Where("job_id = ? AND status IN ? AND duration_ms IS NOT NULL", jobID, []string{StatusSuccess, StatusError}).
		Order("started_at DESC, id DESC").Limit(n).Pluck("duration_ms", &out).Error
	return out, err
}
