// Patched (EZSCALE): this file is not in minidyn v0.8.2.

package core

import (
	"regexp"
	"strings"

	"github.com/truora/minidyn/types"
)

// equality is "<name> = :value", the partition part of a key condition.
var equality = regexp.MustCompile(`^\s*(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)\s*$`)

// partitionEquality finds the string value a query's key condition
// requires of the partition key. A query evaluated every item of the
// index through the expression interpreter (tens of microseconds each),
// so one partition of a large index cost as much as scanning it; items of
// other partitions are now passed over with one string comparison. ok is
// false when the condition is not of that simple shape, and every item is
// interpreted as before.
func partitionEquality(input QueryInput, schema keySchema) (name, value string, ok bool) {
	if input.KeyConditionExpression == "" || input.Scan {
		return "", "", false
	}
	first, _, _ := strings.Cut(input.KeyConditionExpression, " AND ")
	m := equality.FindStringSubmatch(first)
	if m == nil {
		return "", "", false
	}
	name = m[1]
	if strings.HasPrefix(name, "#") {
		if name, ok = input.Aliases[name]; !ok {
			return "", "", false
		}
	}
	v, found := input.ExpressionAttributeValues[m[2]]
	if name != schema.HashKey || !found || v == nil || v.S == nil {
		return "", "", false
	}
	return name, *v.S, true
}

// otherPartition reports whether the stored item's partition key is a
// string other than value (so the key condition cannot match it).
func otherPartition(item map[string]*types.Item, name, value string) bool {
	v := item[name]
	return v == nil || v.S == nil || *v.S != value
}
