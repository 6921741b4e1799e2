package mailin

import (
	"net/mail"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// htmlText is the readable text of an HTML body: script, style and head
// left out, block elements as line breaks, entities decoded.
func htmlText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return collapse(b.String())
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style", "head", "title":
				skip++
			case "br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "blockquote":
				b.WriteByte('\n')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style", "head", "title":
				skip = max(skip-1, 0)
			case "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "blockquote":
				b.WriteByte('\n')
			}
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		}
	}
}

var blankLines = regexp.MustCompile(`\n[ \t]*(\n[ \t]*)+`)

// collapse trims lines and keeps at most one empty line in a row.
func collapse(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(strings.ReplaceAll(l, "\u00a0", " "))
	}
	return strings.TrimSpace(blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}

var robotSender = regexp.MustCompile(`^(mailer-daemon|postmaster|abuse|root|no-?reply(\+.*|[-._].*)?)$`)

// automatic says why m must never be answered (empty: a person wrote):
// RFC 3834's Auto-Submitted, the robots' own headers, list and bulk mail,
// bounces, a null envelope sender, robot addresses, and our own mail.
func automatic(h mail.Header, m *Message, ownDomain string) string {
	get := func(k string) string { return strings.ToLower(strings.TrimSpace(h.Get(k))) }
	switch {
	case m.Bounce != nil:
		return "a delivery report"
	case get("Auto-Submitted") != "" && get("Auto-Submitted") != "no":
		return "Auto-Submitted: " + get("Auto-Submitted")
	case get("Precedence") == "bulk" || get("Precedence") == "list" || get("Precedence") == "junk":
		return "Precedence: " + get("Precedence")
	case h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "":
		return "an auto-responder's header"
	case strings.Contains(get("X-Auto-Response-Suppress"), "all") || strings.Contains(get("X-Auto-Response-Suppress"), "autoreply"):
		return "X-Auto-Response-Suppress"
	case h.Get("X-Loop") != "":
		return "X-Loop"
	case h.Get("List-Id") != "" || h.Get("List-Unsubscribe") != "":
		return "list mail"
	case m.ReturnPath == "<>":
		return "a null envelope sender"
	}
	if local, _, ok := strings.Cut(m.From.Address, "@"); ok && robotSender.MatchString(local) {
		return "sent by " + m.From.Address
	}
	if ownDomain != "" && strings.HasSuffix(strings.ToLower(m.MessageID), "@"+strings.ToLower(ownDomain)) {
		return "our own mail"
	}
	return ""
}

// SafeName is an attachment's name fit to store and show: the last path
// element only, no control or path characters, at most 120 bytes with the
// extension kept, never empty or dots only.
func SafeName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base("/" + name)
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || strings.ContainsRune(`/\:*?"<>|`, r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, name)
	name = strings.Trim(strings.TrimSpace(name), ".")
	if name == "" {
		return "attachment"
	}
	if len(name) > 120 {
		ext := path.Ext(name)
		if len(ext) > 20 {
			ext = ""
		}
		stem := strings.TrimSuffix(name, ext)
		for len(stem)+len(ext) > 120 {
			_, size := lastRune(stem)
			stem = stem[:len(stem)-size]
		}
		name = stem + ext
	}
	return name
}

func lastRune(s string) (rune, int) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i]&0xC0 != 0x80 {
			return []rune(s[i:])[0], len(s) - i
		}
	}
	return 0, 1
}

// TicketTag finds the ticket a subject names with our tag, e.g.
// "Re: [EZSCALE-123] Server down" names 123 for prefix "EZSCALE".
func TicketTag(subject, prefix string) (int64, bool) {
	re := regexp.MustCompile(`(?i)\[` + regexp.QuoteMeta(prefix) + `-(\d{1,15})\]`)
	m := re.FindStringSubmatch(subject)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	return n, err == nil && n > 0
}

// replyCuts are where mail clients start the quoted history.
var replyCuts = []*regexp.Regexp{
	regexp.MustCompile(`(?m)^-{2,}\s*Please reply above this line\s*-{2,}\s*$`),
	regexp.MustCompile(`(?m)^-{3,}\s*Original Message\s*-{3,}\s*$`),
	regexp.MustCompile(`(?m)^On .{1,200}\n?.{0,200}wrote:\s*$`),
	regexp.MustCompile(`(?m)^Am .{1,200}schrieb .{0,200}:\s*$`),
	regexp.MustCompile(`(?m)^Le .{1,200}a écrit\s*:\s*$`),
	regexp.MustCompile(`(?m)^_{10,}\s*\nFrom: `),
	regexp.MustCompile(`(?m)^From: .+\n(Sent|Date): .+\n(To): `),
}

// ReplyText is a reply without the history it quotes: cut at the first
// separator a mail client writes (ours, "On … wrote:", Outlook's header
// block…), and without trailing ">" lines. A message that is all quote
// keeps its text: nothing is better than something.
func ReplyText(text string) string {
	cut := len(text)
	for _, re := range replyCuts {
		if loc := re.FindStringIndex(text); loc != nil && loc[0] < cut {
			cut = loc[0]
		}
	}
	out := strings.Split(strings.TrimRight(text[:cut], " \t\r\n"), "\n")
	for len(out) > 0 && (strings.HasPrefix(out[len(out)-1], ">") || strings.TrimSpace(out[len(out)-1]) == "") {
		out = out[:len(out)-1]
	}
	if reply := strings.TrimSpace(strings.Join(out, "\n")); reply != "" {
		return reply
	}
	return strings.TrimSpace(text)
}
