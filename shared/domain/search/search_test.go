package search_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ezscale/platform/shared/domain/search"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// fakeIndex is prefix matching over a fixed list of terms.
type fakeIndex map[string]search.Hit

func (f fakeIndex) Find(_ context.Context, prefix string, limit int) ([]search.Hit, error) {
	if prefix == "boom" {
		return nil, errors.New("index unavailable")
	}
	var terms []string
	for t := range f {
		if strings.HasPrefix(t, prefix) {
			terms = append(terms, t)
		}
	}
	slices.Sort(terms)
	var out []search.Hit
	for _, t := range terms[:min(limit, len(terms))] {
		out = append(out, f[t])
	}
	return out, nil
}

func finder() *search.Finder {
	describe := func(kind search.Kind, known ...string) search.Resolver {
		return func(_ context.Context, id string) (search.Result, error) {
			if !slices.Contains(known, id) {
				return search.Result{}, apperr.New(apperr.NotFound, "%s not found", id)
			}
			return search.Result{Kind: kind, ID: id, Title: "the " + string(kind) + " " + id}, nil
		}
	}
	return &search.Finder{
		Index: fakeIndex{
			"ada lovelace": {Kind: search.Customer, ID: "usr_1"}, "lovelace": {Kind: search.Customer, ID: "usr_1"},
			"ada.example": {Kind: search.Service, ID: "svc_1"}, "adam": {Kind: search.Customer, ID: "usr_gone"},
			"ezs-2026-000001": {Kind: search.Invoice, ID: "inv_1"},
		},
		Resolve: map[search.Kind]search.Resolver{
			search.Customer: describe(search.Customer, "usr_1", "usr_2"), search.Service: describe(search.Service, "svc_1"),
			search.Invoice: describe(search.Invoice, "inv_1"), search.Order: describe(search.Order, "ord_1"),
		},
		IDPrefixes: map[string]search.Kind{"usr_": search.Customer, "ord_": search.Order},
	}
}

func TestSearch(t *testing.T) {
	all := []search.Kind{search.Customer, search.Service, search.Invoice, search.Order}
	for _, tc := range []struct {
		name, q string
		allowed []search.Kind
		limit   int
		want    string // ids, or the error code and field
	}{
		{"a name's beginning, each item once", "ada", all, 10, "[usr_1 svc_1]"},
		{"case and spacing do not matter", "  ADA   Lovelace ", all, 10, "[usr_1]"},
		{"kinds the caller may not read are left out", "ada", []search.Kind{search.Service}, 10, "[svc_1]"},
		{"a term outliving its item is dropped", "adam", all, 10, "[]"},
		{"a pasted id is looked up directly", "usr_2", all, 10, "[usr_2]"},
		{"an order id", "ord_1", all, 10, "[ord_1]"},
		{"an id that is not ours", "ord_nope", all, 10, "[]"},
		{"an invoice number", "EZS-2026", all, 10, "[inv_1]"},
		{"the limit holds", "ada", all, 1, "[usr_1]"},
		{"one letter is too short", "a", all, 10, "invalid q"},
		{"blank is too short", "   ", all, 10, "invalid q"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := finder().Search(context.Background(), tc.q, tc.allowed, tc.limit)
			if e, ok := errors.AsType[*apperr.Error](err); ok {
				for f := range e.Fields {
					if s := fmt.Sprintf("%s %s", e.Code, f); s != tc.want {
						t.Fatalf("error %s, want %s", s, tc.want)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range got {
				ids = append(ids, r.ID)
			}
			if s := fmt.Sprint(ids); s != tc.want {
				t.Fatalf("found %s, want %s", s, tc.want)
			}
		})
	}
	if _, err := finder().Search(context.Background(), "boom", all, 10); err == nil {
		t.Fatal("an index failure was not reported")
	}
}

func TestTerms(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"Ada@Example.com", "Ada  Lovelace", ""}, "ada@example.com|example.com|ada lovelace|ada|lovelace"},
		{[]string{"x", "web1.example"}, "web1.example"},
		{[]string{"a b c"}, "a b c"},
	} {
		if got := strings.Join(search.Terms(tc.in...), "|"); got != tc.want {
			t.Errorf("Terms(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func FuzzTerms(f *testing.F) {
	f.Add("Ada Lovelace", "ada@example.com")
	f.Fuzz(func(t *testing.T, a, b string) {
		terms := search.Terms(a, b)
		if len(terms) > search.MaxTerms {
			t.Fatalf("%d terms", len(terms))
		}
		for _, term := range terms {
			if term != search.Normalize(term) || len([]rune(term)) < search.MinQuery {
				t.Fatalf("term %q is not normalised or too short", term)
			}
		}
	})
}
