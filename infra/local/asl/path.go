package asl

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// pathRE is the JSONPath subset we support: $ or $$ then .name segments.
var pathRE = regexp.MustCompile(`^\$\$?(\.[A-Za-z_][A-Za-z0-9_-]*)*$`)

func checkPath(p string) error {
	if !pathRE.MatchString(p) {
		return fmt.Errorf("path %q is outside the supported JSONPath subset ($.a.b)", p)
	}
	return nil
}

// checkTemplate verifies every "x.$" value of a Parameters or
// ResultSelector template is a supported path (intrinsics are not).
func checkTemplate(raw json.RawMessage) error {
	if raw == nil {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	var walk func(any) error
	walk = func(v any) error {
		switch t := v.(type) {
		case map[string]any:
			for k, x := range t {
				if strings.HasSuffix(k, ".$") {
					p, ok := x.(string)
					if !ok {
						return fmt.Errorf("%s must be a path string", k)
					}
					if err := checkPath(p); err != nil {
						return fmt.Errorf("%s: %w", k, err)
					}
					continue
				}
				if err := walk(x); err != nil {
					return err
				}
			}
		case []any:
			for _, x := range t {
				if err := walk(x); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(v)
}

// get reads path from doc (or, for $$ paths, from ctx). ok is false when
// a segment is missing.
func get(doc, ctx any, path string) (any, bool) {
	root := doc
	rest := strings.TrimPrefix(path, "$")
	if strings.HasPrefix(path, "$$") {
		root, rest = ctx, strings.TrimPrefix(path, "$$")
	}
	cur := root
	for _, seg := range strings.Split(strings.TrimPrefix(rest, "."), ".") {
		if seg == "" {
			continue
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[seg]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// set returns doc with value placed at path (intermediate objects made).
func set(doc any, path string, value any) (any, error) {
	if path == "$" {
		return value, nil
	}
	segs := strings.Split(strings.TrimPrefix(path, "$."), ".")
	root, ok := clone(doc).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("ResultPath %s needs an object input", path)
	}
	cur := root
	for _, seg := range segs[:len(segs)-1] {
		next, ok := cur[seg].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[seg] = next
		}
		cur = next
	}
	cur[segs[len(segs)-1]] = value
	return root, nil
}

// clone deep-copies a JSON value.
func clone(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = clone(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = clone(x)
		}
		return out
	}
	return v
}

// fill evaluates a Parameters/ResultSelector template against input.
func fill(tpl json.RawMessage, input, ctx any) (any, error) {
	var v any
	if err := json.Unmarshal(tpl, &v); err != nil {
		return nil, err
	}
	var walk func(any) (any, error)
	walk = func(v any) (any, error) {
		switch t := v.(type) {
		case map[string]any:
			out := make(map[string]any, len(t))
			for k, x := range t {
				if name, ok := strings.CutSuffix(k, ".$"); ok {
					val, found := get(input, ctx, x.(string))
					if !found {
						return nil, &TaskError{Name: "States.Runtime", Cause: fmt.Sprintf("the path %s for %s matches nothing in the input", x, k)}
					}
					out[name] = clone(val)
					continue
				}
				w, err := walk(x)
				if err != nil {
					return nil, err
				}
				out[k] = w
			}
			return out, nil
		case []any:
			out := make([]any, len(t))
			for i, x := range t {
				w, err := walk(x)
				if err != nil {
					return nil, err
				}
				out[i] = w
			}
			return out, nil
		}
		return v, nil
	}
	return walk(v)
}
