// Package devmail is the mail transport for make dev: every message is
// written as an .eml file into a folder, never sent anywhere, and can be
// listed and read back for the dev-only mailbox page.
package devmail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/notify/mailmsg"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
)

// Box is a folder of .eml files.
type Box struct {
	dir   string
	clock clock.Clock
}

var _ notify.Mailer = (*Box)(nil)

// New returns a mailbox in dir.
func New(dir string, clk clock.Clock) *Box { return &Box{dir: dir, clock: clk} }

// Send implements notify.Mailer by writing the exact MIME bytes a real
// transport would send.
func (b *Box) Send(_ context.Context, m notify.Mail) error {
	now := b.clock.Now()
	raw, err := mailmsg.Build(m, now)
	if err != nil {
		return notify.PermanentError(err)
	}
	if err := os.MkdirAll(b.dir, 0o700); err != nil {
		return notify.Retryable(err, 0)
	}
	// Sortable, unique file names: time, then a hash of the key.
	// The id (file name without .eml) has no dots, so it is safe in URLs and paths.
	name := fmt.Sprintf("%s%09d-%s.eml", now.UTC().Format("20060102T150405"), now.Nanosecond(), mailmsg.MessageID(m.ID, "x")[1:17])
	tmp := filepath.Join(b.dir, "."+name)
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return notify.Retryable(err, 0)
	}
	if err := os.Rename(tmp, filepath.Join(b.dir, name)); err != nil {
		return notify.Retryable(err, 0)
	}
	return nil
}

// Summary describes one stored message.
type Summary struct {
	ID      string    `json:"id"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Date    time.Time `json:"date"`
}

// Part is a decoded body part or attachment.
type Part struct {
	ContentType string
	Filename    string
	Body        []byte
}

// Message is a parsed stored message.
type Message struct {
	Summary
	Headers mail.Header
	Text    string
	HTML    string
	Parts   []Part // attachments
	Raw     []byte
}

// List returns the newest messages first (at most limit).
func (b *Box) List(limit int) ([]Summary, error) {
	entries, err := os.ReadDir(b.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return []Summary{}, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".eml") && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(names)))
	out := []Summary{}
	for _, n := range names {
		if len(out) == limit {
			break
		}
		m, err := b.Get(strings.TrimSuffix(n, ".eml"))
		if err != nil {
			continue
		}
		out = append(out, m.Summary)
	}
	return out, nil
}

// Get parses one stored message.
func (b *Box) Get(id string) (*Message, error) {
	if id == "" || strings.ContainsAny(id, "/\\.") {
		return nil, apperr.New(apperr.NotFound, "no such message")
	}
	raw, err := os.ReadFile(filepath.Join(b.dir, id+".eml"))
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "no such message")
	}
	pm, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(pm.Header.Get("Subject"))
	date, _ := pm.Header.Date()
	m := &Message{Summary: Summary{ID: id, From: pm.Header.Get("From"), To: pm.Header.Get("To"), Subject: subject, Date: date}, Headers: pm.Header, Raw: raw}
	if err := walk(m, pm.Header.Get("Content-Type"), pm.Body, ""); err != nil {
		return nil, err
	}
	return m, nil
}

func walk(m *Message, contentType string, body io.Reader, disposition string) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return err
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walkPart(m, p); err != nil {
				return err
			}
		}
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	switch {
	case strings.HasPrefix(disposition, "attachment"):
		_, dp, _ := mime.ParseMediaType(disposition)
		m.Parts = append(m.Parts, Part{ContentType: mt, Filename: dp["filename"], Body: b})
	case mt == "text/plain":
		m.Text = string(b)
	case mt == "text/html":
		m.HTML = string(b)
	}
	return nil
}

func walkPart(m *Message, p *multipart.Part) error {
	var r io.Reader = p
	if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
		r = base64Reader(p)
	}
	return walk(m, p.Header.Get("Content-Type"), r, p.Header.Get("Content-Disposition"))
}
