// Package pterodactyl is the game-server panel adapter: Pterodactyl's
// application API (users, servers) and client API (power, resources)
// behind provisioning.Panel. Users and servers carry our ids as their
// unique external_id, so every create first looks them up and adopts what
// a lost reply left behind.
package pterodactyl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/adapters/panelhttp"
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
	// Sleep waits between retries (nil: really waits; tests pass a no-op).
	Sleep func(context.Context, time.Duration) error
}

// Panel talks to one Pterodactyl panel.
type Panel struct {
	c           Config
	app, client *panelhttp.Client
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
		c.Name = "pterodactyl"
	}
	kit := func(key string) *panelhttp.Client {
		return &panelhttp.Client{Base: c.BaseURL, HTTP: c.HTTP, Timeout: c.Timeout, Words: words, Sleep: c.Sleep,
			Auth: func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+key) }}
	}
	return &Panel{c: c, app: kit(c.AppKey), client: kit(c.ClientKey)}
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

// call sends one request with key (the application or the client key)
// and decodes a JSON answer into out (when not nil). Every failure comes
// back as a *provisioning.PanelError; GET, PUT and DELETE are retried
// after transient failures, nothing else is.
func (p *Panel) call(ctx context.Context, key, method, path string, in, out any) error {
	c := p.app
	if key == p.c.ClientKey {
		c = p.client
	}
	return c.Do(ctx, panelhttp.Plain(method, path, in), out)
}

// words reads Pterodactyl's error list, with the field a validation
// error is about.
func words(raw []byte) string {
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
	return strings.Join(details, "; ")
}

// unique reports whether err is a 422 because external_id is taken.
func unique(err error) bool {
	var pe *provisioning.PanelError
	return errors.As(err, &pe) && pe.Status == http.StatusUnprocessableEntity && strings.Contains(pe.Detail, "external_id: unique")
}
