// Package asl runs Amazon States Language definitions in process, for the
// local stack: the same statemachines/*.asl.json files that are deployed.
// It supports exactly what our definitions use — Task (with Retry, Catch,
// TimeoutSeconds, HeartbeatSeconds and .waitForTaskToken), Choice, Wait,
// Pass, Succeed and Fail; InputPath, Parameters, ResultSelector,
// ResultPath and OutputPath with plain JSONPath ($, $.a.b, $$.Task.Token)
// — and refuses anything else when a definition is loaded, so a state
// machine that would behave differently in AWS never runs here.
package asl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Machine is a loaded, checked definition.
type Machine struct {
	StartAt string
	States  map[string]*State
}

// State is one state of a machine.
type State struct {
	Name             string
	Type             string
	Next             string
	End              bool
	InputPath        *string // nil: "$"; "" (JSON null): {}
	OutputPath       *string
	ResultPath       *string // "" (JSON null): discard the result
	Parameters       json.RawMessage
	ResultSelector   json.RawMessage
	Result           json.RawMessage
	Resource         string
	TimeoutSeconds   int
	HeartbeatSeconds int
	Retry            []Retrier
	Catch            []Catcher
	Choices          []Rule
	Default          string
	Seconds          *int
	SecondsPath      string
	Timestamp        string
	TimestampPath    string
	Error, Cause     string
}

// Retrier is one Retry entry.
type Retrier struct {
	ErrorEquals     []string
	IntervalSeconds *float64
	MaxAttempts     *int
	BackoffRate     *float64
	MaxDelaySeconds int
}

// Catcher is one Catch entry.
type Catcher struct {
	ErrorEquals []string
	Next        string
	ResultPath  *string
}

// Rule is a Choice rule (top level has Next; nested ones do not).
type Rule struct {
	Variable string
	Op       string          // StringEquals, NumericGreaterThan, …
	Value    json.RawMessage // the comparison value
	And, Or  []Rule
	Not      *Rule
	Next     string
}

// allowed lists the fields each state type may have.
var allowed = map[string][]string{
	"Task":    {"Type", "Comment", "Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Resource", "TimeoutSeconds", "HeartbeatSeconds", "Retry", "Catch"},
	"Pass":    {"Type", "Comment", "Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result"},
	"Choice":  {"Type", "Comment", "InputPath", "OutputPath", "Choices", "Default"},
	"Wait":    {"Type", "Comment", "Next", "End", "InputPath", "OutputPath", "Seconds", "SecondsPath", "Timestamp", "TimestampPath"},
	"Succeed": {"Type", "Comment", "InputPath", "OutputPath"},
	"Fail":    {"Type", "Comment", "Error", "Cause"},
}

// Load parses and checks a definition, with ${Name} placeholders replaced
// (SAM's DefinitionSubstitutions).
func Load(def []byte, subst map[string]string) (*Machine, error) {
	s := string(def)
	for k, v := range subst {
		s = strings.ReplaceAll(s, "${"+k+"}", v)
	}
	if i := strings.Index(s, "${"); i >= 0 {
		return nil, fmt.Errorf("unreplaced placeholder near %q", s[i:min(len(s), i+30)])
	}
	var raw struct {
		StartAt string                                `json:"StartAt"`
		States  map[string]map[string]json.RawMessage `json:"States"`
		Comment string                                `json:"Comment"`
		Version string                                `json:"Version"`
		Timeout *int                                  `json:"TimeoutSeconds"`
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("definition: %w", err)
	}
	if raw.Timeout != nil {
		return nil, fmt.Errorf("definition: TimeoutSeconds on the machine is not supported")
	}
	m := &Machine{StartAt: raw.StartAt, States: map[string]*State{}}
	names := make([]string, 0, len(raw.States))
	for n := range raw.States {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		st, err := parseState(name, raw.States[name])
		if err != nil {
			return nil, fmt.Errorf("state %q: %w", name, err)
		}
		m.States[name] = st
	}
	return m, m.check()
}

func parseState(name string, f map[string]json.RawMessage) (*State, error) {
	st := &State{Name: name}
	if err := json.Unmarshal(f["Type"], &st.Type); err != nil {
		return nil, fmt.Errorf("missing Type")
	}
	keys, ok := allowed[st.Type]
	if !ok {
		return nil, fmt.Errorf("state type %s is not supported", st.Type)
	}
	for k := range f {
		if !slices.Contains(keys, k) {
			return nil, fmt.Errorf("field %s is not supported on a %s state", k, st.Type)
		}
	}
	str := func(k string, dst *string) error {
		if v, ok := f[k]; ok {
			return json.Unmarshal(v, dst)
		}
		return nil
	}
	path := func(k string) (*string, error) {
		v, ok := f[k]
		if !ok {
			return nil, nil
		}
		if string(v) == "null" {
			e := ""
			return &e, nil
		}
		var p string
		if err := json.Unmarshal(v, &p); err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		if err := checkPath(p); err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		return &p, nil
	}
	var err error
	for _, p := range []struct {
		k   string
		dst **string
	}{{"InputPath", &st.InputPath}, {"OutputPath", &st.OutputPath}, {"ResultPath", &st.ResultPath}} {
		if *p.dst, err = path(p.k); err != nil {
			return nil, err
		}
	}
	if err := str("Next", &st.Next); err != nil {
		return nil, err
	}
	if v, ok := f["End"]; ok {
		if err := json.Unmarshal(v, &st.End); err != nil {
			return nil, err
		}
	}
	st.Parameters, st.ResultSelector, st.Result = f["Parameters"], f["ResultSelector"], f["Result"]
	for _, tpl := range []json.RawMessage{st.Parameters, st.ResultSelector} {
		if err := checkTemplate(tpl); err != nil {
			return nil, err
		}
	}
	for _, x := range []struct {
		k   string
		dst any
	}{{"Resource", &st.Resource}, {"TimeoutSeconds", &st.TimeoutSeconds}, {"HeartbeatSeconds", &st.HeartbeatSeconds}, {"Retry", &st.Retry},
		{"Default", &st.Default}, {"Seconds", &st.Seconds}, {"SecondsPath", &st.SecondsPath},
		{"Timestamp", &st.Timestamp}, {"TimestampPath", &st.TimestampPath}, {"Error", &st.Error}, {"Cause", &st.Cause}} {
		if v, ok := f[x.k]; ok {
			d := json.NewDecoder(bytes.NewReader(v))
			d.DisallowUnknownFields()
			if err := d.Decode(x.dst); err != nil {
				return nil, fmt.Errorf("%s: %w", x.k, err)
			}
		}
	}
	if v, ok := f["Catch"]; ok {
		var cs []map[string]json.RawMessage
		if err := json.Unmarshal(v, &cs); err != nil {
			return nil, fmt.Errorf("Catch: %w", err)
		}
		for _, c := range cs {
			var cat Catcher
			for k, val := range c {
				switch k {
				case "ErrorEquals":
					err = json.Unmarshal(val, &cat.ErrorEquals)
				case "Next":
					err = json.Unmarshal(val, &cat.Next)
				case "ResultPath":
					if string(val) == "null" {
						e := ""
						cat.ResultPath = &e
					} else {
						var p string
						if err = json.Unmarshal(val, &p); err == nil {
							err = checkPath(p)
						}
						cat.ResultPath = &p
					}
				default:
					err = fmt.Errorf("Catch field %s is not supported", k)
				}
				if err != nil {
					return nil, err
				}
			}
			st.Catch = append(st.Catch, cat)
		}
	}
	if v, ok := f["Choices"]; ok {
		var rules []map[string]json.RawMessage
		if err := json.Unmarshal(v, &rules); err != nil {
			return nil, fmt.Errorf("Choices: %w", err)
		}
		for _, r := range rules {
			rule, err := parseRule(r, true)
			if err != nil {
				return nil, err
			}
			st.Choices = append(st.Choices, rule)
		}
	}
	return st, nil
}

func parseRule(f map[string]json.RawMessage, top bool) (Rule, error) {
	var r Rule
	for k, v := range f {
		switch {
		case k == "Variable":
			if err := json.Unmarshal(v, &r.Variable); err != nil {
				return r, err
			}
			if err := checkPath(r.Variable); err != nil {
				return r, err
			}
		case k == "Next" && top:
			if err := json.Unmarshal(v, &r.Next); err != nil {
				return r, err
			}
		case k == "And" || k == "Or":
			var subs []map[string]json.RawMessage
			if err := json.Unmarshal(v, &subs); err != nil {
				return r, err
			}
			for _, sub := range subs {
				sr, err := parseRule(sub, false)
				if err != nil {
					return r, err
				}
				if k == "And" {
					r.And = append(r.And, sr)
				} else {
					r.Or = append(r.Or, sr)
				}
			}
		case k == "Not":
			var sub map[string]json.RawMessage
			if err := json.Unmarshal(v, &sub); err != nil {
				return r, err
			}
			sr, err := parseRule(sub, false)
			if err != nil {
				return r, err
			}
			r.Not = &sr
		case knownOperator(k):
			if r.Op != "" {
				return r, fmt.Errorf("a Choice rule has two comparisons (%s, %s)", r.Op, k)
			}
			r.Op, r.Value = k, v
		default:
			return r, fmt.Errorf("Choice rule field %s is not supported", k)
		}
	}
	if top && r.Next == "" {
		return r, fmt.Errorf("a Choice rule has no Next")
	}
	if r.Op != "" && r.Variable == "" {
		return r, fmt.Errorf("comparison %s has no Variable", r.Op)
	}
	if r.Op == "" && r.And == nil && r.Or == nil && r.Not == nil {
		return r, fmt.Errorf("a Choice rule compares nothing")
	}
	return r, nil
}

// check verifies transitions: every Next names a state, every state ends
// or moves on, the start exists.
func (m *Machine) check() error {
	if _, ok := m.States[m.StartAt]; !ok {
		return fmt.Errorf("StartAt %q names no state", m.StartAt)
	}
	exists := func(n string) bool { _, ok := m.States[n]; return ok }
	for name, st := range m.States {
		terminal := st.Type == "Succeed" || st.Type == "Fail" || st.Type == "Choice"
		switch {
		case !terminal && st.End == (st.Next != ""):
			return fmt.Errorf("state %q needs exactly one of Next and End", name)
		case st.Next != "" && !exists(st.Next):
			return fmt.Errorf("state %q: Next %q names no state", name, st.Next)
		case st.Type == "Task" && st.Resource == "":
			return fmt.Errorf("state %q: a Task needs a Resource", name)
		case st.Type == "Wait" && waitFields(st) != 1:
			return fmt.Errorf("state %q: a Wait needs exactly one of Seconds, SecondsPath, Timestamp and TimestampPath", name)
		case st.Type == "Choice" && len(st.Choices) == 0:
			return fmt.Errorf("state %q: a Choice needs Choices", name)
		case st.Default != "" && !exists(st.Default):
			return fmt.Errorf("state %q: Default %q names no state", name, st.Default)
		}
		for _, c := range st.Catch {
			if !exists(c.Next) {
				return fmt.Errorf("state %q: Catch Next %q names no state", name, c.Next)
			}
		}
		for _, r := range st.Choices {
			if !exists(r.Next) {
				return fmt.Errorf("state %q: Choice Next %q names no state", name, r.Next)
			}
		}
	}
	return nil
}

// waitFields counts how a Wait state says how long it waits.
func waitFields(st *State) int {
	n := 0
	for _, set := range []bool{st.Seconds != nil, st.SecondsPath != "", st.Timestamp != "", st.TimestampPath != ""} {
		if set {
			n++
		}
	}
	return n
}
