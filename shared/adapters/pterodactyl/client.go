// Package pterodactyl is the game-server panel adapter: Pterodactyl's
// application API (users, servers) and client API (power, resources)
// behind provisioning.Panel. Users and servers carry our ids as their
// unique external_id, so every create first looks them up and adopts what
// a lost reply left behind.
package pterodactyl

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/provisioning"
)

// Egg is how a game is installed.
type Egg struct {
	ID          int               `json:"id"`
	DockerImage string            `json:"docker_image"`
	Startup     string            `json:"startup"`
	Environment map[string]string `json:"environment"`
}

// Config is one panel.
type Config struct {
	Name      string // the instance's name (default "pterodactyl")
	BaseURL   string // https://panel.example.com
	AppKey    string // ptla_…
	ClientKey string // ptlc_… of an admin user (power and resources)
	HTTP      *http.Client
	Timeout   time.Duration // per call (default 15 s)
	// Eggs maps a game's name (as plans list it) to its egg; Locations
	// maps our location names to panel location ids.
	Eggs      map[string]Egg
	Locations map[string]int
}

// Panel talks to one Pterodactyl panel.
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
		c.Name = "pterodactyl"
	}
	return &Panel{c: c}
}

// Name implements provisioning.Panel.
func (p *Panel) Name() string { return p.c.Name }

type apiErrors struct {
	Errors []struct {
		Code   string `json:"code"`
		Detail string `json:"detail"`
		Meta   struct {
			SourceField string `json:"source_field"`
			Rule        string `json:"rule"`
		} `json:"meta"`
	} `json:"errors"`
}

// call sends one request and decodes a JSON answer into out (when not nil).
// Every failure comes back as a *provisioning.PanelError.
func (p *Panel) call(ctx context.Context, key, method, path string, in, out any) error {
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
	req, err := http.NewRequestWithContext(ctx, method, p.c.BaseURL+path, body)
	if err != nil {
		return fmt.Errorf("build %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
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
		return p.failure(method, path, res, raw)
	}
	if out == nil || res.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &provisioning.PanelError{Kind: provisioning.ErrMalformed, Status: res.StatusCode, Detail: fmt.Sprintf("%s %s: %v", method, path, err)}
	}
	return nil
}

func (p *Panel) failure(method, path string, res *http.Response, raw []byte) error {
	var e apiErrors
	_ = json.Unmarshal(raw, &e)
	var details []string
	for _, x := range e.Errors {
		d := x.Detail
		if x.Meta.SourceField != "" {
			d = fmt.Sprintf("%s (%s: %s)", d, x.Meta.SourceField, x.Meta.Rule)
		}
		details = append(details, d)
	}
	detail := fmt.Sprintf("%s %s: %s", method, path, strings.Join(details, "; "))
	pe := &provisioning.PanelError{Status: res.StatusCode, Detail: detail}
	switch {
	case res.StatusCode == http.StatusTooManyRequests:
		pe.Kind = provisioning.ErrTransient
		pe.RetryAfter, _ = strconv.Atoi(res.Header.Get("Retry-After"))
	case res.StatusCode >= 500:
		pe.Kind = provisioning.ErrTransient
	case res.StatusCode == http.StatusNotFound:
		pe.Kind = provisioning.ErrNotFound
	default:
		pe.Kind = provisioning.ErrRejected
	}
	return pe
}

// unique reports whether err is a 422 because external_id is taken.
func unique(err error) bool {
	var pe *provisioning.PanelError
	return errors.As(err, &pe) && pe.Status == http.StatusUnprocessableEntity && strings.Contains(pe.Detail, "external_id: unique")
}
