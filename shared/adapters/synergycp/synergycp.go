// Package synergycp is the dedicated server panel adapter: SynergyCP's API
// behind provisioning.Panel, with hardware allocation from its inventory,
// IPMI power, bandwidth usage and single sign-on. A server's billing id is
// the only link SynergyCP keeps to billing, and it must be a number: it is
// the service's number, set when the server is provisioned, so a create
// first looks the server up by it and adopts what a lost reply made.
// Clients are found by their billing id (our customer id) or e-mail.
package synergycp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/adapters/panelhttp"
	"github.com/ezscale/platform/shared/domain/provisioning"
)

// Spec is the hardware a plan sells, as SynergyCP's billing ids name it.
type Spec struct {
	CPU   string `json:"cpu"`   // cpu_billing
	Mem   string `json:"mem"`   // mem_billing
	Disks string `json:"disks"` // disks_billing
}

// Config is one SynergyCP installation.
type Config struct {
	Name    string // the instance's name (default "synergycp")
	BaseURL string // the API host, https://api.example.com
	Key     string // the integration's API key
	HTTP    *http.Client
	Timeout time.Duration
	// Specs maps our plan ids to hardware; PXE our OS names to install
	// profiles; PortSpeed is the switch port's billing id.
	Specs     map[string]Spec
	PXE       map[string]string
	PortSpeed string
	Sleep     func(context.Context, time.Duration) error
}

// Panel talks to one SynergyCP installation.
type Panel struct {
	c    Config
	http *panelhttp.Client
}

var (
	_ provisioning.Panel             = (*Panel)(nil)
	_ provisioning.HardwareAllocator = (*Panel)(nil)
	_ provisioning.Powerer           = (*Panel)(nil)
	_ provisioning.UsageReader       = (*Panel)(nil)
	_ provisioning.LoginLinker       = (*Panel)(nil)
)

// New returns the adapter.
func New(c Config) *Panel {
	if c.Name == "" {
		c.Name = "synergycp"
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return &Panel{c: c, http: &panelhttp.Client{Base: c.BaseURL, HTTP: c.HTTP, Timeout: c.Timeout, Sleep: c.Sleep, Words: words, Envelope: envelope,
		Auth: func(r *http.Request) {
			if r.URL.Query().Get("key") == "" { // client-scoped calls carry their own
				q := r.URL.Query()
				q.Set("key", c.Key)
				r.URL.RawQuery = q.Encode()
			}
		}}}
}

// Name implements provisioning.Panel.
func (p *Panel) Name() string { return p.c.Name }

// body is SynergyCP's envelope.
type body struct {
	Error    any `json:"error"`
	Messages []struct {
		Text string `json:"text"`
	} `json:"messages"`
	Data json.RawMessage `json:"data"`
}

func words(raw []byte) string {
	var b body
	if json.Unmarshal(raw, &b) != nil || len(b.Messages) == 0 {
		return ""
	}
	return b.Messages[0].Text
}

// envelope reports an error the API signals in a 2xx body ("error" is
// anything but false, as the SDK reads it).
func envelope(raw []byte) string {
	var b body
	if json.Unmarshal(raw, &b) != nil {
		return "" // decoding the data reports it as malformed
	}
	if b.Error == false || b.Error == nil {
		return ""
	}
	if w := words(raw); w != "" {
		return w
	}
	return "the panel reported an error without a message"
}

// call sends one request and decodes the envelope's data into out.
func (p *Panel) call(ctx context.Context, c panelhttp.Call, out any) error {
	var b body
	if err := p.http.Do(ctx, c, &b); err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if len(b.Data) == 0 || string(b.Data) == "null" {
		return &provisioning.PanelError{Kind: provisioning.ErrMalformed, Detail: fmt.Sprintf("%s %s: no data in the answer", c.Method, c.Path)}
	}
	if err := json.Unmarshal(b.Data, out); err != nil {
		return &provisioning.PanelError{Kind: provisioning.ErrMalformed, Detail: fmt.Sprintf("%s %s: %v", c.Method, c.Path, err)}
	}
	return nil
}

func get(path string, q url.Values) panelhttp.Call {
	return panelhttp.Call{Method: http.MethodGet, Path: path, Query: q, Idempotent: true}
}

// page is a Laravel paginator.
type page[T any] struct {
	Data        []T `json:"data"`
	CurrentPage int `json:"current_page"`
	LastPage    int `json:"last_page"`
	Total       int `json:"total"`
}

// all reads every page of path with q.
func all[T any](ctx context.Context, p *Panel, path string, q url.Values) ([]T, error) {
	var out []T
	for n := 1; ; n++ {
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		qq.Set("page", fmt.Sprint(n))
		qq.Set("per_page", "100")
		var pg page[T]
		if err := p.call(ctx, get(path, qq), &pg); err != nil {
			return nil, err
		}
		out = append(out, pg.Data...)
		if n >= pg.LastPage || len(pg.Data) == 0 || n >= 100 {
			return out, nil
		}
	}
}
