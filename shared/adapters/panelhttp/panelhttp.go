// Package panelhttp is what every control panel adapter's HTTP needs the
// same way: a per-call timeout, authentication, JSON in and out, error
// classification into provisioning's kinds (transient, rejected, not
// found, malformed), 429 with Retry-After, retries for idempotent calls
// only, and a summary of every attempt for the provisioning log. Each
// adapter says how its panel authenticates and words its errors.
package panelhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/provisioning"
)

// Client is one panel's HTTP settings.
type Client struct {
	Base    string // scheme, host and any path prefix ("https://cp.example.com/api/v1")
	HTTP    *http.Client
	Timeout time.Duration // per attempt (default 15 s)
	// Auth adds the credentials to every request (a header or a query key).
	Auth func(*http.Request)
	// Words reads the panel's explanation out of an error body ("" when it
	// has none); the status decides the kind.
	Words func(raw []byte) string
	// Envelope reads a 2xx body for an error the panel reports in the body
	// (SynergyCP) and returns the words ("" when the body is a success).
	Envelope func(raw []byte) string
	// Transient are statuses besides 429 and 5xx that trying again can
	// cure (VirtFusion's 423: an operation in progress).
	Transient []int
	// Retries for idempotent calls (default 2); MaxWait caps how long a
	// 429's Retry-After is waited for here (default 5 s) — a longer one is
	// returned to the caller, whose workflow retries later.
	Retries int
	MaxWait time.Duration
	// Sleep waits between attempts (tests make it instant).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Call is one request. Only calls marked Idempotent are repeated after a
// transient failure: a POST that creates something is never sent twice
// from here (the caller looks up what a lost reply made instead).
type Call struct {
	Method     string
	Path       string
	Query      url.Values
	Body       any
	Idempotent bool
}

// Plain is a call without a query, idempotent unless it is a POST or
// PATCH (GET, PUT and DELETE set or read state absolutely).
func Plain(method, path string, body any) Call {
	return Call{Method: method, Path: path, Body: body, Idempotent: method != http.MethodPost && method != http.MethodPatch}
}

func (c *Client) defaults() (retries int, wait time.Duration, timeout time.Duration) {
	retries, wait, timeout = c.Retries, c.MaxWait, c.Timeout
	if retries == 0 {
		retries = 2
	}
	if wait == 0 {
		wait = 5 * time.Second
	}
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	return
}

// Do sends call and decodes a JSON answer into out (nil: ignored). Every
// failure is a *provisioning.PanelError.
func (c *Client) Do(ctx context.Context, call Call, out any) error {
	retries, maxWait, _ := c.defaults()
	var body []byte
	if call.Body != nil {
		b, err := json.Marshal(call.Body)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", call.Method, call.Path, err)
		}
		body = b
	}
	for attempt := 1; ; attempt++ {
		err := c.once(ctx, call, body, out, attempt)
		var pe *provisioning.PanelError
		if err == nil || !call.Idempotent || attempt > retries || !errors.As(err, &pe) || !errors.Is(pe.Kind, provisioning.ErrTransient) {
			return err
		}
		wait := time.Duration(200*attempt*attempt) * time.Millisecond
		if pe.RetryAfter > 0 {
			if d := time.Duration(pe.RetryAfter) * time.Second; d > maxWait {
				return err
			} else {
				wait = d
			}
		}
		if serr := c.sleep(ctx, wait); serr != nil {
			return err
		}
	}
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// once is one attempt.
func (c *Client) once(ctx context.Context, call Call, body []byte, out any, attempt int) error {
	_, _, timeout := c.defaults()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u := strings.TrimRight(c.Base, "/") + call.Path
	if len(call.Query) > 0 {
		u += "?" + call.Query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, call.Method, u, rd)
	if err != nil {
		return fmt.Errorf("build %s %s: %w", call.Method, call.Path, err)
	}
	req.Header.Set("Accept", "application/json")
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Auth != nil {
		c.Auth(req)
	}
	client := c.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	start := time.Now()
	res, err := client.Do(req)
	path, _, _ := strings.Cut(call.Path, "?") // a query may carry a key
	x := provisioning.Exchange{Method: call.Method, Path: path, Attempt: attempt}
	if err != nil {
		x.Millis = time.Since(start).Milliseconds()
		provisioning.RecordExchange(ctx, x)
		// The request may have reached the panel: only the caller knows
		// whether sending it again is safe, and Do only repeats idempotent
		// calls.
		return &provisioning.PanelError{Kind: provisioning.ErrTransient, Detail: fmt.Sprintf("%s %s: %v", call.Method, call.Path, redact(err))}
	}
	defer res.Body.Close()
	raw, rerr := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	x.Status, x.Millis = res.StatusCode, time.Since(start).Milliseconds()
	provisioning.RecordExchange(ctx, x)
	if rerr != nil {
		return &provisioning.PanelError{Kind: provisioning.ErrTransient, Status: res.StatusCode, Detail: fmt.Sprintf("%s %s: reading the answer: %v", call.Method, call.Path, rerr)}
	}
	if res.StatusCode >= 300 {
		return c.failure(call, res, raw)
	}
	if c.Envelope != nil && res.StatusCode != http.StatusNoContent {
		if words := c.Envelope(raw); words != "" {
			return &provisioning.PanelError{Kind: kindOfWords(words), Status: res.StatusCode, Detail: fmt.Sprintf("%s %s: %s", call.Method, call.Path, words)}
		}
	}
	if out == nil || res.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &provisioning.PanelError{Kind: provisioning.ErrMalformed, Status: res.StatusCode, Detail: fmt.Sprintf("%s %s: %v", call.Method, call.Path, err)}
	}
	return nil
}

// failure classifies an HTTP error answer.
func (c *Client) failure(call Call, res *http.Response, raw []byte) error {
	words := ""
	if c.Words != nil {
		words = c.Words(raw)
	}
	if res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden {
		words = strings.TrimPrefix(words+"; the API credentials were refused", "; ")
	}
	pe := &provisioning.PanelError{Status: res.StatusCode, Detail: fmt.Sprintf("%s %s: %s", call.Method, call.Path, words)}
	switch s := res.StatusCode; {
	case s == http.StatusTooManyRequests:
		pe.Kind = provisioning.ErrTransient
		pe.RetryAfter, _ = strconv.Atoi(strings.TrimSpace(res.Header.Get("Retry-After")))
	case s >= 500 || slices.Contains(c.Transient, s):
		pe.Kind = provisioning.ErrTransient
	case s == http.StatusNotFound:
		pe.Kind = provisioning.ErrNotFound
	default:
		pe.Kind = provisioning.ErrRejected
	}
	return pe
}

// kindOfWords classifies a body-level error, which carries no status of
// its own: the words say whether the thing is missing; anything else is a
// refusal.
func kindOfWords(words string) error {
	w := strings.ToLower(words)
	if strings.Contains(w, "not found") || strings.Contains(w, "no query results") {
		return provisioning.ErrNotFound
	}
	return provisioning.ErrRejected
}

// redact drops a URL's query from a transport error: panels that take
// their key as a query parameter (SynergyCP) would otherwise leak it into
// logs.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.RawQuery = ""
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}
