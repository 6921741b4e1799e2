// Package virtfusion is the VPS panel adapter: VirtFusion's Global API v1
// behind provisioning.Panel. Users are found by our customer id (relStr);
// servers have no external id, so a server is named after our ref when it
// is built, and a create first looks through the customer's servers for
// that name — or for an unbuilt one a lost reply left behind.
package virtfusion

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/adapters/panelhttp"
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
	// Sleep waits between retries (nil: really waits; tests pass a no-op).
	Sleep func(context.Context, time.Duration) error
}

// Panel talks to one VirtFusion control server.
type Panel struct {
	c    Config
	http *panelhttp.Client
}

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
	// 423: an operation on the server is in progress; it will end.
	return &Panel{c: c, http: &panelhttp.Client{Base: c.BaseURL + "/api/v1", HTTP: c.HTTP, Timeout: c.Timeout, Words: words, Transient: []int{http.StatusLocked},
		Auth: func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+c.Token) }, Sleep: c.Sleep}}
}

// Name implements provisioning.Panel.
func (p *Panel) Name() string { return p.c.Name }

// call sends one request to /api/v1 and decodes the answer into out.
// Failures come back as *provisioning.PanelError; GET, PUT and DELETE are
// retried after transient failures, nothing else is.
func (p *Panel) call(ctx context.Context, method, path string, in, out any) error {
	return p.http.Do(ctx, panelhttp.Plain(method, path, in), out)
}

// words reads VirtFusion's two error shapes ("errors" array, or "msg").
func words(raw []byte) string {
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
	return strings.Join(parts, "; ")
}
