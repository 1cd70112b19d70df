package models

import (
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// ErrNotFound reports that the row a caller named does not exist; the
// error is a *NotFoundError naming it, and errors.Is(err, ErrNotFound)
// holds for every one.
var ErrNotFound = errors.New("not found")

// What a NotFoundError names.
const (
	WhatJob      = "job"
	WhatRun      = "run"
	WhatProvider = "provider"
	WhatSetting  = "setting"
	WhatUser     = "user"
	WhatToken    = "token"
)

// NotFoundError names the row a caller asked for that does not exist:
// what it is (WhatJob…) and the id, name or key it was asked by.
type NotFoundError struct {
	What, ID string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("no %s %q", e.What, e.ID) }

// Is makes errors.Is(err, ErrNotFound) hold.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// take reads the one row q finds, or a NotFoundError naming what was
// asked for.
func take[T any, ID int64 | string](q *gorm.DB, what string, id ID) (T, error) {
	var row T
	err := q.Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row, NotFound(what, id)
	}
	return row, err
}

// NotFound is the error for a missing row: what it is and its id.
func NotFound[ID int64 | string](what string, id ID) error {
	return &NotFoundError{What: what, ID: fmt.Sprint(id)}
}

// ErrConflict reports that a write clashed with existing state (a duplicate id,
// a stale version, a row that may not be removed).
var ErrConflict = errors.New("conflict")

// ValidationError is bad input: Message is safe to show to the caller as is.
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string { return e.Message }

// Invalid builds a ValidationError whose message is formatted like fmt.Sprintf.
func Invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// ConflictError is an ErrConflict with a readable message.
type ConflictError struct{ Message string }

func (e *ConflictError) Error() string { return e.Message }

// Unwrap makes errors.Is(err, ErrConflict) hold.
func (e *ConflictError) Unwrap() error { return ErrConflict }
