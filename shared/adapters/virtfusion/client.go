// Package virtfusion is the VPS panel adapter: VirtFusion's Global API v1
// behind provisioning.Panel. Users are found by our customer id (relStr);
// servers have no external id, so a server is named after our ref when it
// is built, and a create first looks through the customer's servers for
// that name — or for an unbuilt one a lost reply left behind.
package virtfusion

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/provisioning"
)

// Config is one control server.
type Config struct {
	Name    string // the instance's name (default "virtfusion")
	BaseURL string // https://cp.example.com (the API is under /api/v1)
	Token   string
	HTTP    *http.Client
	Timeout time.Duration // per call (default 15 s)
	// Packages maps our plan ids to VirtFusion packages; Hypervisors our
	// locations to hypervisor group ids; Templates our OS names to
	// operating system template ids.
	Packages    map[string]int
	Hypervisors map[string]int
	Templates   map[string]int
	// DefaultPackage serves plans missing from Packages (0: refuse them).
	DefaultPackage int
}

// Panel talks to one VirtFusion control server.
type Panel struct{ c Config }

var _ provisioning.Panel = (*Panel)(nil)

// New returns the adapter.
func New(c Config) *Panel {
	if c.HTTP == nil {
		c.HTTP = &http.Client{}
	}
	if c.Timeout == 0 {
		c.Timeout = 15 * time.Second
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.Name == "" {
		c.Name = "virtfusion"
	}
	return &Panel{c: c}
}

// Name implements provisioning.Panel.
func (p *Panel) Name() string { return p.c.Name }

// call sends one request to /api/v1 and decodes the answer into out.
// Failures come back as *provisioning.PanelError.
func (p *Panel) call(ctx context.Context, method, path string, in, out any) error {
	ctx, cancel := context.WithTimeout(ctx, p.c.Timeout)
	defer cancel()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, p.c.BaseURL+"/api/v1"+path, body)
	if err != nil {
		return fmt.Errorf("build %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+p.c.Token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	res, err := p.c.HTTP.Do(req)
	if err != nil {
		return &provisioning.PanelError{Kind: provisioning.ErrTransient, Detail: fmt.Sprintf("%s %s: %v", method, path, err)}
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return &provisioning.PanelError{Kind: provisioning.ErrTransient, Status: res.StatusCode, Detail: fmt.Sprintf("%s %s: reading the answer: %v", method, path, err)}
	}
	if res.StatusCode >= 300 {
		return failure(method, path, res, raw)
	}
	if out == nil || res.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &provisioning.PanelError{Kind: provisioning.ErrMalformed, Status: res.StatusCode, Detail: fmt.Sprintf("%s %s: %v", method, path, err)}
	}
	return nil
}

// failure reads VirtFusion's two error shapes ("errors" array, or "msg")
// and decides whether trying again can help: 423 (an operation in
// progress), 429 and 5xx can.
func failure(method, path string, res *http.Response, raw []byte) error {
	var e struct {
		Errors []any  `json:"errors"`
		Msg    string `json:"msg"`
	}
	_ = json.Unmarshal(raw, &e)
	var parts []string
	for _, x := range e.Errors {
		parts = append(parts, fmt.Sprint(x))
	}
	if e.Msg != "" {
		parts = append(parts, e.Msg)
	}
	if res.StatusCode == http.StatusUnauthorized {
		parts = append(parts, "the API token was refused")
	}
	pe := &provisioning.PanelError{Status: res.StatusCode, Detail: fmt.Sprintf("%s %s: %s", method, path, strings.Join(parts, "; "))}
	switch {
	case res.StatusCode == http.StatusTooManyRequests:
		pe.Kind = provisioning.ErrTransient
		pe.RetryAfter, _ = strconv.Atoi(res.Header.Get("Retry-After"))
	case res.StatusCode == http.StatusLocked || res.StatusCode >= 500:
		pe.Kind = provisioning.ErrTransient
	case res.StatusCode == http.StatusNotFound:
		pe.Kind = provisioning.ErrNotFound
	default:
		pe.Kind = provisioning.ErrRejected
	}
	return pe
}
