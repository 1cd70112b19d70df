package models

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// Roles.
const (
	RoleAdmin  = "admin"  // everything
	RoleViewer = "viewer" // read-only
)

// User is an operator who signs in to the console.
type User struct {
	ID             int64  `gorm:"primaryKey;autoIncrement"`
	Username       string `gorm:"size:64;not null;uniqueIndex"`
	PasswordHash   string `gorm:"not null"`
	Role           string `gorm:"not null"`
	Disabled       bool   `gorm:"not null;default:false"`
	SessionVersion int64  `gorm:"not null;default:1"` // bumped to sign every session out
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,64}$`)

// ValidatePassword checks a new password: at least 12 characters, at most
// the 72 bytes bcrypt reads.
func ValidatePassword(pw string) error {
	if utf8.RuneCountInString(pw) < 12 || len(pw) > 72 {
		return Invalid("password", "Passwords must be at least 12 characters and at most 72 bytes.")
	}
	return nil
}

// dummyHash is compared against when a user does not exist, so that a wrong
// name costs as long as a wrong password.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("no such user, no such password"), bcrypt.DefaultCost)
	return h
})

// CreateUser stores a user with a bcrypt hash of password.
func (s *Store) CreateUser(ctx context.Context, username, password, role string) (User, error) {
	if !usernamePattern.MatchString(username) {
		return User{}, Invalid("username", "Invalid username: 1–64 letters, digits, '_', '.', '@' or '-'.")
	}
	if role != RoleAdmin && role != RoleViewer {
		return User{}, Invalid("role", "Invalid role: must be admin or viewer.")
	}
	if err := ValidatePassword(password); err != nil {
		return User{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return User{}, err
	}
	now := s.now().UTC()
	u := User{Username: username, PasswordHash: string(hash), Role: role, SessionVersion: 1, CreatedAt: now, UpdatedAt: now}
	err = s.write(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&u).Error; err != nil {
			return err
		}
		return s.audit(ctx, tx, "user.create", username, nil, map[string]any{"role": role})
	})
	if err != nil {
		if s.isUniqueViolation(err) {
			return User{}, &ConflictError{Message: fmt.Sprintf("User '%s' already exists.", username)}
		}
		return User{}, err
	}
	return u, nil
}

// SetPassword replaces a user's password and signs out their sessions.
func (s *Store) SetPassword(ctx context.Context, username, password string) error {
	if err := ValidatePassword(password); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	return s.updateUser(ctx, username, "user.password", map[string]any{"password_hash": string(hash)})
}

// DisableUser stops a user from signing in and signs out their sessions.
func (s *Store) DisableUser(ctx context.Context, username string) error {
	return s.updateUser(ctx, username, "user.disable", map[string]any{"disabled": true})
}

// EnableUser lets a disabled user sign in again.
func (s *Store) EnableUser(ctx context.Context, username string) error {
	return s.updateUser(ctx, username, "user.enable", map[string]any{"disabled": false})
}

// SignOutEverywhere ends every session of the user.
func (s *Store) SignOutEverywhere(ctx context.Context, username string) error {
	return s.updateUser(ctx, username, "", map[string]any{})
}

// updateUser applies set and bumps the session version, which ends the
// user's sessions. A non-empty action is audited (the password hash never
// is: only that it changed).
func (s *Store) updateUser(ctx context.Context, username, action string, set map[string]any) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		var before User
		if err := tx.Where("username = ?", username).Take(&before).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return NotFound(WhatUser, username)
			}
			return err
		}
		shown := map[string]any{}
		for k, v := range set {
			if k == "password_hash" {
				v = "(changed)"
			}
			shown[k] = v
		}
		set["session_version"] = gorm.Expr("session_version + 1")
		set["updated_at"] = s.now().UTC()
		if err := tx.Model(&User{}).Where("id = ?", before.ID).Updates(set).Error; err != nil {
			return err
		}
		if action == "" {
			return nil
		}
		was := map[string]any{}
		if _, ok := shown["disabled"]; ok {
			was["disabled"] = before.Disabled
		}
		if _, ok := shown["password_hash"]; ok {
			was["password_hash"] = "(previous)"
		}
		return s.audit(ctx, tx, action, username, was, shown)
	})
}

// UserByID returns one user or ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	return take[User](s.db.WithContext(ctx).Where("id = ?", id), WhatUser, id)
}

// ListUsers returns every user by name.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	var us []User
	err := s.db.WithContext(ctx).Order("username").Find(&us).Error
	return us, err
}

// CountUsers returns how many users exist.
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&User{}).Count(&n).Error
	return n, err
}

// Authenticate returns the enabled user whose password matches, or
// ErrNotFound (the same for a wrong name and a wrong password).
func (s *Store) Authenticate(ctx context.Context, username, password string) (User, error) {
	var u User
	err := s.db.WithContext(ctx).Where("username = ? AND NOT disabled", username).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		// Spend the same time as a real check, so names cannot be probed.
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return User{}, NotFound(WhatUser, username)
	}
	if err != nil {
		return User{}, err
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		return User{}, NotFound(WhatUser, username)
	}
	return u, nil
}
