package elasticflow

import (
	"errors"
	"testing"

	"github.com/ezscale/platform/shared/domain/bandwidth"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Whatever Elasticsearch (or something in its place) answers, decoding
// never panics, and what it accepts as traffic has an address, a time and
// a finite byte sum; everything else is an error the day stays open on.
func FuzzDecodeComposite(f *testing.F) {
	f.Add([]byte(`{"timed_out":false,"_shards":{"total":1,"failed":0},"aggregations":{"by":{"after_key":{"ip":"203.0.113.5","t":1796140800000},"buckets":[{"key":{"ip":"203.0.113.5","t":1796140800000},"doc_count":2,"bytes":{"value":1234}}]}}}`))
	f.Add([]byte(`{"timed_out":false,"_shards":{"total":2,"failed":1},"aggregations":{}}`))
	f.Add([]byte(`{"timed_out":false,"_shards":{"total":1,"failed":0},"aggregations":{"by":{"buckets":[{"key":{"ip":"x"},"bytes":{"value":1e400}}]}}}`))
	f.Add([]byte(`{"took":1,"timed_out":false,"_shards":{"total":1,`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var agg compositeAgg
		err := decode(data, "by", &agg)
		if err != nil {
			if !errors.Is(err, bandwidth.ErrBadData) && !apperr.Is(err, apperr.Unavailable) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		for _, b := range agg.Buckets {
			p, err := point(b.Key, b.Bytes)
			if err != nil {
				if !errors.Is(err, bandwidth.ErrBadData) {
					t.Fatalf("untyped error %v", err)
				}
				continue
			}
			if p.IP == "" { // negative sums are the meter's to refuse (check)
				t.Fatalf("accepted %+v", p)
			}
		}
	})
}
