// Package cfaccess verifies Cloudflare Access JWTs (the
// Cf-Access-Jwt-Assertion header Cloudflare adds in front of the admin
// API): RS256 signature by a key from the team's JWKS
// (https://<team>.cloudflareaccess.com/cdn-cgi/access/certs), the
// application's audience tag, the issuer, and the time claims.
package cfaccess

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/ezscale/platform/shared/platform/clock"
)

// Header is where Cloudflare puts the token.
const Header = "Cf-Access-Jwt-Assertion"

// Errors callers tell apart.
var (
	ErrMissing = errors.New("cfaccess: no Cloudflare Access token")
	ErrInvalid = errors.New("cfaccess: invalid Cloudflare Access token")
)

// Identity is who Cloudflare Access authenticated.
type Identity struct {
	Email   string
	Subject string
}

// Verifier checks tokens for one Access application.
type Verifier struct {
	certsURL string
	issuer   string
	audience string
	http     *http.Client
	clock    clock.Clock

	mu        sync.Mutex
	keys      jose.JSONWebKeySet
	fetchedAt time.Time
}

// New returns a verifier for the team domain ("ezscale.cloudflareaccess.com"
// or a full https URL, which tests use) and the application's audience tag.
func New(teamDomain, audience string, hc *http.Client, clk clock.Clock) *Verifier {
	base := teamDomain
	if !strings.HasPrefix(base, "https://") && !strings.HasPrefix(base, "http://") {
		base = "https://" + base
	}
	base = strings.TrimRight(base, "/")
	return &Verifier{certsURL: base + "/cdn-cgi/access/certs", issuer: base, audience: audience, http: hc, clock: clk}
}

type claims struct {
	jwt.Claims
	Email string `json:"email"`
}

// Verify checks a token and returns the identity in it.
func (v *Verifier) Verify(ctx context.Context, token string) (*Identity, error) {
	if token == "" {
		return nil, ErrMissing
	}
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil || len(tok.Headers) != 1 {
		return nil, fmt.Errorf("%w: malformed", ErrInvalid)
	}
	kid := tok.Headers[0].KeyID
	key, err := v.key(ctx, kid)
	if err != nil {
		return nil, err
	}
	var c claims
	if err := tok.Claims(key, &c); err != nil {
		return nil, fmt.Errorf("%w: signature", ErrInvalid)
	}
	if err := c.ValidateWithLeeway(jwt.Expected{Issuer: v.issuer, AnyAudience: jwt.Audience{v.audience}, Time: v.clock.Now()}, time.Minute); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if c.Expiry == nil {
		return nil, fmt.Errorf("%w: no expiry", ErrInvalid)
	}
	return &Identity{Email: c.Email, Subject: c.Subject}, nil
}

// key returns the signing key for kid, refreshing the cached set when it
// is stale (10 minutes) or lacks kid (at most once a minute, so forged kids
// cannot hammer the JWKS endpoint).
func (v *Verifier) key(ctx context.Context, kid string) (any, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.clock.Now()
	find := func() any {
		for _, k := range v.keys.Key(kid) {
			if k.Use == "" || k.Use == "sig" {
				return k.Key
			}
		}
		return nil
	}
	stale := now.Sub(v.fetchedAt) > 10*time.Minute
	if k := find(); k != nil && !stale {
		return k, nil
	}
	if stale || now.Sub(v.fetchedAt) > time.Minute {
		if err := v.fetch(ctx); err != nil {
			if k := find(); k != nil {
				return k, nil // keep serving with the cached set while the endpoint is down
			}
			return nil, err
		}
		v.fetchedAt = now
	}
	if k := find(); k != nil {
		return k, nil
	}
	return nil, fmt.Errorf("%w: unknown key id", ErrInvalid)
}

func (v *Verifier) fetch(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.certsURL, nil)
	if err != nil {
		return err
	}
	resp, err := v.http.Do(req)
	if err != nil {
		return fmt.Errorf("cfaccess: fetch keys: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("cfaccess: fetch keys: %s", resp.Status)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set); err != nil {
		return fmt.Errorf("cfaccess: decode keys: %w", err)
	}
	v.keys = set
	return nil
}
