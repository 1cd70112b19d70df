package models

import (
	"context"
	"strings"
)

// Change kinds.
const (
	ChangeProviders = "providers" // any provider added, updated, activated or deleted
	ChangeSetting   = "setting"
)

// Change is committed state for live subscribers: for providers the whole
// list as it stands after the commit, for a setting its key and new value.
type Change struct {
	Kind      string
	Providers []AIProvider
	Key       string
	Value     string
}

// WithChangeHook sets the function told about every committed provider and
// setting change. It is called in commit order, after the commit, and must
// not block (the hub's Publish does not).
func WithChangeHook(fn func(Change)) Option { return func(s *Store) { s.onChange = fn } }

// committed runs a provider or setting write and reports the change after
// its commit. pubMu covers write and report together, so reports leave in
// commit order.
func (s *Store) committed(ctx context.Context, kind string, write func() (Change, error)) error {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	c, err := write()
	if err != nil || s.onChange == nil {
		return err
	}
	c.Kind = kind
	if kind == ChangeSetting && strings.HasPrefix(c.Key, internalPrefix) {
		return nil
	}
	if kind == ChangeProviders {
		// Read after the commit while still holding pubMu: no other
		// provider write can land in between.
		if c.Providers, err = s.ListProviders(ctx); err != nil {
			return nil // committed; the next change will carry the state
		}
	}
	s.onChange(c)
	return nil
}
