package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// TxConflict tells which operations of a transaction failed their condition.
type TxConflict struct {
	// Failed holds the indexes of the ops whose condition failed.
	Failed []int
}

func (c *TxConflict) Error() string { return fmt.Sprintf("conditions failed at ops %v", c.Failed) }

// FailedAt reports whether op i failed its condition.
func (c *TxConflict) FailedAt(i int) bool {
	for _, f := range c.Failed {
		if f == i {
			return true
		}
	}
	return false
}

// classify maps SDK errors onto application codes: a failed condition is a
// Conflict, anything the caller could retry later is Unavailable, and a
// request DynamoDB rejects as malformed is our bug (Internal).
func classify(err error, what string) error {
	if _, ok := errors.AsType[*types.ConditionalCheckFailedException](err); ok {
		return apperr.Wrap(err, apperr.Conflict, "the item was changed or already exists")
	}
	if tce, ok := errors.AsType[*types.TransactionCanceledException](err); ok {
		c := &TxConflict{}
		contended := false
		for i, r := range tce.CancellationReasons {
			switch code := deref(r.Code); code {
			case "ConditionalCheckFailed":
				c.Failed = append(c.Failed, i)
			case "TransactionConflict":
				contended = true
			}
		}
		if len(c.Failed) > 0 {
			return apperr.Wrap(fmt.Errorf("%s: %w", what, c), apperr.Conflict, "the item was changed or already exists")
		}
		if contended {
			return apperr.Wrap(fmt.Errorf("%s: %w", what, err), apperr.Conflict, "a concurrent change won; try again")
		}
		return apperr.Wrap(fmt.Errorf("%s: %w", what, err), apperr.Unavailable, "the store is unavailable")
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: %w", what, err)
	}
	if ae, ok := errors.AsType[smithy.APIError](err); ok {
		code := ae.ErrorCode()
		if code == "ValidationException" || strings.HasSuffix(code, "SerializationException") {
			return fmt.Errorf("%s: dynamodb rejected the request: %w", what, err)
		}
	}
	return apperr.Wrap(fmt.Errorf("%s: %w", what, err), apperr.Unavailable, "the store is unavailable")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
