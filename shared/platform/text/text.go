// Package text checks the free text people type (names, descriptions,
// notes) before it is stored: valid UTF-8, a bounded length counted before
// any trimming, and no characters that corrupt what others later see —
// control characters (NUL, escapes), and the bidirectional overrides and
// isolates that make text display in another order than it is stored.
package text

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Problem returns what is wrong with s as a one-line field value of min to
// max characters, or "" when it is fine. Length counts every character,
// so surrounding spaces cannot smuggle in a large value; min counts what
// is left after trimming.
func Problem(s string, min, max int) string { return check(s, min, max, false) }

// MultilineProblem is Problem for text that may span lines (notes,
// comments): line breaks and tabs are allowed.
func MultilineProblem(s string, min, max int) string { return check(s, min, max, true) }

func check(s string, min, max int, multiline bool) string {
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	if bad := forbidden(s, multiline); bad != "" {
		return "must not contain " + bad
	}
	trimmed := utf8.RuneCountInString(strings.TrimSpace(s))
	switch {
	case min > 0 && trimmed == 0:
		return "is required"
	case trimmed < min || utf8.RuneCountInString(s) > max:
		if min == 0 {
			return fmt.Sprintf("must be at most %d characters", max)
		}
		return fmt.Sprintf("must be %d-%d characters", min, max)
	}
	return ""
}

// forbidden names the first kind of unwanted character in s, or "".
func forbidden(s string, multiline bool) string {
	for _, r := range s {
		switch {
		case (r == '\n' || r == '\r' || r == '\t') && multiline:
		case r == '\n' || r == '\r':
			return "line breaks"
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return "control characters"
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return "bidirectional override characters"
		}
	}
	return ""
}
