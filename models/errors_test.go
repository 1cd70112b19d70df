package models

import (
	"context"
	"errors"
	"testing"
)

// TestNotFoundNamesWhatWasAsked: every store read or write of a row that
// is not there answers a *NotFoundError naming what and which, and
// errors.Is(err, ErrNotFound) holds for it (issue 14, item 6).
func TestNotFoundNamesWhatWasAsked(t *testing.T) { eachDialect(t, testNotFoundNamesWhatWasAsked) }

func testNotFoundNamesWhatWasAsked(t *testing.T, dialect string) {
	s, _ := openTestStore(t, dialect)
	ctx := context.Background()
	keep := func(*Job) error { return nil }
	tests := []struct {
		name     string
		call     func() error
		what, id string
	}{
		{"GetJob", func() error { _, err := s.GetJob(ctx, "nope"); return err }, WhatJob, "nope"},
		{"UpdateJob", func() error { _, err := s.UpdateJob(ctx, "gone", keep, nil); return err }, WhatJob, "gone"},
		{"DeleteJob", func() error { _, err := s.DeleteJob(ctx, "gone", nil, nil); return err }, WhatJob, "gone"},
		{"GetRun", func() error { _, err := s.GetRun(ctx, 404); return err }, WhatRun, "404"},
		{"ProviderByID", func() error { _, err := s.ProviderByID(ctx, 7); return err }, WhatProvider, "7"},
		{"ProviderByName", func() error { _, err := s.ProviderByName(ctx, "openai"); return err }, WhatProvider, "openai"},
		{"ActiveProvider", func() error { _, err := s.ActiveProvider(ctx); return err }, WhatProvider, "active"},
		{"ActivateProvider", func() error { return s.ActivateProvider(ctx, 8) }, WhatProvider, "8"},
		{"DeleteProvider", func() error { return s.DeleteProvider(ctx, 9) }, WhatProvider, "9"},
		{"GetSetting", func() error { _, err := s.GetSetting(ctx, "x.y"); return err }, WhatSetting, "x.y"},
		{"EffectiveSetting", func() error { _, err := s.EffectiveSetting(ctx, "x.y"); return err }, WhatSetting, "x.y"},
		{"UserByID", func() error { _, err := s.UserByID(ctx, 5); return err }, WhatUser, "5"},
		{"Authenticate", func() error { _, err := s.Authenticate(ctx, "nobody", "pw"); return err }, WhatUser, "nobody"},
		{"RevokeToken", func() error { return s.RevokeToken(ctx, 6) }, WhatToken, "6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var nf *NotFoundError
			if !errors.As(err, &nf) || nf.What != tt.what || nf.ID != tt.id || !errors.Is(err, ErrNotFound) {
				t.Errorf("got %v (%#v), want %s %q not found", err, nf, tt.what, tt.id)
			}
		})
	}
}
