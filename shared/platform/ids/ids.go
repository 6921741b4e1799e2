// Package ids makes sortable, prefixed identifiers ("pln_01JD…"): a ULID
// (48-bit millisecond time + randomness, lexicographically sortable by
// creation time) behind a short type prefix so ids are self-describing in
// logs and support tickets.
package ids

import (
	"strings"
	"time"

	"github.com/oklog/ulid/v2"
)

// New returns a new id with the prefix, e.g. New("pln").
// ulid.Make is monotonic within a millisecond and safe for concurrent use.
func New(prefix string) string {
	return prefix + "_" + ulid.Make().String()
}

// NewAt returns a new id whose time component is t (for imports and tests).
func NewAt(prefix string, t time.Time) string {
	return prefix + "_" + ulid.MustNew(ulid.Timestamp(t), ulid.DefaultEntropy()).String()
}

// Valid reports whether id has the prefix and a well-formed ULID.
func Valid(prefix, id string) bool {
	rest, ok := strings.CutPrefix(id, prefix+"_")
	if !ok {
		return false
	}
	_, err := ulid.ParseStrict(rest)
	return err == nil
}

// Time returns the creation time encoded in a prefixed id.
func Time(id string) (time.Time, bool) {
	_, rest, ok := strings.Cut(id, "_")
	if !ok {
		return time.Time{}, false
	}
	u, err := ulid.ParseStrict(rest)
	if err != nil {
		return time.Time{}, false
	}
	return ulid.Time(u.Time()).UTC(), true
}
