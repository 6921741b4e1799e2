// Package apperr is the platform's one application error type. Domain code
// returns these so that every caller (HTTP, Step Functions tasks, workers)
// decides by a small, stable set of codes instead of by error strings.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an application error. Codes are part of the public API:
// they appear verbatim in HTTP error bodies, so never rename one.
type Code string

// The codes callers decide on.
const (
	Invalid         Code = "invalid"
	NotFound        Code = "not_found"
	Conflict        Code = "conflict"
	Unauthorized    Code = "unauthorized"
	Forbidden       Code = "forbidden"
	RateLimited     Code = "rate_limited"
	PayloadTooLarge Code = "payload_too_large"
	Unavailable     Code = "unavailable"
	Internal        Code = "internal"
)

// Error is an error a caller may show to the user: Message is safe to display
// and Fields maps input field names (JSON paths) to what is wrong with them.
// Err, when set, is the cause; it is logged but never shown.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
	Err     error
	// RetryAfter, when set, tells the caller how long to wait (HTTP Retry-After).
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with the code and a displayable message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with the code and message whose cause is err.
func Wrap(err error, code Code, message string) *Error {
	return &Error{Code: code, Message: message, Err: err}
}

// Validation returns an Invalid error carrying field errors.
func Validation(fields map[string]string) *Error {
	return &Error{Code: Invalid, Message: "the request has invalid fields", Fields: fields}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return Internal
}

// MessageOf returns the displayable message of the first *Error in err's
// chain, or a generic one (never an internal error's text).
func MessageOf(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Message
	}
	return "an internal error occurred"
}

// Is reports whether err carries the code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// FieldErrors collects per-field problems while validating input.
type FieldErrors map[string]string

// Add records msg for field unless the field already has a message.
func (f FieldErrors) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns a Validation error when any field failed, else nil.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return Validation(f)
}
