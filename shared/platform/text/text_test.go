package text_test

import (
	"strings"
	"testing"

	"github.com/ezscale/platform/shared/platform/text"
)

func TestProblem(t *testing.T) {
	cases := []struct {
		name, s   string
		min, max  int
		multiline bool
		ok        bool
	}{
		{"Plain", "VAT", 1, 30, false, true},
		{"Unicode", "Zofia Łódź 東京", 1, 30, false, true},
		{"Empty", "", 1, 30, false, false},
		{"OnlySpaces", "   ", 1, 30, false, false},
		{"OptionalEmpty", "", 0, 30, false, true},
		{"PaddedPastMax", strings.Repeat(" ", 200_000) + "VAT", 1, 30, false, false},
		{"TooLong", strings.Repeat("x", 31), 1, 30, false, false},
		{"NUL", "VA\x00T", 1, 30, false, false},
		{"Escape", "VAT\x1b[31m", 1, 30, false, false},
		{"C1", "VAT\u0085", 1, 30, false, false},
		{"RLO", "invoice\u202etxt.exe", 1, 30, false, false},
		{"Isolate", "a\u2067b", 1, 30, false, false},
		{"NewlineOneLine", "a\nb", 1, 30, false, false},
		{"NewlineMultiline", "a\nb\tc", 1, 30, true, true},
		{"NULMultiline", "a\x00b", 1, 30, true, false},
		{"InvalidUTF8", "a\xffb", 1, 30, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := text.Problem(c.s, c.min, c.max)
			if c.multiline {
				p = text.MultilineProblem(c.s, c.min, c.max)
			}
			if (p == "") != c.ok {
				t.Fatalf("problem = %q, want ok=%v", p, c.ok)
			}
		})
	}
}

func FuzzProblemNeverPanics(f *testing.F) {
	f.Add("VAT", 1, 30)
	f.Add("\u202e\x00", 0, 5)
	f.Fuzz(func(t *testing.T, s string, min, max int) {
		if p := text.Problem(s, min, max); p == "" && strings.ContainsRune(s, 0) {
			t.Fatalf("NUL accepted in %q", s)
		}
	})
}
