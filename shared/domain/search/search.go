// Package search finds customers, services, invoices and orders for staff
// from what they type: part of a name, an e-mail address or its domain, a
// hostname, an IP address, an invoice number, or an id.
package search

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// Kind is what a result is.
type Kind string

// The kinds staff can find.
const (
	Customer Kind = "customer"
	Service  Kind = "service"
	Invoice  Kind = "invoice"
	Order    Kind = "order"
)

// Hit is one indexed item whose term starts with what was typed.
type Hit struct {
	Kind Kind
	ID   string
}

// Index finds items indexed under terms starting with prefix.
type Index interface {
	Find(ctx context.Context, prefix string, limit int) ([]Hit, error)
}

// Result is one found item, described for a list.
type Result struct {
	Kind       Kind   `json:"kind"`
	ID         string `json:"id"`
	Title      string `json:"title"`
	Detail     string `json:"detail"`
	CustomerID string `json:"customer_id"`
}

// Resolver describes the item with id; apperr.NotFound drops it.
type Resolver func(ctx context.Context, id string) (Result, error)

// Finder answers searches.
type Finder struct {
	Index Index
	// Resolve describes each kind; a kind without one is never found.
	Resolve map[Kind]Resolver
	// IDPrefixes maps an id's prefix ("usr_") to its kind, so a pasted id
	// is looked up directly.
	IDPrefixes map[string]Kind
}

// MinQuery is the shortest query searched: one letter would match most
// of the index.
const MinQuery = 2

// Search returns at most limit results of the allowed kinds for q, exact
// id matches first.
func (f *Finder) Search(ctx context.Context, q string, allowed []Kind, limit int) ([]Result, error) {
	n := Normalize(q)
	if utf8.RuneCountInString(n) < MinQuery {
		return nil, &apperr.Error{Code: apperr.Invalid, Message: "the search is too short",
			Fields: map[string]string{"q": fmt.Sprintf("type at least %d characters", MinQuery)}}
	}
	var hits []Hit
	for prefix, kind := range f.IDPrefixes {
		if strings.HasPrefix(n, prefix) {
			hits = append(hits, Hit{Kind: kind, ID: strings.TrimSpace(q)})
		}
	}
	found, err := f.Index.Find(ctx, n, limit*2) // some hits are of kinds not allowed
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", n, err)
	}
	hits = append(hits, found...)
	out := make([]Result, 0, min(len(hits), limit))
	seen := map[Hit]bool{}
	for _, h := range hits {
		resolve := f.Resolve[h.Kind]
		if len(out) == limit || seen[h] || resolve == nil || !slices.Contains(allowed, h.Kind) {
			continue
		}
		seen[h] = true
		r, err := resolve(ctx, h.ID)
		if apperr.Is(err, apperr.NotFound) {
			continue // an id typed in full that is not ours, or a term outliving its item
		}
		if err != nil {
			return nil, fmt.Errorf("describe %s %s: %w", h.Kind, h.ID, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// Normalize is how terms and queries are compared: lower case, single
// spaces, no surrounding space.
func Normalize(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// MaxTerms bounds the terms one item is indexed under.
const MaxTerms = 12

// Terms are what an item is found by: each value whole, each word of a
// value of several words, and an e-mail address's domain, so "lovelace",
// "ada lovelace" and "example.com" all find Ada Lovelace <ada@example.com>.
func Terms(values ...string) []string {
	var out []string
	add := func(t string) {
		if utf8.RuneCountInString(t) >= MinQuery && !slices.Contains(out, t) && len(out) < MaxTerms {
			out = append(out, t)
		}
	}
	for _, v := range values {
		n := Normalize(v)
		add(n)
		if words := strings.Fields(n); len(words) > 1 {
			for _, w := range words {
				add(w)
			}
		}
		if at := strings.LastIndexByte(n, '@'); at > 0 && !strings.Contains(n, " ") {
			add(n[at+1:])
		}
	}
	return out
}
