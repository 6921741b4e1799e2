package notify

import (
	"errors"
	"fmt"
	"time"
)

// Outcome classifies a failed delivery attempt; transports decide it,
// because only they know whether the provider may already have the message.
type Outcome int

// Outcomes of a failed attempt.
const (
	// Retry: the provider certainly does not have it (refused connection,
	// 4xx SMTP reply before data, HTTP 429/5xx). Safe to try again.
	Retry Outcome = iota
	// Permanent: retrying cannot help (recipient rejected, 400 from Discord).
	Permanent
	// Ambiguous: the provider may have it (timeout after the data was sent).
	// Not retried, so the message is never delivered twice.
	Ambiguous
)

// DeliveryError is what transports return on failure.
type DeliveryError struct {
	Outcome    Outcome
	RetryAfter time.Duration // a provider's hint (Discord's retry_after); zero if none
	Err        error
}

func (e *DeliveryError) Error() string { return e.Err.Error() }
func (e *DeliveryError) Unwrap() error { return e.Err }

// Retryable wraps err as a failure that is safe to retry.
func Retryable(err error, after time.Duration) error {
	return &DeliveryError{Outcome: Retry, RetryAfter: after, Err: err}
}

// PermanentError wraps err as a failure retrying cannot fix.
func PermanentError(err error) error { return &DeliveryError{Outcome: Permanent, Err: err} }

// AmbiguousError wraps err as a failure after which the provider may
// already hold the message.
func AmbiguousError(err error) error { return &DeliveryError{Outcome: Ambiguous, Err: err} }

func outcomeOf(err error) (Outcome, time.Duration) {
	if de, ok := errors.AsType[*DeliveryError](err); ok {
		return de.Outcome, de.RetryAfter
	}
	// An unclassified error is treated as ambiguous: safer to ask an admin
	// than to risk a duplicate.
	return Ambiguous, 0
}

// RetryLater is returned by Worker.Deliver when the message must be
// delivered again later (after Delay); queues redeliver it.
type RetryLater struct {
	Delay time.Duration
	Err   error
}

func (e *RetryLater) Error() string { return fmt.Sprintf("retry in %v: %v", e.Delay, e.Err) }
func (e *RetryLater) Unwrap() error { return e.Err }
