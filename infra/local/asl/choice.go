package asl

import (
	"encoding/json"
	"fmt"
	"strings"
)

// compare decides one comparison of a variable's value v with the rule's
// value w (for *Path operators, the value w points to).
type compare func(v, w any) bool

func numeric(f func(a, b float64) bool) compare {
	return func(v, w any) bool {
		a, ok := v.(float64)
		b, wok := w.(float64)
		return ok && wok && f(a, b) // AWS: a type mismatch is simply no match
	}
}

// comparisons are the Choice operators supported; the loader refuses any
// other, so every rule that loads can be evaluated.
var comparisons = map[string]compare{
	"StringEquals":             func(v, w any) bool { s, ok := v.(string); return ok && s == w },
	"StringEqualsPath":         func(v, w any) bool { s, ok := v.(string); return ok && s == w },
	"BooleanEquals":            func(v, w any) bool { b, ok := v.(bool); return ok && b == w },
	"NumericEquals":            numeric(func(a, b float64) bool { return a == b }),
	"NumericGreaterThan":       numeric(func(a, b float64) bool { return a > b }),
	"NumericGreaterThanPath":   numeric(func(a, b float64) bool { return a > b }),
	"NumericGreaterThanEquals": numeric(func(a, b float64) bool { return a >= b }),
	"NumericLessThan":          numeric(func(a, b float64) bool { return a < b }),
	"NumericLessThanEquals":    numeric(func(a, b float64) bool { return a <= b }),
}

// presence operators look at whether the variable exists, not its value.
var presence = map[string]bool{"IsPresent": true, "IsNull": true}

func knownOperator(op string) bool { _, ok := comparisons[op]; return ok || presence[op] }

// eval decides a Choice rule against the state's input.
func (r Rule) eval(in any) (bool, error) {
	switch {
	case r.Not != nil:
		ok, err := r.Not.eval(in)
		return !ok, err
	case r.And != nil:
		for _, sub := range r.And {
			if ok, err := sub.eval(in); err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case r.Or != nil:
		for _, sub := range r.Or {
			if ok, err := sub.eval(in); err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}
	v, present := get(in, nil, r.Variable)
	var want any
	if err := json.Unmarshal(r.Value, &want); err != nil {
		return false, err
	}
	switch r.Op {
	case "IsPresent":
		return present == want.(bool), nil
	case "IsNull":
		return (present && v == nil) == want.(bool), nil
	}
	if !present {
		return false, &TaskError{Name: "States.Runtime", Cause: fmt.Sprintf("Choice variable %s matches nothing", r.Variable)}
	}
	if strings.HasSuffix(r.Op, "Path") {
		other, ok := get(in, nil, want.(string))
		if !ok {
			return false, &TaskError{Name: "States.Runtime", Cause: fmt.Sprintf("Choice path %s matches nothing", want)}
		}
		want = other
	}
	return comparisons[r.Op](v, want), nil
}
