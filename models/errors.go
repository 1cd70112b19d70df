package models

import (
	"errors"
	"fmt"
)

// ErrNotFound reports that the row a caller named does not exist.
var ErrNotFound = errors.New("not found")

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
