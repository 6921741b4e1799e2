package elastisim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// request is the one search shape the adapter sends.
type request struct {
	from, to  time.Time
	exporters []string
	ipField   string // flow.src.ip.addr or flow.dst.ip.addr; "" for coverage
	ips       []string
	// composite, or a plain hourly histogram (coverage)
	composite bool
	aggName   string
	step      time.Duration
	size      int
	after     *afterKey
}

type afterKey struct {
	IP string
	T  int64
}

type refusal string

func (r refusal) Error() string { return string(r) }

func refuse(format string, a ...any) error { return refusal(fmt.Sprintf(format, a...)) }

func parse(body []byte) (*request, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, refuse("request body is not JSON: %v", err)
	}
	req := &request{}
	if q, ok := top["query"]; ok { // the aggregation is checked against the filters
		if err := req.parseQuery(q); err != nil {
			return nil, err
		}
	}
	for k, v := range top {
		switch k {
		case "size":
			if string(v) != "0" {
				return nil, refuse("elastisim returns no hits: size must be 0")
			}
		case "track_total_hits":
		case "query":
		case "aggs", "aggregations":
			if err := req.parseAggs(v); err != nil {
				return nil, err
			}
		default:
			return nil, refuse("unknown key [%s] in the search body", k)
		}
	}
	if req.from.IsZero() || req.to.IsZero() || req.aggName == "" {
		return nil, refuse("a search needs a @timestamp range and one aggregation")
	}
	return req, nil
}

func (req *request) parseQuery(raw json.RawMessage) error {
	var q struct {
		Bool *struct {
			Filter []map[string]map[string]json.RawMessage `json:"filter"`
		} `json:"bool"`
	}
	if err := json.Unmarshal(raw, &q); err != nil || q.Bool == nil {
		return refuse("only a bool query with filters is supported")
	}
	for _, f := range q.Bool.Filter {
		for kind, body := range f {
			switch kind {
			case "range":
				var r struct {
					Gte    *int64 `json:"gte"`
					Lt     *int64 `json:"lt"`
					Format string `json:"format"`
				}
				if len(body) != 1 || json.Unmarshal(body["@timestamp"], &r) != nil || r.Gte == nil || r.Lt == nil || r.Format != "epoch_millis" {
					return refuse("range: only @timestamp gte/lt in epoch_millis is supported")
				}
				req.from, req.to = time.UnixMilli(*r.Gte).UTC(), time.UnixMilli(*r.Lt).UTC()
			case "terms":
				for field, v := range body {
					var list []string
					if err := json.Unmarshal(v, &list); err != nil {
						return refuse("terms on [%s] must be a list of strings", field)
					}
					switch field {
					case "flow.export.ip.addr":
						req.exporters = list
					case "flow.src.ip.addr", "flow.dst.ip.addr":
						req.ipField, req.ips = field, list
					default:
						return refuse("terms on [%s] is not supported", field)
					}
				}
			default:
				return refuse("query [%s] is not supported", kind)
			}
		}
	}
	return nil
}

func (req *request) parseAggs(raw json.RawMessage) error {
	var aggs map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &aggs); err != nil || len(aggs) != 1 {
		return refuse("exactly one aggregation is supported")
	}
	for name, a := range aggs {
		req.aggName = name
		if h, ok := a["date_histogram"]; ok && len(a) == 1 {
			var d struct {
				Field    string `json:"field"`
				Interval string `json:"fixed_interval"`
			}
			if json.Unmarshal(h, &d) != nil || d.Field != "@timestamp" || d.Interval != "1h" {
				return refuse("date_histogram: only @timestamp with fixed_interval 1h is supported")
			}
			req.step = time.Hour
			return nil
		}
		c, ok := a["composite"]
		if !ok {
			return refuse("aggregation [%s]: only composite and date_histogram are supported", name)
		}
		req.composite = true
		var comp struct {
			Size    int                                     `json:"size"`
			Sources []map[string]map[string]json.RawMessage `json:"sources"`
			After   map[string]json.RawMessage              `json:"after"`
		}
		if err := json.Unmarshal(c, &comp); err != nil || comp.Size <= 0 || comp.Size > 65_536 || len(comp.Sources) != 2 {
			return refuse("composite: size 1-65536 and two sources (ip terms, @timestamp histogram) required")
		}
		req.size = comp.Size
		var terms struct{ Field string }
		var hist struct {
			Field    string `json:"field"`
			Interval string `json:"fixed_interval"`
		}
		if json.Unmarshal(comp.Sources[0]["ip"]["terms"], &terms) != nil || terms.Field != req.ipField || terms.Field == "" {
			return refuse("composite: the first source must be terms on the filtered address field")
		}
		if json.Unmarshal(comp.Sources[1]["t"]["date_histogram"], &hist) != nil || hist.Field != "@timestamp" {
			return refuse("composite: the second source must be a date_histogram on @timestamp")
		}
		step, err := time.ParseDuration(hist.Interval)
		if err != nil || step < slot || step%slot != 0 {
			return refuse("composite: fixed_interval [%s] must be a multiple of 5m", hist.Interval)
		}
		req.step = step
		if comp.After != nil {
			var k afterKey
			if json.Unmarshal(comp.After["ip"], &k.IP) != nil || json.Unmarshal(comp.After["t"], &k.T) != nil {
				return refuse("composite: after must carry ip and t")
			}
			req.after = &k
		}
		var sub map[string]map[string]map[string]string
		if json.Unmarshal(a["aggs"], &sub) != nil || sub["bytes"]["sum"]["field"] != "flow.bytes" || len(sub) != 1 {
			return refuse("composite: the only sub-aggregation supported is bytes: sum of flow.bytes")
		}
	}
	return nil
}

func (s *Sim) search(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	s.requests.Add(1)
	s.lastQuery.Store(string(body))
	s.mu.Lock()
	stall := s.stall
	var fail int
	var odd string
	if len(s.failNext) > 0 {
		fail, s.failNext = s.failNext[0], s.failNext[1:]
	} else if len(s.oddNext) > 0 {
		odd, s.oddNext = s.oddNext[0], s.oddNext[1:]
	}
	s.mu.Unlock()
	if stall > 0 {
		select {
		case <-time.After(stall):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case fail != 0:
		esError(w, fail, "simulated_failure", http.StatusText(fail))
		return
	case odd == "malformed":
		_, _ = io.WriteString(w, `{"took":1,"timed_out":false,"_shards":{"total":1,`)
		return
	case odd == "lost":
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				_ = c.Close()
				return
			}
		}
	}
	req, err := parse(body)
	if err != nil {
		esError(w, http.StatusBadRequest, "parsing_exception", err.Error())
		return
	}
	agg := s.evaluate(req)
	shards := map[string]any{"total": 1, "successful": 1, "skipped": 0, "failed": 0}
	if odd == "partial" {
		shards = map[string]any{"total": 2, "successful": 1, "skipped": 0, "failed": 1}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"took": 3, "timed_out": odd == "timed_out", "_shards": shards,
		"hits":         map[string]any{"total": map[string]any{"value": 0, "relation": "gte"}, "max_score": nil, "hits": []any{}},
		"aggregations": map[string]any{req.aggName: agg}})
}

// evaluate computes the aggregation over the records the query matches.
func (s *Sim) evaluate(req *request) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clk.Now()
	live := map[string]bool{}
	for _, a := range s.Addrs() {
		live[a] = true
	}
	copies := int64(0) // each flow is exported by both routers
	for _, e := range []string{Edge, Core} {
		if req.exporters == nil || slices.Contains(req.exporters, e) {
			copies++
		}
	}
	if !req.composite {
		var buckets []any
		for h := req.from.Truncate(time.Hour); h.Before(req.to); h = h.Add(time.Hour) {
			var docs int64
			for ip := range s.addresses(live) {
				for t := h; t.Before(h.Add(time.Hour)); t = t.Add(slot) {
					if t.Before(req.from) || !t.Before(req.to) {
						continue
					}
					for _, out := range []bool{true, false} {
						_, records := s.bytesAt(live, ip, out, t, now)
						docs += records * copies
					}
				}
			}
			buckets = append(buckets, map[string]any{"key_as_string": h.Format(time.RFC3339), "key": h.UnixMilli(), "doc_count": docs})
		}
		return map[string]any{"buckets": buckets}
	}
	out := req.ipField == "flow.src.ip.addr"
	ips := slices.Clone(req.ips)
	slices.Sort(ips)
	ips = slices.Compact(ips)
	type bucket struct {
		ip    string
		t     int64
		bytes int64
	}
	var all []bucket
	for _, ip := range ips {
		for b := req.from.Truncate(req.step); b.Before(req.to); b = b.Add(req.step) {
			var sum int64
			any := false
			for t := b; t.Before(b.Add(req.step)); t = t.Add(slot) {
				if t.Before(req.from) || !t.Before(req.to) {
					continue
				}
				if n, records := s.bytesAt(live, ip, out, t, now); records > 0 {
					sum, any = sum+n*copies, true
				}
			}
			if any && copies > 0 {
				all = append(all, bucket{ip, b.UnixMilli(), sum})
			}
		}
	}
	start := 0
	if req.after != nil {
		start = len(all)
		for i, b := range all {
			if b.ip > req.after.IP || (b.ip == req.after.IP && b.t > req.after.T) {
				start = i
				break
			}
		}
	}
	page := all[start:min(len(all), start+req.size)]
	buckets := make([]any, 0, len(page))
	for _, b := range page {
		buckets = append(buckets, map[string]any{"key": map[string]any{"ip": b.ip, "t": b.t}, "doc_count": 1, "bytes": map[string]any{"value": float64(b.bytes)}})
	}
	res := map[string]any{"buckets": buckets}
	if len(page) > 0 {
		last := page[len(page)-1]
		res["after_key"] = map[string]any{"ip": last.ip, "t": last.t}
	}
	return res
}

// addresses are those with any records: generated or injected.
func (s *Sim) addresses(live map[string]bool) map[string]bool {
	out := map[string]bool{}
	if !s.Idle {
		for a := range live {
			out[a] = true
		}
	}
	for k := range s.state.Extra {
		ip, _, _ := strings.Cut(k, "|")
		out[ip] = true
	}
	return out
}
