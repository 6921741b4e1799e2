package invoke

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	values := func(name string) (any, bool, error) {
		switch name {
		case "a":
			return "x", false, nil
		case "n":
			return int64(42), false, nil
		case "sig":
			return nil, true, nil
		}
		return nil, false, errors.New("unknown placeholder {{" + name + "}}")
	}
	for _, tc := range []struct {
		name, in, want, err string
	}{
		{name: "plain strings stay", in: `{"k":"v","n":1,"b":true,"z":null}`, want: `{"b":true,"k":"v","n":1,"z":null}`},
		{name: "embedded", in: `{"cookies":["ezs_session={{a}}; x={{ a }}"]}`, want: `{"cookies":["ezs_session=x; x=x"]}`},
		{name: "whole string keeps the value's type", in: `{"t":"{{n}}","s":"n={{n}}"}`, want: `{"s":"n=42","t":42}`},
		{name: "deep", in: `{"a":[{"b":["{{a}}"]}]}`, want: `{"a":[{"b":["x"]}]}`},
		{name: "keys are not placeholders", in: `{"{{a}}":"{{a}}"}`, want: `{"{{a}}":"x"}`},
		{name: "deferred stays", in: `{"h":"{{sig}}","b":"t={{sig}},{{a}}"}`, want: `{"b":"t={{sig}},x","h":"{{sig}}"}`},
		{name: "unknown names its path", in: `{"headers":{"x":"{{nope}}"}}`, err: "headers: x: unknown placeholder {{nope}}"},
		{name: "not a placeholder", in: `{"x":"{{Upper}} {single} {{}}"}`, want: `{"x":"{{Upper}} {single} {{}}"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var doc any
			if err := json.Unmarshal([]byte(tc.in), &doc); err != nil {
				t.Fatal(err)
			}
			got, err := Resolve(doc, values)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(got)
			if string(b) != tc.want {
				t.Fatalf("got %s, want %s", b, tc.want)
			}
		})
	}
}

func TestNames(t *testing.T) {
	var doc any
	_ = json.Unmarshal([]byte(`{"a":"{{x}} {{y}}","b":["{{x}}"],"c":"{{z.w}}"}`), &doc)
	if got := Names(doc); !reflect.DeepEqual(got, []string{"x", "y", "z.w"}) {
		t.Fatalf("Names = %v", got)
	}
}
