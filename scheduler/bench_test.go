package scheduler

import (
	"context"
	"fmt"
	"testing"
	"time"

	"switchboard/models"
	"switchboard/models/modeltest"
)

// BenchmarkList is List with 50 stored jobs: kept, and read afresh after
// every change (the decode of each schedule is what a rebuild reuses).
func BenchmarkList(b *testing.B) {
	st, err := models.Open(modeltest.Location(b, testDialect))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	s, err := New(st, "America/New_York")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close(ctx) })
	for i := range 50 {
		in := models.ScheduleInput{Trigger: models.TriggerCron, Args: map[string]models.Value{
			"hour": *models.Text(fmt.Sprint(i % 24)), "minute": *models.Text(fmt.Sprint(i % 60)), "day_of_week": *models.Text("mon-fri")}}
		sched, err := in.Validate(s.Location(), time.Now())
		if err != nil {
			b.Fatal(err)
		}
		id := fmt.Sprintf("job-%04d", i)
		if _, err := s.Create(ctx, models.JobSpec{Schedule: sched, Job: models.Job{ID: id, Name: id, Kind: models.KindWebhook,
			Config: `{"url":"http://127.0.0.1:1/","method":"POST"}`, Trigger: sched.Trigger, TriggerArgs: sched.ArgsJSON(), Enabled: true}}); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range []struct {
		name  string
		fresh bool
	}{{"Kept", false}, {"AfterChange", true}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if c.fresh {
					invalidateList(s)
				}
				if jobs, err := s.List(ctx); err != nil || len(jobs) != 50 {
					b.Fatalf("got %d jobs, %v; want 50", len(jobs), err)
				}
			}
		})
	}
}
