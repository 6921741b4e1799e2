package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/platform/apperr"
)

type catalogHandlers struct {
	Deps
	listings *encodedListings
}

func (h catalogHandlers) health(w http.ResponseWriter, r *http.Request) error {
	if err := h.Ping(r.Context()); err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]string{"status": "ok", "stage": h.Stage})
	return nil
}

func (h catalogHandlers) openAPI(w http.ResponseWriter, _ *http.Request) error {
	if h.OpenAPI == nil {
		return apperr.New(apperr.NotFound, "the API document is not served here")
	}
	doc, err := h.OpenAPI()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(doc)
	return nil
}

func (h catalogHandlers) listPlans(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	listing, err := h.Catalog.Public(r.Context(), catalog.PublicQuery{
		ServiceType: catalog.ServiceType(q.Get("service_type")),
		Currency:    q.Get("currency"),
		Cycle:       catalog.Cycle(q.Get("cycle")),
	})
	if err != nil {
		return err
	}
	body, etag, err := h.listings.encode(listing)
	if err != nil {
		return err
	}
	// Prices change rarely: CDNs and browsers may keep the listing briefly
	// and revalidate it by its ETag after that.
	w.Header().Set("Cache-Control", "public, max-age=30")
	w.Header().Set("ETag", etag)
	if matches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
	return nil
}

// encodedListings keeps the JSON and ETag of the listings the catalog
// last built: the catalog hands out the same listing until it changes, so
// each is encoded and hashed once rather than on every request.
type encodedListings struct {
	mu      sync.Mutex
	entries map[*catalog.PublicListing]encodedListing
}

type encodedListing struct {
	body []byte
	etag string
}

// keepListings bounds the entries: more than the distinct queries the
// pricing page makes, so the current ones stay encoded.
const keepListings = 64

func (e *encodedListings) encode(l *catalog.PublicListing) ([]byte, string, error) {
	e.mu.Lock()
	got, ok := e.entries[l]
	e.mu.Unlock()
	if ok {
		return got.body, got.etag, nil
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(l); err != nil {
		return nil, "", fmt.Errorf("encode listing: %w", err)
	}
	sum := sha256.Sum256(buf.Bytes())
	got = encodedListing{body: buf.Bytes(), etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
	e.mu.Lock()
	if e.entries == nil || len(e.entries) >= keepListings {
		e.entries = map[*catalog.PublicListing]encodedListing{}
	}
	e.entries[l] = got
	e.mu.Unlock()
	return got.body, got.etag, nil
}

// matches reports whether an If-None-Match header names etag (RFC 9110
// §13.1.2: weak comparison, a list, or "*").
func matches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
