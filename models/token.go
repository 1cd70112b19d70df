package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// APIToken is a bearer token for scripts. Only its SHA-256 is stored: the
// token itself is shown once, when it is made.
type APIToken struct {
	ID        int64  `gorm:"primaryKey;autoIncrement"`
	Name      string `gorm:"not null"`
	Hash      string `gorm:"uniqueIndex;not null"`
	CreatedAt time.Time
}

// HashToken returns the stored form of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateToken makes a new random token, stores its hash and returns it.
func (s *Store) CreateToken(ctx context.Context, name string) (string, error) {
	token := "sb_" + rand.Text()
	err := s.w.WithContext(ctx).Create(&APIToken{Name: name, Hash: HashToken(token), CreatedAt: s.now().UTC()}).Error
	return token, err
}

// TokenExists reports whether token was made by CreateToken and not revoked.
func (s *Store) TokenExists(ctx context.Context, token string) (bool, error) {
	_, ok, err := s.TokenName(ctx, token)
	return ok, err
}

// TokenName returns the name of a valid token.
func (s *Store) TokenName(ctx context.Context, token string) (string, bool, error) {
	var ts []APIToken
	err := s.db.WithContext(ctx).Where("hash = ?", HashToken(token)).Limit(1).Find(&ts).Error
	if err != nil || len(ts) == 0 {
		return "", false, err
	}
	return ts[0].Name, true, nil
}

// CountTokens returns how many tokens exist.
func (s *Store) CountTokens(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&APIToken{}).Count(&n).Error
	return n, err
}

// ListTokens returns every token's id, name and creation time.
func (s *Store) ListTokens(ctx context.Context) ([]APIToken, error) {
	var ts []APIToken
	err := s.db.WithContext(ctx).Order("id").Find(&ts).Error
	return ts, err
}

// RevokeToken deletes a token; an unknown id is ErrNotFound.
func (s *Store) RevokeToken(ctx context.Context, id int64) error {
	res := s.w.WithContext(ctx).Delete(&APIToken{}, "id = ?", id)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return NotFound(WhatToken, id)
	}
	return nil
}
