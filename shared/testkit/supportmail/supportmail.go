// Package supportmail runs the support mailbox in process: a real IMAP
// server (go-imap v2's memory server) with one mailbox per support
// address, and a real SMTP server (go-smtp) that delivers mail for those
// addresses into them, as the company's mail host would. The helpdesk's
// importer polls it in tests and under `make dev`, where a mail client
// (or `curl smtp://…`) can answer a ticket e-mail.
//
// Given a directory it keeps delivered messages there and puts them back
// at start in the same order, so UIDs and UIDVALIDITY survive a restart as
// on a real server (read flags are not kept: the importer's cursor and
// Message-IDs make that harmless).
package supportmail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"
)

// Options configure Start.
type Options struct {
	// Addresses are the support addresses: one mailbox each, named by the
	// address (lower case).
	Addresses []string
	// Username and Password log in to IMAP.
	Username, Password string
	// Dir keeps delivered mail across restarts ("" keeps nothing).
	Dir string
	// Accept, when set, takes mail for an address without a mailbox yet
	// (one is made): a department staff add later gets its mailbox.
	Accept func(address string) bool
	// IMAPAddr and SMTPAddr are where to listen (default 127.0.0.1:0).
	IMAPAddr, SMTPAddr string
}

// Server is the running mailbox.
type Server struct {
	IMAPAddr, SMTPAddr string
	opts               Options
	user               *imapmemserver.User
	imap               *imapserver.Server
	smtp               *smtp.Server
	mu                 sync.Mutex
	boxes              []string
	seq                int
}

// Start listens and serves until Close.
func Start(o Options) (*Server, error) {
	s := &Server{opts: o, user: imapmemserver.NewUser(o.Username, o.Password)}
	mem := imapmemserver.New()
	mem.AddUser(s.user)
	boxes := []string{"INBOX"}
	for _, a := range o.Addresses {
		boxes = append(boxes, strings.ToLower(a))
	}
	if o.Dir != "" {
		// Mailboxes made on demand before a restart come back too; sorted
		// with the rest, the same set gets the same UIDVALIDITYs.
		kept, _ := os.ReadDir(o.Dir)
		for _, d := range kept {
			if d.IsDir() {
				boxes = append(boxes, d.Name())
			}
		}
	}
	slices.Sort(boxes)
	for _, b := range slices.Compact(boxes) {
		if err := s.addBox(b); err != nil {
			return nil, err
		}
	}
	s.imap = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true, // loopback only
		Logger:       discard{},
	})
	il, err := net.Listen("tcp", orLoopback(o.IMAPAddr))
	if err != nil {
		return nil, fmt.Errorf("imap listen: %w", err)
	}
	s.IMAPAddr = il.Addr().String()
	go s.imap.Serve(il) // stopped by Close
	s.smtp = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.smtp.Domain = "localhost"
	s.smtp.ReadTimeout, s.smtp.WriteTimeout = time.Minute, time.Minute
	s.smtp.MaxMessageBytes = 40 << 20 // above the desk's limit, so its polite refusal is what a sender sees
	sl, err := net.Listen("tcp", orLoopback(o.SMTPAddr))
	if err != nil {
		il.Close()
		return nil, fmt.Errorf("smtp listen: %w", err)
	}
	s.SMTPAddr = sl.Addr().String()
	go s.smtp.Serve(sl) // stopped by Close
	return s, nil
}

func orLoopback(addr string) string {
	if addr == "" {
		return "127.0.0.1:0"
	}
	return addr
}

// addBox creates a mailbox and puts back what was delivered to it.
func (s *Server) addBox(name string) error {
	if err := s.user.Create(name, nil); err != nil {
		return fmt.Errorf("create mailbox %s: %w", name, err)
	}
	s.boxes = append(s.boxes, name)
	if s.opts.Dir == "" {
		return nil
	}
	files, err := filepath.Glob(filepath.Join(s.opts.Dir, name, "*.eml"))
	if err != nil {
		return err
	}
	slices.Sort(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if _, err := s.user.Append(name, literal(b), &imap.AppendOptions{}); err != nil {
			return fmt.Errorf("restore %s: %w", f, err)
		}
		s.seq++
	}
	return nil
}

// ensureBox makes a mailbox unless it exists.
func (s *Server) ensureBox(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if slices.Contains(s.boxes, name) {
		return nil
	}
	return s.addBox(name)
}

// Mailboxes lists the mailboxes, sorted.
func (s *Server) Mailboxes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.boxes)
}

// Deliver appends a message to a mailbox (and keeps it, given a Dir).
func (s *Server) Deliver(mailbox string, raw []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.boxes, mailbox) {
		return fmt.Errorf("no mailbox %s", mailbox)
	}
	if s.opts.Dir != "" {
		s.seq++
		dir := filepath.Join(s.opts.Dir, mailbox)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%012d.eml", s.seq)), raw, 0o600); err != nil {
			return err
		}
	}
	_, err := s.user.Append(mailbox, literal(raw), &imap.AppendOptions{Time: time.Now()})
	return err
}

// Recreate deletes a mailbox and makes it again, empty, with a new
// UIDVALIDITY (what a server does after losing its index).
func (s *Server) Recreate(mailbox string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.user.Delete(mailbox); err != nil {
		return err
	}
	if s.opts.Dir != "" {
		if err := os.RemoveAll(filepath.Join(s.opts.Dir, mailbox)); err != nil {
			return err
		}
	}
	return s.user.Create(mailbox, nil)
}

// Close stops both servers.
func (s *Server) Close() error {
	return errors.Join(s.smtp.Close(), s.imap.Close())
}

type lit struct {
	*bytes.Reader
	n int64
}

func (l lit) Size() int64 { return l.n }

func literal(b []byte) imap.LiteralReader { return lit{bytes.NewReader(b), int64(len(b))} }

type discard struct{}

func (discard) Printf(string, ...any) {}

// session delivers a message to the mailboxes of its recipients, adding
// Return-Path as a mail host does (a null one marks a bounce or an
// auto-reply to the importer).
type session struct {
	s    *Server
	from string
	to   []string
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	box := strings.ToLower(strings.TrimSpace(to))
	if !slices.Contains(ss.s.Mailboxes(), box) && ss.s.opts.Accept != nil && ss.s.opts.Accept(box) && !strings.ContainsAny(box, "/\\") {
		if err := ss.s.ensureBox(box); err != nil {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: err.Error()}
		}
	}
	if !slices.Contains(ss.s.Mailboxes(), box) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox here: this server takes mail for the support addresses only"}
	}
	ss.to = append(ss.to, box)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	raw := append([]byte("Return-Path: <"+ss.from+">\r\n"), b...)
	for _, box := range ss.to {
		if err := ss.s.Deliver(box, raw); err != nil {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "could not store the message: " + err.Error()}
		}
	}
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }
