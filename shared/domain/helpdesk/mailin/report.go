package mailin

import (
	"bufio"
	"bytes"
	"net/mail"
	"net/textproto"
	"strings"
	"unicode/utf8"
)

func utf8Valid(b []byte) bool { return utf8.Valid(b) }

// deliveryStatus reads a message/delivery-status part: the per-message
// fields, then one block per recipient. The first recipient counts, or a
// failed one over one that was not.
func (w *walker) deliveryStatus(data []byte) {
	if w.m.Bounce == nil {
		w.m.Bounce = &Bounce{}
	}
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(append(bytes.TrimSpace(data), '\n', '\n'))))
	failedSeen := false
	for block := 0; block < 50; block++ {
		h, err := r.ReadMIMEHeader()
		if rcpt := h.Get("Final-Recipient"); rcpt != "" {
			failed := strings.EqualFold(strings.TrimSpace(h.Get("Action")), "failed")
			if w.m.Bounce.Recipient == "" || (failed && !failedSeen) {
				if _, addr, ok := strings.Cut(rcpt, ";"); ok {
					rcpt = addr
				}
				status := strings.TrimSpace(h.Get("Status"))
				w.m.Bounce.Recipient, w.m.Bounce.Status = strings.ToLower(strings.TrimSpace(rcpt)), status
				w.m.Bounce.Permanent = failed && strings.HasPrefix(status, "5.")
				failedSeen = failedSeen || failed
			}
		}
		if err != nil {
			return
		}
	}
}

// original reads the headers of the mail that bounced, for its Message-ID.
func (w *walker) original(data []byte) {
	if w.m.Bounce == nil || w.m.Bounce.OriginalMessageID != "" {
		return
	}
	if msg, err := mail.ReadMessage(bytes.NewReader(data)); err == nil {
		w.m.Bounce.OriginalMessageID = first(msgIDs(msg.Header.Get("Message-Id")))
		return
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), "message-id") {
			w.m.Bounce.OriginalMessageID = first(msgIDs(v))
			return
		}
	}
}
