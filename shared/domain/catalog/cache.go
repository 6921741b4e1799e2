package catalog

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// PublicTTL bounds how long a cached public listing is served without a
// catalog edit: stock moved by another function (a checkout in the
// accounts API) reaches the pricing page within it. The page's own
// Cache-Control allows CDNs as long again; checkout checks stock itself.
const PublicTTL = 10 * time.Second

// publicCache keeps one built listing per query: the pricing page asks
// the same few questions over and over, and building a listing reads and
// decodes every active plan.
type publicCache struct {
	mu      sync.Mutex
	entries map[PublicQuery]cachedListing
}

type cachedListing struct {
	generation string
	built      time.Time
	listing    *PublicListing
}

// cachedPublic returns q's listing from the cache while the store's
// generation is unchanged and it is younger than PublicTTL, and builds
// (and keeps) it otherwise. The listing returned is shared: callers only
// read it.
func (s *Service) cachedPublic(ctx context.Context, q PublicQuery, build func() (*PublicListing, error)) (*PublicListing, error) {
	gen, err := s.store.Generation(ctx)
	if err != nil {
		return nil, fmt.Errorf("public listing: %w", err)
	}
	now := s.clock.Now()
	c := &s.public
	c.mu.Lock()
	e, ok := c.entries[q]
	c.mu.Unlock()
	if ok && e.generation == gen && now.Sub(e.built) < PublicTTL && !now.Before(e.built) {
		return e.listing, nil
	}
	l, err := build()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[PublicQuery]cachedListing{}
	}
	c.entries[q] = cachedListing{generation: gen, built: now, listing: l}
	c.mu.Unlock()
	return l, nil
}
