package mailin

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"

	"golang.org/x/net/html/charset"
)

func textprotoHeader(h mail.Header) textproto.MIMEHeader { return textproto.MIMEHeader(h) }

// walker collects a message's parts into it.
type walker struct{ m *Message }

// part reads one MIME part (the whole message at depth 0).
func (w *walker) part(h textproto.MIMEHeader, body io.Reader, depth int) {
	if depth > maxDepth {
		w.m.problem("parts nested deeper than %d were skipped", maxDepth)
		return
	}
	ct := h.Get("Content-Type")
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		if ct != "" {
			w.m.problem("content type %q read as text/plain", ct)
		}
		mediaType, params = "text/plain", map[string]string{}
		if i := strings.Index(ct, "charset="); i >= 0 {
			params["charset"] = strings.Trim(strings.Fields(ct[i+len("charset="):] + " ")[0], `"';`)
		}
	}
	mediaType = strings.ToLower(mediaType)
	data, err := readAll(transferDecoded(h.Get("Content-Transfer-Encoding"), body))
	if err != nil {
		w.m.problem("%s part cut short: %v", mediaType, err)
	}
	disposition, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := decodeWords(dparams["filename"])
	if name == "" {
		name = decodeWords(params["name"])
	}
	attached := strings.EqualFold(disposition, "attachment")
	switch {
	case strings.HasPrefix(mediaType, "multipart/"):
		w.multipart(mediaType, params, data, depth)
	case mediaType == "message/delivery-status":
		w.deliveryStatus(data)
	case mediaType == "message/rfc822" || mediaType == "text/rfc822-headers":
		if w.m.Bounce != nil || strings.EqualFold(params["report-type"], "delivery-status") {
			w.original(data)
		}
		if mediaType == "message/rfc822" {
			w.attach(orDefault(name, "message.eml"), mediaType, data)
		}
	case mediaType == "text/plain" && !attached && w.m.Text == "":
		w.m.Text = w.text(data, params["charset"])
	case mediaType == "text/html" && !attached && w.m.HTML == "":
		w.m.HTML = w.text(data, params["charset"])
	case strings.HasPrefix(mediaType, "text/") && !attached && name == "":
		// A further text part (an alternative already read, a footer).
	default:
		w.attach(orDefault(name, "attachment"), mediaType, data)
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func (w *walker) attach(name, mediaType string, data []byte) {
	w.m.Attachments = append(w.m.Attachments, Attachment{Name: SafeName(name), Type: mediaType, Data: data})
}

// multipart reads the parts of one multipart body; a missing boundary
// makes the whole body text, and a broken one keeps the parts read.
func (w *walker) multipart(mediaType string, params map[string]string, data []byte, depth int) {
	boundary := params["boundary"]
	if boundary == "" {
		w.m.problem("%s without a boundary read as text", mediaType)
		if w.m.Text == "" {
			w.m.Text = w.text(data, params["charset"])
		}
		return
	}
	if mediaType == "multipart/report" && strings.EqualFold(params["report-type"], "delivery-status") && w.m.Bounce == nil {
		w.m.Bounce = &Bounce{}
	}
	r := multipart.NewReader(bytes.NewReader(data), boundary)
	for n := 0; ; n++ {
		p, err := r.NextRawPart()
		if err == io.EOF {
			return
		}
		if err != nil {
			if n == 0 && w.m.Text == "" {
				w.m.problem("%s whose boundary never came read as text", mediaType)
				w.m.Text = w.text(data, params["charset"])
			} else {
				w.m.problem("%s cut short after %d parts: %v", mediaType, n, err)
			}
			return
		}
		w.part(p.Header, p, depth+1)
	}
}

// transferDecoded undoes a Content-Transfer-Encoding; base64 tolerates
// line breaks and stray whitespace, quoted-printable soft errors.
func transferDecoded(enc string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &noSpace{r: bufio.NewReader(r)})
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// noSpace drops whitespace, which base64 bodies are folded with.
type noSpace struct{ r *bufio.Reader }

func (n *noSpace) Read(p []byte) (int, error) {
	i := 0
	for i < len(p) {
		b, err := n.r.ReadByte()
		if err != nil {
			if i > 0 {
				return i, nil
			}
			return 0, err
		}
		if b == ' ' || b == '\t' || b == '\r' || b == '\n' {
			continue
		}
		p[i] = b
		i++
	}
	return i, nil
}

// text decodes a text part's charset; an unknown one is read as UTF-8
// where valid, else Latin-1 (what most unlabelled 8-bit mail is).
func (w *walker) text(data []byte, label string) string {
	if label != "" && !strings.EqualFold(label, "utf-8") && !strings.EqualFold(label, "us-ascii") {
		if r, err := charset.NewReaderLabel(label, bytes.NewReader(data)); err == nil {
			if out, err := io.ReadAll(r); err == nil {
				return string(out)
			}
		}
		w.m.problem("unknown charset %q", label)
	}
	if !utf8Valid(data) {
		w.m.problem("text that is not UTF-8 read as Latin-1")
		r, _ := charset.NewReaderLabel("latin1", bytes.NewReader(data))
		out, _ := io.ReadAll(r)
		return string(out)
	}
	return string(data)
}

// charsetReader lets encoded words in headers use any charset the
// html/charset package knows.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	return charset.NewReaderLabel(label, r)
}
