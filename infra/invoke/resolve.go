package invoke

import (
	"fmt"
	"regexp"
	"sort"
)

// placeholder is {{name}} in an event file's string values: what only the
// local data can say (a session, the demo customer's service) or only the
// moment of invocation can (a fresh webhook signature).
var placeholder = regexp.MustCompile(`\{\{\s*([a-z0-9_.]+)\s*\}\}`)

// ValueFunc returns a placeholder's value; defer is true for a name that
// is resolved in a later pass (signatures, over the finished body).
type ValueFunc func(name string) (v any, deferred bool, err error)

// Resolve replaces the placeholders in every string of doc (a decoded JSON
// value; object keys are left alone). A string that is exactly one
// placeholder takes the value's own type, so "{{now.ms}}" can fill a
// number field. Deferred names stay as they are.
func Resolve(doc any, values ValueFunc) (any, error) {
	switch v := doc.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys) // the first error is the same on every run
		for _, k := range keys {
			r, err := Resolve(v[k], values)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			r, err := Resolve(e, values)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = r
		}
		return out, nil
	case string:
		return resolveString(v, values)
	}
	return doc, nil
}

func resolveString(s string, values ValueFunc) (any, error) {
	if m := placeholder.FindStringSubmatchIndex(s); m != nil && m[0] == 0 && m[1] == len(s) {
		v, deferred, err := values(s[m[2]:m[3]])
		if err != nil || deferred {
			return s, err
		}
		return v, nil
	}
	var firstErr error
	out := placeholder.ReplaceAllStringFunc(s, func(match string) string {
		name := placeholder.FindStringSubmatch(match)[1]
		v, deferred, err := values(name)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if err != nil || deferred {
			return match
		}
		return fmt.Sprint(v)
	})
	return out, firstErr
}

// Names lists the placeholders used in doc, each once, sorted.
func Names(doc any) []string {
	seen := map[string]bool{}
	_, _ = Resolve(doc, func(name string) (any, bool, error) {
		seen[name] = true
		return nil, true, nil
	})
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
