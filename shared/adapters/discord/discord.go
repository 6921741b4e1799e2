// Package discord posts admin alerts to Discord webhooks as embeds. It
// keeps within Discord's size limits, honours 429 retry_after, and
// classifies failures for the notify worker.
package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/clock"
)

// Discord's documented limits.
const (
	maxTitle       = 256
	maxDescription = 4096
	maxFields      = 25
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxEmbedTotal  = 6000
)

var colours = map[notify.Severity]int{
	notify.Info: 0x3498db, notify.Success: 0x2ecc71, notify.Warning: 0xf1c40f, notify.Critical: 0xe74c3c,
}

// Routes maps alert kinds to webhook URLs; Default serves the rest.
type Routes struct {
	Default string
	ByKind  map[notify.Kind]string
}

// URL returns the webhook for kind ("" when none is configured).
func (r Routes) URL(kind notify.Kind) string {
	if u := r.ByKind[kind]; u != "" {
		return u
	}
	return r.Default
}

// Client implements notify.AlertSender.
type Client struct {
	http   *http.Client
	routes Routes
	clock  clock.Clock
	// MaxInlineWait is the longest 429 wait done in place; longer waits go
	// back to the queue as a delayed retry.
	MaxInlineWait time.Duration
}

var _ notify.AlertSender = (*Client)(nil)

// New returns a client. hc should carry a timeout.
func New(hc *http.Client, routes Routes, clk clock.Clock) *Client {
	return &Client{http: hc, routes: routes, clock: clk, MaxInlineWait: 5 * time.Second}
}

type embedField struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline"`
}

type embed struct {
	Title       string       `json:"title"`
	Description string       `json:"description,omitempty"`
	URL         string       `json:"url,omitempty"`
	Color       int          `json:"color"`
	Fields      []embedField `json:"fields,omitempty"`
	Footer      *struct {
		Text string `json:"text"`
	} `json:"footer,omitempty"`
	Timestamp string `json:"timestamp"`
}

// Payload is the webhook request body.
type Payload struct {
	Username        string  `json:"username"`
	Embeds          []embed `json:"embeds"`
	AllowedMentions struct {
		Parse []string `json:"parse"`
	} `json:"allowed_mentions"`
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// markdown escapes every character Discord's markdown gives a meaning to,
// so text customers typed (names, hostnames, reasons) shows as typed and
// never becomes a masked link, a spoiler, a heading or a code block.
var markdown = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "~", `\~`, "`", "\\`", "|", `\|`, ">", `\>`,
	"[", `\[`, "]", `\]`, "#", `\#`, "<", `\<`)

// BuildPayload turns an alert into a webhook body within Discord's limits.
// The description and field values are data, not markup: they are escaped.
func BuildPayload(kind notify.Kind, a notify.Alert, at time.Time) Payload {
	e := embed{
		Title: clip(a.Title, maxTitle), Description: clip(markdown.Replace(a.Description), maxDescription), URL: a.URL,
		Color: colours[a.Severity], Timestamp: at.UTC().Format(time.RFC3339),
	}
	e.Footer = &struct {
		Text string `json:"text"`
	}{Text: clip(string(kind), maxFooter)}
	for i, f := range a.Fields {
		if i == maxFields {
			break
		}
		v := f.Value
		if v == "" {
			v = "—" // Discord rejects empty field values
		}
		e.Fields = append(e.Fields, embedField{Name: clip(f.Name, maxFieldName), Value: clip(markdown.Replace(v), maxFieldValue), Inline: f.Inline})
	}
	// The 6000-character budget covers title, description, fields and footer:
	// shorten the description first, then drop trailing fields.
	total := func() int {
		n := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description) + utf8.RuneCountInString(e.Footer.Text)
		for _, f := range e.Fields {
			n += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
		}
		return n
	}
	if over := total() - maxEmbedTotal; over > 0 && e.Description != "" {
		keep := max(utf8.RuneCountInString(e.Description)-over-1, 0)
		e.Description = clip(e.Description, keep+1)
		if keep == 0 {
			e.Description = ""
		}
	}
	for total() > maxEmbedTotal && len(e.Fields) > 0 {
		e.Fields = e.Fields[:len(e.Fields)-1]
	}
	p := Payload{Username: "EZSCALE", Embeds: []embed{e}}
	p.AllowedMentions.Parse = []string{} // never ping @everyone from data
	return p
}

type rateLimited struct {
	RetryAfter float64 `json:"retry_after"`
	Global     bool    `json:"global"`
}

// Send implements notify.AlertSender.
func (c *Client) Send(ctx context.Context, kind notify.Kind, a notify.Alert) error {
	url := c.routes.URL(kind)
	if url == "" {
		return notify.PermanentError(fmt.Errorf("no Discord webhook configured for %s", kind))
	}
	body, err := json.Marshal(BuildPayload(kind, a, c.clock.Now()))
	if err != nil {
		return notify.PermanentError(err)
	}
	for attempt := 0; ; attempt++ {
		wait, err := c.post(ctx, url, body)
		if err == nil {
			return nil
		}
		if wait <= 0 || wait > c.MaxInlineWait || attempt >= 2 {
			return err
		}
		select {
		case <-ctx.Done():
			return notify.Retryable(ctx.Err(), wait)
		case <-time.After(wait):
		}
	}
}

// post sends once. On 429 it returns the wait Discord asked for.
func (c *Client) post(ctx context.Context, url string, body []byte) (time.Duration, error) {
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+sep+"wait=true", bytes.NewReader(body))
	if err != nil {
		return 0, notify.PermanentError(fmt.Errorf("webhook URL: %w", err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		// Refused before anything was sent is safe to retry; a timeout after
		// the request went out might have posted the message.
		if oe, ok := errors.AsType[*net.OpError](err); ok && oe.Op == "dial" {
			return 0, notify.Retryable(fmt.Errorf("discord: %w", redact(err, url)), 0)
		}
		return 0, notify.AmbiguousError(fmt.Errorf("discord: %w", redact(err, url)))
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusNoContent:
		return 0, nil
	case resp.StatusCode == http.StatusTooManyRequests:
		wait := retryAfter(resp.Header.Get("Retry-After"), raw)
		return wait, notify.Retryable(fmt.Errorf("discord: rate limited for %v", wait), wait)
	case resp.StatusCode >= 500:
		return 0, notify.Retryable(fmt.Errorf("discord: %s", resp.Status), 0)
	default:
		return 0, notify.PermanentError(fmt.Errorf("discord: %s: %s", resp.Status, clip(string(raw), 300)))
	}
}

func retryAfter(header string, body []byte) time.Duration {
	var rl rateLimited
	if json.Unmarshal(body, &rl) == nil && rl.RetryAfter > 0 {
		return time.Duration(rl.RetryAfter * float64(time.Second))
	}
	if s, err := strconv.ParseFloat(header, 64); err == nil && s > 0 {
		return time.Duration(s * float64(time.Second))
	}
	return time.Second
}

// redact keeps the webhook token (a secret in the URL path) out of errors.
func redact(err error, url string) error {
	i := strings.LastIndex(url, "/")
	if i < 0 {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), url[i+1:], "REDACTED"))
}
