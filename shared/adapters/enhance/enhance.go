// Package enhance is the web hosting panel adapter: Enhance's "orchd" API
// behind provisioning.Panel, with usage, plan changes, single sign-on and
// issued credentials (no power: a website has none). Enhance has no
// external-id field, so every step of a create first looks for what an
// earlier, crashed attempt left and adopts it: the customer organisation
// by its owner's e-mail or by our customer id in its name, the login by
// e-mail (a 409 means it exists), the Owner membership, the subscription
// by its friendly name (our ref), the website by its domain.
package enhance

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

// Config is one Enhance cluster.
type Config struct {
	Name    string // the instance's name (default "enhance")
	BaseURL string // https://panel.example.com (the API is under /api)
	Token   string // an access token of the master organisation
	OrgID   string // the master (reseller) organisation's id
	HTTP    *http.Client
	Timeout time.Duration
	// Plans maps our plan ids to Enhance plan ids; DefaultPlan serves
	// plans missing from it (0: refuse them).
	Plans       map[string]int
	DefaultPlan int
	Sleep       func(context.Context, time.Duration) error
}

// Panel talks to one Enhance cluster.
type Panel struct {
	c    Config
	http *panelhttp.Client
}

var (
	_ provisioning.Panel            = (*Panel)(nil)
	_ provisioning.Resizer          = (*Panel)(nil)
	_ provisioning.UsageReader      = (*Panel)(nil)
	_ provisioning.LoginLinker      = (*Panel)(nil)
	_ provisioning.CredentialIssuer = (*Panel)(nil)
)

// New returns the adapter.
func New(c Config) *Panel {
	if c.Name == "" {
		c.Name = "enhance"
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return &Panel{c: c, http: &panelhttp.Client{Base: c.BaseURL + "/api", HTTP: c.HTTP, Timeout: c.Timeout, Sleep: c.Sleep, Words: words,
		Auth: func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+c.Token) }}}
}

// Name implements provisioning.Panel.
func (p *Panel) Name() string { return p.c.Name }

// words reads Enhance's HttpError {code, detail, message}.
func words(raw []byte) string {
	var e struct{ Code, Detail, Message string }
	if json.Unmarshal(raw, &e) != nil {
		return ""
	}
	return strings.TrimPrefix(strings.TrimSuffix(e.Code+": "+e.Detail, ": "), ": ")
}

func (p *Panel) call(ctx context.Context, method, path string, in, out any) error {
	return p.http.Do(ctx, panelhttp.Plain(method, path, in), out)
}

// listing is Enhance's {"items","total"} page.
type listing[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

// each reads every page of path (offset/limit) until fn says stop.
func each[T any](ctx context.Context, p *Panel, path string, q url.Values, fn func(T) bool) error {
	if q == nil {
		q = url.Values{}
	}
	for offset := 0; ; {
		q.Set("offset", fmt.Sprint(offset))
		q.Set("limit", "100")
		var page listing[T]
		if err := p.http.Do(ctx, panelhttp.Call{Method: http.MethodGet, Path: path, Query: q, Idempotent: true}, &page); err != nil {
			return err
		}
		for _, it := range page.Items {
			if !fn(it) {
				return nil
			}
		}
		offset += len(page.Items)
		if len(page.Items) == 0 || offset >= page.Total {
			return nil
		}
	}
}

// ref is what the panel id holds: the customer organisation, the
// subscription and the website, "org/sub/site".
type ref struct {
	Org  string
	Sub  int
	Site string
}

func (r ref) String() string { return fmt.Sprintf("%s/%d/%s", r.Org, r.Sub, r.Site) }

func parseRef(id string) (ref, error) {
	parts := strings.Split(id, "/")
	var r ref
	if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
		return r, &provisioning.PanelError{Kind: provisioning.ErrNotFound, Detail: fmt.Sprintf("%q is not an Enhance service id (org/subscription/website)", id)}
	}
	if _, err := fmt.Sscan(parts[1], &r.Sub); err != nil || r.Sub <= 0 {
		return r, &provisioning.PanelError{Kind: provisioning.ErrNotFound, Detail: fmt.Sprintf("%q has no subscription id", id)}
	}
	r.Org, r.Site = parts[0], parts[2]
	return r, nil
}
