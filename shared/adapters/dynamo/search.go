package dynamo

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ezscale/platform/shared/domain/search"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Search is the staff search index: one item per term an entity is found
// by, written in the same transaction as the entity, so a renamed customer
// is found by the new name at once and no longer by the old one.
//
//	term  PK=FIND#<first letter of term>  SK=<term>|<kind>#<id>
//
// A query reads one partition with begins_with, so typing "lov" finds
// "lovelace"; partitions by first letter spread the writes.
type Search struct{ t *Table }

var _ search.Index = (*Search)(nil)

// NewSearch returns the search index on t.
func NewSearch(t *Table) *Search { return &Search{t: t} }

type termRecord struct {
	Item
	Term string `dynamodbav:"term"`
	Kind string `dynamodbav:"kind"`
	Of   string `dynamodbav:"of"`
}

func termKey(kind search.Kind, id, term string) Key {
	r, _ := utf8.DecodeRuneInString(term)
	return Key{PK: "FIND#" + string(r), SK: term + "|" + string(kind) + "#" + id}
}

// termOps moves an entity's index entries from the terms it had to the
// ones it has: stale entries are deleted, new ones written, unchanged ones
// left alone. Deletes are unconditional: an entity written before the
// index existed has none to delete.
func termOps(kind search.Kind, id string, had, has []string) []Op {
	var ops []Op
	for _, t := range had {
		if !slices.Contains(has, t) {
			ops = append(ops, forget(termKey(kind, id, t)))
		}
	}
	for _, t := range has {
		if !slices.Contains(had, t) {
			k := termKey(kind, id, t)
			ops = append(ops, Put(&termRecord{Item: Item{PK: k.PK, SK: k.SK, Type: "search_term", Version: 1}, Term: t, Kind: string(kind), Of: id}))
		}
	}
	return ops
}

// Find implements search.Index.
func (s *Search) Find(ctx context.Context, prefix string, limit int) ([]search.Hit, error) {
	r, _ := utf8.DecodeRuneInString(prefix)
	recs, err := QueryAll[termRecord](ctx, s.t, Query{PK: "FIND#" + string(r), SKPrefix: prefix, Limit: int32(limit)}, limit)
	if err != nil {
		return nil, err
	}
	out := make([]search.Hit, 0, len(recs))
	for _, r := range recs {
		// "ada" and "ada lovelace" both start with "ad"
		if h := (search.Hit{Kind: search.Kind(r.Kind), ID: r.Of}); !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out, nil
}

// searchTermsVersion names the terms Backfill writes; bump it when what
// entities are found by changes, so the next Backfill indexes them again.
const searchTermsVersion = "1"

// Backfill indexes every customer, service and invoice once per version of
// the terms: items written before the index existed (or before their
// terms changed) are added to it. It returns how many items it indexed.
// A run cut short is repeated whole, which only rewrites the same entries.
func (s *Search) Backfill(ctx context.Context) (int, error) {
	done := Key{PK: "SEARCHINDEX", SK: "v" + searchTermsVersion}
	var marker Item
	if err := s.t.Get(ctx, done, &marker); err == nil {
		return 0, nil
	} else if !apperr.Is(err, apperr.NotFound) {
		return 0, err
	}
	n := 0
	index := func(kind search.Kind, id string, terms []string) error {
		n++
		if ops := termOps(kind, id, nil, terms); len(ops) > 0 {
			return s.t.Transact(ctx, ops...)
		}
		return nil
	}
	users, err := QueryAll[userRecord](ctx, s.t, Query{Index: GSI2, PK: "USERS"}, 0)
	if err != nil {
		return n, err
	}
	for _, r := range users {
		if err := index(search.Customer, r.ID, customerTerms(r.user())); err != nil {
			return n, err
		}
	}
	services, err := QueryAll[serviceRecord](ctx, s.t, Query{Index: GSI2, PK: "SERVICES"}, 0)
	if err != nil {
		return n, err
	}
	for _, r := range services {
		if err := index(search.Service, r.ID, hostTerms(r.service())); err != nil {
			return n, err
		}
	}
	invoices, err := QueryAll[invoiceRecord](ctx, s.t, Query{Index: GSI2, PK: "INVOICES"}, 0)
	if err != nil {
		return n, err
	}
	for _, r := range invoices {
		if err := index(search.Invoice, r.ID, invoiceTerms(r.Number)); err != nil {
			return n, err
		}
	}
	return n, s.t.Write(ctx, Put(&Item{PK: done.PK, SK: done.SK, Type: "search_index", Version: 1}))
}

func serviceTerms(hostname string, ips, addresses []string) []string {
	vals := append([]string{hostname}, ips...)
	for _, a := range addresses {
		if i := strings.LastIndexByte(a, ':'); i > 0 {
			a = a[:i]
		}
		vals = append(vals, strings.Trim(a, "[]")) // [2001:db8::1]:25565

	}
	return search.Terms(vals...)
}

func invoiceTerms(number string) []string { return search.Terms(number) }
