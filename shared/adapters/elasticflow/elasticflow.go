// Package elasticflow reads traffic totals from ElastiFlow's flow records
// in Elasticsearch (CODEX schema) with go-elasticsearch: one composite
// aggregation per page over all customer addresses, per direction.
package elasticflow

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/elastic/go-elasticsearch/v8"

	"github.com/ezscale/platform/shared/domain/bandwidth"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Config says where the flows are and which exporters count.
type Config struct {
	URL      string
	Username string
	Password string
	// Index is the index pattern (ElastiFlow's default is
	// "elastiflow-flow-codex-*").
	Index string
	// Exporters are the observation points whose records count: every
	// customer path crosses exactly one of them, so a flow other devices
	// also exported is counted once.
	Exporters []string
	// PageSize is the composite page size; it must stay under the
	// cluster's search.max_buckets (65,536 by default).
	PageSize  int
	Timeout   time.Duration
	Transport http.RoundTripper
}

// DefaultPageSize keeps a page just under the default search.max_buckets
// (65,535 on OpenSearch, 65,536 on Elasticsearch): 10,000 addresses' day
// of hourly buckets is four pages a direction.
const DefaultPageSize = 60_000

// Source implements bandwidth.Source.
type Source struct {
	es       *elasticsearch.Client
	cfg      Config
	requests atomic.Int64
}

var _ bandwidth.Source = (*Source)(nil)

// New returns a source for cfg.
func New(cfg Config) (*Source, error) {
	if cfg.URL == "" {
		return nil, fmt.Errorf("elasticflow: no Elasticsearch URL")
	}
	if len(cfg.Exporters) == 0 {
		return nil, fmt.Errorf("elasticflow: no exporter (observation point) named")
	}
	if cfg.Index == "" {
		cfg.Index = "elastiflow-flow-codex-*"
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 60 * time.Second
	}
	es, err := elasticsearch.NewClient(elasticsearch.Config{Addresses: []string{cfg.URL}, Username: cfg.Username, Password: cfg.Password,
		Transport: cfg.Transport, MaxRetries: 3, RetryOnStatus: []int{429, 502, 503, 504}, DisableRetry: false})
	if err != nil {
		return nil, fmt.Errorf("elasticflow: %w", err)
	}
	return &Source{es: es, cfg: cfg}, nil
}

// Requests is how many searches this source made (for the bench).
func (s *Source) Requests() int64 { return s.requests.Load() }

func field(d bandwidth.Dir) string {
	if d == bandwidth.In {
		return "flow.dst.ip.addr"
	}
	return "flow.src.ip.addr"
}

func interval(step time.Duration) string {
	if step%time.Hour == 0 {
		return fmt.Sprintf("%dh", step/time.Hour)
	}
	return fmt.Sprintf("%dm", step/time.Minute)
}

func (s *Source) filter(from, to time.Time) []any {
	return []any{
		map[string]any{"range": map[string]any{"@timestamp": map[string]any{"gte": from.UnixMilli(), "lt": to.UnixMilli(), "format": "epoch_millis"}}},
		map[string]any{"terms": map[string]any{"flow.export.ip.addr": s.cfg.Exporters}},
	}
}

type searchResponse struct {
	TimedOut *bool `json:"timed_out"`
	Shards   *struct {
		Total  int `json:"total"`
		Failed int `json:"failed"`
	} `json:"_shards"`
	Aggregations map[string]json.RawMessage `json:"aggregations"`
}

type compositeAgg struct {
	AfterKey map[string]any `json:"after_key"`
	Buckets  []struct {
		Key   map[string]json.RawMessage `json:"key"`
		Bytes *struct {
			Value *float64 `json:"value"`
		} `json:"bytes"`
	} `json:"buckets"`
}

// Totals implements bandwidth.Source.
func (s *Source) Totals(ctx context.Context, q bandwidth.Query) ([]bandwidth.Point, error) {
	if len(q.IPs) == 0 {
		return nil, nil
	}
	f := field(q.Dir)
	var out []bandwidth.Point
	var after map[string]any
	for page := 0; ; page++ {
		comp := map[string]any{"size": s.cfg.PageSize, "sources": []any{
			map[string]any{"ip": map[string]any{"terms": map[string]any{"field": f}}},
			map[string]any{"t": map[string]any{"date_histogram": map[string]any{"field": "@timestamp", "fixed_interval": interval(q.Step)}}},
		}}
		if after != nil {
			comp["after"] = after
		}
		body := map[string]any{"size": 0, "track_total_hits": false,
			"query": map[string]any{"bool": map[string]any{"filter": append(s.filter(q.From, q.To), map[string]any{"terms": map[string]any{f: q.IPs}})}},
			"aggs":  map[string]any{"by": map[string]any{"composite": comp, "aggs": map[string]any{"bytes": map[string]any{"sum": map[string]any{"field": "flow.bytes"}}}}}}
		var agg compositeAgg
		if err := s.search(ctx, body, "by", &agg); err != nil {
			return nil, err
		}
		for _, b := range agg.Buckets {
			p, err := point(b.Key, b.Bytes)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
		// A short page is the last: no request for an empty one.
		if len(agg.Buckets) < s.cfg.PageSize || agg.AfterKey == nil {
			return out, nil
		}
		if fmt.Sprint(agg.AfterKey) == fmt.Sprint(after) {
			return nil, fmt.Errorf("%w: the composite aggregation did not move past %v", bandwidth.ErrBadData, after)
		}
		after = agg.AfterKey
	}
}

func point(key map[string]json.RawMessage, sum *struct {
	Value *float64 `json:"value"`
}) (bandwidth.Point, error) {
	var ip string
	var ms float64
	if json.Unmarshal(key["ip"], &ip) != nil || json.Unmarshal(key["t"], &ms) != nil || ip == "" {
		return bandwidth.Point{}, fmt.Errorf("%w: a bucket key %v without an address and a time", bandwidth.ErrBadData, key)
	}
	if sum == nil || sum.Value == nil || math.IsNaN(*sum.Value) || math.IsInf(*sum.Value, 0) || *sum.Value > math.MaxInt64/2 {
		return bandwidth.Point{}, fmt.Errorf("%w: a bucket of %s without a byte sum", bandwidth.ErrBadData, ip)
	}
	return bandwidth.Point{IP: ip, At: time.UnixMilli(int64(ms)).UTC(), Bytes: int64(math.Round(*sum.Value))}, nil
}

// Coverage implements bandwidth.Source: records per hour at the counted
// exporters, over all addresses.
func (s *Source) Coverage(ctx context.Context, from, to time.Time) (map[time.Time]int64, error) {
	body := map[string]any{"size": 0, "track_total_hits": false,
		"query": map[string]any{"bool": map[string]any{"filter": s.filter(from, to)}},
		"aggs":  map[string]any{"hours": map[string]any{"date_histogram": map[string]any{"field": "@timestamp", "fixed_interval": "1h"}}}}
	var agg struct {
		Buckets []struct {
			Key      *float64 `json:"key"`
			DocCount int64    `json:"doc_count"`
		} `json:"buckets"`
	}
	if err := s.search(ctx, body, "hours", &agg); err != nil {
		return nil, err
	}
	out := map[time.Time]int64{}
	for _, b := range agg.Buckets {
		if b.Key == nil {
			return nil, fmt.Errorf("%w: an hour bucket without a key", bandwidth.ErrBadData)
		}
		out[time.UnixMilli(int64(*b.Key)).UTC()] = b.DocCount
	}
	return out, nil
}

// search runs one search and decodes aggregation name into out; a
// timed-out or partial answer (failed shards) is an error, never data.
func (s *Source) search(ctx context.Context, body map[string]any, name string, out any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	s.requests.Add(1)
	res, err := s.es.Search(s.es.Search.WithContext(ctx), s.es.Search.WithIndex(s.cfg.Index), s.es.Search.WithBody(bytes.NewReader(raw)),
		s.es.Search.WithIgnoreUnavailable(true), s.es.Search.WithAllowPartialSearchResults(false))
	if err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "could not search the flow records: "+err.Error())
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 512<<20))
	if err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "could not read the flow records: "+err.Error())
	}
	if res.IsError() {
		return apperr.New(apperr.Unavailable, "Elasticsearch answered %s: %s", res.Status(), snippet(data))
	}
	return decode(data, name, out)
}

// decode reads aggregation name of a search response into out; a
// timed-out or partial answer is an error, never data.
func decode(data []byte, name string, out any) error {
	var r searchResponse
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("%w: the answer is not JSON: %s", bandwidth.ErrBadData, snippet(data))
	}
	switch {
	case r.TimedOut == nil || r.Shards == nil:
		return fmt.Errorf("%w: the answer is not a search response: %s", bandwidth.ErrBadData, snippet(data))
	case *r.TimedOut:
		return apperr.New(apperr.Unavailable, "the flow search timed out")
	case r.Shards.Failed > 0:
		return apperr.New(apperr.Unavailable, "%d of %d shards failed: the answer is partial", r.Shards.Failed, r.Shards.Total)
	}
	agg, ok := r.Aggregations[name]
	if !ok {
		return fmt.Errorf("%w: the answer has no %s aggregation", bandwidth.ErrBadData, name)
	}
	if err := json.Unmarshal(agg, out); err != nil {
		return fmt.Errorf("%w: the %s aggregation: %v", bandwidth.ErrBadData, name, err)
	}
	return nil
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
