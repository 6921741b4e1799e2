package asl

import (
	"encoding/json"
	"fmt"
)

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
	if len(r.Op) > 4 && r.Op[len(r.Op)-4:] == "Path" {
		other, ok := get(in, nil, want.(string))
		if !ok {
			return false, &TaskError{Name: "States.Runtime", Cause: fmt.Sprintf("Choice path %s matches nothing", want)}
		}
		want = other
	}
	switch r.Op {
	case "StringEquals", "StringEqualsPath":
		s, ok := v.(string)
		return ok && s == want, nil
	case "BooleanEquals":
		b, ok := v.(bool)
		return ok && b == want, nil
	}
	n, ok := v.(float64)
	w, wok := want.(float64)
	if !ok || !wok {
		return false, nil // AWS: a type mismatch is simply no match
	}
	switch r.Op {
	case "NumericEquals":
		return n == w, nil
	case "NumericGreaterThan", "NumericGreaterThanPath":
		return n > w, nil
	case "NumericGreaterThanEquals":
		return n >= w, nil
	case "NumericLessThan":
		return n < w, nil
	case "NumericLessThanEquals":
		return n <= w, nil
	}
	return false, fmt.Errorf("comparison %s is not implemented", r.Op)
}
