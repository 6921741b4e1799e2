package elasticflow_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/elastisim"
	"github.com/ezscale/platform/shared/adapters/elasticflow"
	"github.com/ezscale/platform/shared/domain/bandwidth"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/opensearch"
)

// flow is one flow record as ElastiFlow writes it (CODEX field names).
type flow struct {
	customer string
	out      bool
	at       time.Time
	bytes    int64
}

const mapping = `{"mappings":{"properties":{
  "@timestamp":{"type":"date","format":"epoch_millis"},
  "flow":{"properties":{
    "bytes":{"type":"long"},
    "src":{"properties":{"ip":{"properties":{"addr":{"type":"ip"}}}}},
    "dst":{"properties":{"ip":{"properties":{"addr":{"type":"ip"}}}}},
    "export":{"properties":{"ip":{"properties":{"addr":{"type":"ip"}}}}}}}}}}`

// The adapter's queries, answered by a real OpenSearch fed the same flows
// as the simulator, give the same per-address numbers: a differential
// check that the simulator implements the queries as the engine does.
func TestOpenSearchAnswersAsTheSimulator(t *testing.T) {
	base := opensearch.URL(t)
	// go-elasticsearch insists on the product header Elasticsearch sends;
	// OpenSearch speaks the same API without it.
	target, _ := url.Parse(base)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error { r.Header.Set("X-Elastic-Product", "Elasticsearch"); return nil }
	front := httptest.NewServer(proxy)
	defer front.Close()

	rng := rand.New(rand.NewPCG(7, 11))
	customers := []string{"203.0.113.5", "203.0.113.9", "198.51.100.20", "2001:db8::10", "203.0.113.77"}
	var flows []flow
	for i := 0; i < 3000; i++ {
		at := day.Add(time.Duration(rng.Int64N(int64(24 * time.Hour)))).Truncate(time.Millisecond)
		if at.Hour() == 13 { // a collector outage
			continue
		}
		flows = append(flows, flow{customers[rng.IntN(len(customers))], rng.IntN(3) > 0, at, 1 + rng.Int64N(5_000_000)})
	}
	sim := elastisim.New(clock.NewFake(day.Add(48*time.Hour)), "")
	sim.Idle = true
	var bulk bytes.Buffer
	for i, f := range flows {
		sim.Add(f.customer, f.out, f.at, f.bytes)
		src, dst := f.customer, fmt.Sprintf("192.0.2.%d", 100+i%50) // the far side is nobody's
		if !f.out {
			src, dst = dst, src
		}
		for _, exporter := range []string{elastisim.Edge, elastisim.Core} {
			fmt.Fprintf(&bulk, "{\"index\":{}}\n")
			doc, _ := json.Marshal(map[string]any{"@timestamp": f.at.UnixMilli(), "flow": map[string]any{"bytes": f.bytes,
				"src": map[string]any{"ip": map[string]any{"addr": src}}, "dst": map[string]any{"ip": map[string]any{"addr": dst}},
				"export": map[string]any{"ip": map[string]any{"addr": exporter}}}})
			bulk.Write(append(doc, '\n'))
		}
	}
	index := "elastiflow-flow-codex-2.5-2026.11.03"
	put(t, base+"/"+index, "application/json", []byte(mapping))
	put(t, base+"/"+index+"/_bulk?refresh=true", "application/x-ndjson", bulk.Bytes())

	simSrv := httptest.NewServer(sim)
	defer simSrv.Close()
	sources := map[string]*elasticflow.Source{}
	for name, u := range map[string]string{"opensearch": front.URL, "simulator": simSrv.URL} {
		src, err := elasticflow.New(elasticflow.Config{URL: u, Exporters: []string{elastisim.Edge}, PageSize: 13})
		if err != nil {
			t.Fatal(err)
		}
		sources[name] = src
	}
	ctx := context.Background()
	asked := append(slices.Clone(customers[:4]), "203.0.113.200") // one customer not asked; one address with no flows
	for _, q := range []bandwidth.Query{
		{From: day, To: day.Add(24 * time.Hour), IPs: asked, Dir: bandwidth.Out, Step: time.Hour},
		{From: day, To: day.Add(24 * time.Hour), IPs: asked, Dir: bandwidth.In, Step: time.Hour},
		{From: day.Add(6 * time.Hour), To: day.Add(9 * time.Hour), IPs: asked, Dir: bandwidth.Out, Step: bandwidth.Fine},
	} {
		got := map[string][]bandwidth.Point{}
		for name, src := range sources {
			pts, err := src.Totals(ctx, q)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			slices.SortFunc(pts, func(a, b bandwidth.Point) int {
				if c := a.At.Compare(b.At); c != 0 {
					return c
				}
				return cmp.Compare(a.IP, b.IP)
			})
			got[name] = pts
		}
		if len(got["opensearch"]) == 0 || !slices.Equal(got["opensearch"], got["simulator"]) {
			t.Fatalf("%s %s: opensearch %d points, simulator %d\nopensearch %v\nsimulator  %v", q.Dir, q.Step, len(got["opensearch"]), len(got["simulator"]), head(got["opensearch"]), head(got["simulator"]))
		}
	}
	covOS, err := sources["opensearch"].Coverage(ctx, day, day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	covSim, err := sources["simulator"].Coverage(ctx, day, day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for h := day; h.Before(day.Add(24 * time.Hour)); h = h.Add(time.Hour) {
		if covOS[h] != covSim[h] || (h.Hour() == 13) != (covOS[h] == 0) {
			t.Fatalf("records at %s: opensearch %d, simulator %d", h.Format(time.Kitchen), covOS[h], covSim[h])
		}
	}
}

func head(p []bandwidth.Point) []bandwidth.Point { return p[:min(len(p), 5)] }

func put(t *testing.T, u, ctype string, body []byte) {
	t.Helper()
	method := http.MethodPut
	if bytes.HasSuffix([]byte(u), []byte("refresh=true")) {
		method = http.MethodPost
	}
	req, _ := http.NewRequest(method, u, bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	if res.StatusCode >= 300 || out["errors"] == true {
		t.Fatalf("%s %s: %d %v", method, u, res.StatusCode, out)
	}
}
