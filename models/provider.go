package models

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
)

// Cipher seals API keys at rest; aad binds a ciphertext to its row.
type Cipher interface {
	Seal(plain, aad []byte) ([]byte, error)
	Open(sealed, aad []byte) ([]byte, error)
}

// WithCipher sets how API keys are encrypted. A store without one refuses to
// store keys.
func WithCipher(c Cipher) Option { return func(s *Store) { s.cipher = c } }

// AIProvider is a configured AI provider. At most one row is active: the
// database enforces it with a partial unique index.
type AIProvider struct {
	ID           int64  `gorm:"primaryKey;autoIncrement"`
	Provider     string `gorm:"size:32;not null;uniqueIndex"`
	APIKeySealed []byte `gorm:"not null"`
	APIKeyLast4  string `gorm:"size:4;not null"`
	Model        string `gorm:"not null;default:''"`
	BaseURL      string `gorm:"not null;default:''"`
	IsActive     bool   `gorm:"not null;default:false"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// MaskedKey is the key as shown: **** and its last four characters.
func (p AIProvider) MaskedKey() string { return "****" + p.APIKeyLast4 }

// ProviderInput is a validated add-or-update of a provider.
type ProviderInput struct {
	Provider  string
	APIKey    string // empty keeps the stored key (an update)
	Model     string
	BaseURL   string
	SetActive bool
	// ActivateIfNone makes the provider active only when no provider is:
	// the console's save, where adding a second key must not silently
	// switch the provider every prompt job uses.
	ActivateIfNone bool
	// KeepModel and KeepBaseURL keep the stored values (fields absent from
	// the request); an explicit empty value clears them.
	KeepModel, KeepBaseURL bool
	// NeedsModel and NeedsBaseURL: the provider cannot work without them,
	// whatever is kept.
	NeedsModel, NeedsBaseURL bool
}

// ValidateAPIKey checks a key: 8–512 characters, no whitespace.
func ValidateAPIKey(key string) error {
	if n := len(key); n < 8 || n > 512 || strings.IndexFunc(key, unicode.IsSpace) >= 0 {
		return Invalid("api_key", `Invalid "api_key": must be 8 to 512 characters with no whitespace.`)
	}
	return nil
}

// lastChars is the last n characters of s (not bytes: a mask must not cut
// a character in two).
func lastChars(s string, n int) string {
	r := []rune(s)
	return string(r[max(0, len(r)-n):])
}

// ValidateModel checks a model name.
func ValidateModel(model string) error {
	if len(model) > 100 || strings.IndexFunc(model, unicode.IsSpace) >= 0 {
		return Invalid("model", `Invalid "model": at most 100 characters, no whitespace.`)
	}
	return nil
}

// ValidateBaseURL checks an optional base URL.
func ValidateBaseURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(raw) > 500 || u.User != nil {
		return Invalid("base_url", `Invalid "base_url": must be an http or https URL without credentials.`)
	}
	return nil
}

func (s *Store) sealKey(provider, key string) ([]byte, error) {
	if s.cipher == nil {
		return nil, errors.New("no cipher configured for API keys")
	}
	return s.cipher.Seal([]byte(key), []byte("ai_provider:"+provider))
}

// OpenKey decrypts a provider's API key.
func (s *Store) OpenKey(p AIProvider) (string, error) {
	if s.cipher == nil {
		return "", errors.New("no cipher configured for API keys")
	}
	plain, err := s.cipher.Open(p.APIKeySealed, []byte("ai_provider:"+p.Provider))
	return string(plain), err
}

// UpsertProvider adds the provider or updates its row (one row per
// provider) and, with SetActive, makes it the only active one, all in one
// transaction.
func (s *Store) UpsertProvider(ctx context.Context, in ProviderInput) (AIProvider, error) {
	var p AIProvider
	err := s.upsertProvider(ctx, in, &p)
	if err != nil {
		return AIProvider{}, err
	}
	return s.ProviderByID(ctx, p.ID)
}

func (s *Store) upsertProvider(ctx context.Context, in ProviderInput, out *AIProvider) error {
	var p AIProvider
	defer func() { *out = p }()
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := s.d.serialize(tx, "providers"); err != nil {
			return err
		}
		p = AIProvider{}
		now := s.now().UTC()
		err := tx.Where("provider = ?", in.Provider).Take(&p).Error
		exists := err == nil
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		var before *AIProvider
		if exists {
			b := p
			before = &b
		}
		if !exists {
			if in.APIKey == "" {
				return Invalid("api_key", `Field "api_key" is required for a provider that is not configured yet.`)
			}
			p = AIProvider{Provider: in.Provider, CreatedAt: now}
		}
		if !in.KeepModel {
			p.Model = in.Model
		}
		if !in.KeepBaseURL {
			// A stored key goes only to the address it was saved for.
			if exists && in.APIKey == "" && in.BaseURL != p.BaseURL {
				return Invalid("api_key", `Field "api_key" is required to change "base_url": a stored key is only sent to the address it was saved for.`)
			}
			p.BaseURL = in.BaseURL
		}
		if in.NeedsBaseURL && p.BaseURL == "" {
			return Invalid("base_url", `Field "base_url" is required for %s.`, in.Provider)
		}
		if in.NeedsModel && p.Model == "" {
			return Invalid("model", `Field "model" is required for %s.`, in.Provider)
		}
		if in.APIKey != "" {
			sealed, err := s.sealKey(in.Provider, in.APIKey)
			if err != nil {
				return err
			}
			p.APIKeySealed, p.APIKeyLast4 = sealed, lastChars(in.APIKey, 4)
		}
		p.UpdatedAt = now
		if err := tx.Save(&p).Error; err != nil {
			return err
		}
		setActive := in.SetActive
		if !setActive && in.ActivateIfNone && !p.IsActive {
			var n int64
			if err := tx.Model(&AIProvider{}).Where("is_active").Count(&n).Error; err != nil {
				return err
			}
			setActive = n == 0
		}
		if setActive {
			if err := activate(tx, p.ID, now); err != nil {
				return err
			}
			p.IsActive = true
		}
		action := "provider.update"
		if before == nil {
			action = "provider.add"
		}
		if err := s.audit(ctx, tx, action, p.Provider, auditProvider(before), auditProvider(&p)); err != nil {
			return err
		}
		return s.appendProviders(tx)
	})
}

// activate switches the active provider inside tx: deactivate the others,
// then activate id. The partial unique index refuses two active; the rows
// activated tell that id exists, so exactly one is active after.
func activate(tx *gorm.DB, id int64, now time.Time) error {
	if err := tx.Model(&AIProvider{}).Where("is_active AND id <> ?", id).
		Updates(map[string]any{"is_active": false, "updated_at": now}).Error; err != nil {
		return err
	}
	res := tx.Model(&AIProvider{}).Where("id = ?", id).Updates(map[string]any{"is_active": true, "updated_at": now})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return NotFound(WhatProvider, id)
	}
	return nil
}

// ActivateProvider makes provider id the only active one; an unknown id is
// ErrNotFound and changes nothing. Provider writes are serial across the
// cluster, so the list read first is the list this switch changes: the
// event is built from it rather than read again.
func (s *Store) ActivateProvider(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := s.d.serialize(tx, "providers"); err != nil {
			return err
		}
		var ps []AIProvider
		if err := tx.Order("id").Find(&ps).Error; err != nil {
			return err
		}
		var was, now string
		found := false
		for _, p := range ps {
			if p.IsActive {
				was = p.Provider
			}
			if p.ID == id {
				now, found = p.Provider, true
			}
		}
		if !found {
			return NotFound(WhatProvider, id)
		}
		at := s.now().UTC().Truncate(time.Microsecond) // what PostgreSQL keeps
		if err := activate(tx, id, at); err != nil {
			return err
		}
		for i := range ps {
			if ps[i].IsActive || ps[i].ID == id { // the rows activate touched
				ps[i].IsActive, ps[i].UpdatedAt = ps[i].ID == id, at
			}
		}
		if err := s.audit(ctx, tx, "provider.activate", now, map[string]any{"active": was}, map[string]any{"active": now}); err != nil {
			return err
		}
		return s.appendProviderList(tx, ps)
	})
}

// DeleteProvider removes a provider; deleting the active one leaves none
// active (the API's promise).
func (s *Store) DeleteProvider(ctx context.Context, id int64) error {
	_, err := s.deleteProvider(ctx, id, false)
	return err
}

// DeleteProviderHandingOver removes a provider and, when it was the active
// one, makes the first other configured provider (by id: the longest
// configured) active in the same transaction, so prompt jobs keep a
// provider while one is configured. It returns the provider it made
// active, "" when it made none so.
func (s *Store) DeleteProviderHandingOver(ctx context.Context, id int64) (string, error) {
	return s.deleteProvider(ctx, id, true)
}

func (s *Store) deleteProvider(ctx context.Context, id int64, handOver bool) (string, error) {
	var next string
	err := s.write(ctx, func(tx *gorm.DB) error {
		next = ""
		if err := s.d.serialize(tx, "providers"); err != nil {
			return err
		}
		var p AIProvider
		if err := tx.Where("id = ?", id).Take(&p).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return NotFound(WhatProvider, id)
			}
			return err
		}
		if err := tx.Delete(&AIProvider{}, "id = ?", id).Error; err != nil {
			return err
		}
		if err := s.audit(ctx, tx, "provider.delete", p.Provider, auditProvider(&p), nil); err != nil {
			return err
		}
		if handOver && p.IsActive {
			var others []AIProvider
			if err := tx.Order("id").Limit(1).Find(&others).Error; err != nil {
				return err
			}
			if len(others) == 1 {
				if err := activate(tx, others[0].ID, s.now().UTC()); err != nil {
					return err
				}
				next = others[0].Provider
				if err := s.audit(ctx, tx, "provider.activate", next, map[string]any{"active": p.Provider}, map[string]any{"active": next}); err != nil {
					return err
				}
			}
		}
		return s.appendProviders(tx)
	})
	return next, err
}

// ListProviders returns every configured provider.
func (s *Store) ListProviders(ctx context.Context) ([]AIProvider, error) {
	var ps []AIProvider
	err := s.db.WithContext(ctx).Order("id").Find(&ps).Error
	return ps, err
}

// ProviderByID returns one provider or ErrNotFound.
func (s *Store) ProviderByID(ctx context.Context, id int64) (AIProvider, error) {
	return take[AIProvider](s.db.WithContext(ctx).Where("id = ?", id), WhatProvider, id)
}

// ProviderByName returns one provider or ErrNotFound.
func (s *Store) ProviderByName(ctx context.Context, name string) (AIProvider, error) {
	return take[AIProvider](s.db.WithContext(ctx).Where("provider = ?", name), WhatProvider, name)
}

// ActiveProvider returns the active provider or ErrNotFound.
func (s *Store) ActiveProvider(ctx context.Context) (AIProvider, error) {
	return take[AIProvider](s.db.WithContext(ctx).Where("is_active"), WhatProvider, "active")
}

// TableName names the table as the design does (GORM would say a_iproviders).
func (AIProvider) TableName() string { return "ai_providers" }
