package elasticflow_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/elastisim"
	"github.com/ezscale/platform/shared/adapters/elasticflow"
	"github.com/ezscale/platform/shared/domain/bandwidth"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
)

var day = time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)

func setup(t *testing.T, page int) (*elastisim.Sim, *elasticflow.Source) {
	t.Helper()
	sim := elastisim.New(clock.NewFake(day.Add(48*time.Hour)), "")
	sim.Idle = true
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	src, err := elasticflow.New(elasticflow.Config{URL: srv.URL, Exporters: []string{elastisim.Edge}, PageSize: page, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return sim, src
}

// Every flow is exported by two routers; counting one observation point
// gives each byte once, and composite pages are followed to the end.
func TestTotalsCountOneExporterAndFollowPages(t *testing.T) {
	sim, src := setup(t, 7)
	var ips []string
	for i := range 10 {
		ip := fmt.Sprintf("203.0.113.%d", i+1)
		ips = append(ips, ip)
		for h := range 3 {
			sim.Add(ip, true, day.Add(time.Duration(h)*time.Hour+10*time.Minute), int64(1000*(i+1)))
		}
		sim.Add(ip, false, day.Add(time.Hour), 5)
	}
	sim.Add("198.51.100.1", true, day.Add(time.Hour), 1<<40) // nobody's: not asked for
	pts, err := src.Totals(context.Background(), bandwidth.Query{From: day, To: day.Add(24 * time.Hour), IPs: ips, Dir: bandwidth.Out, Step: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 30 || sim.Requests() < 5 {
		t.Fatalf("%d points in %d requests", len(pts), sim.Requests())
	}
	for _, p := range pts {
		if p.IP == "203.0.113.1" && p.Bytes != 1000 {
			t.Fatalf("%s counted %d bytes, want 1000 (one exporter)", p.IP, p.Bytes)
		}
	}
	if !strings.Contains(sim.LastQuery(), `"flow.export.ip.addr":["192.0.2.1"]`) {
		t.Fatalf("query does not pin the exporter: %s", sim.LastQuery())
	}
}

// Coverage shows hours without records as missing.
func TestCoverageShowsQuietHours(t *testing.T) {
	sim, src := setup(t, 100)
	for h := range 24 {
		sim.Add("203.0.113.1", true, day.Add(time.Duration(h)*time.Hour), 10)
	}
	sim.SetQuiet(day.Add(5*time.Hour), true)
	cov, err := src.Coverage(context.Background(), day, day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if cov[day.Add(5*time.Hour)] != 0 || cov[day.Add(4*time.Hour)] == 0 {
		t.Fatalf("coverage %v", cov)
	}
}

// Every failure is an error, never numbers: retried statuses recover,
// the rest surface typed so the day stays open.
func TestFailuresAreErrorsNotData(t *testing.T) {
	q := bandwidth.Query{From: day, To: day.Add(time.Hour), IPs: []string{"203.0.113.1"}, Dir: bandwidth.In, Step: time.Hour}
	for _, tc := range []struct {
		name    string
		arrange func(*elastisim.Sim)
		bad     bool // ErrBadData rather than unavailable
		ok      bool
	}{
		{"503 then fine", func(s *elastisim.Sim) { s.FailNext(503) }, false, true},
		{"429 then fine", func(s *elastisim.Sim) { s.FailNext(429) }, false, true},
		{"500", func(s *elastisim.Sim) { s.FailNext(500) }, false, false},
		{"always 503", func(s *elastisim.Sim) { s.FailNext(503, 503, 503, 503, 503) }, false, false},
		{"malformed", func(s *elastisim.Sim) { s.OddNext("malformed") }, true, false},
		{"partial", func(s *elastisim.Sim) { s.OddNext("partial") }, false, false},
		{"timed out", func(s *elastisim.Sim) { s.OddNext("timed_out") }, false, false},
		{"lost reply", func(s *elastisim.Sim) { s.OddNext("lost", "lost", "lost", "lost", "lost") }, false, false},
		{"stalls", func(s *elastisim.Sim) { s.Stall(5 * time.Second) }, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, src := setup(t, 100)
			sim.Add("203.0.113.1", false, day, 42)
			tc.arrange(sim)
			pts, err := src.Totals(context.Background(), q)
			switch {
			case tc.ok:
				if err != nil || len(pts) != 1 || pts[0].Bytes != 42 {
					t.Fatalf("%v %v", pts, err)
				}
			case err == nil:
				t.Fatalf("no error, points %v", pts)
			case tc.bad != errors.Is(err, bandwidth.ErrBadData):
				t.Fatalf("bad data %v: %v", tc.bad, err)
			case !tc.bad && !apperr.Is(err, apperr.Unavailable) && !errors.Is(err, context.DeadlineExceeded):
				t.Fatalf("not unavailable: %v", err)
			}
		})
	}
}

// The simulator refuses queries the adapter never makes, the way
// Elasticsearch refuses a malformed one.
func TestSimulatorRefusesOtherQueries(t *testing.T) {
	sim := elastisim.New(clock.NewFake(day), "")
	srv := httptest.NewServer(sim)
	defer srv.Close()
	for _, body := range []string{
		`{"query":{"match_all":{}}}`,
		`{"size":10,"query":{"bool":{"filter":[]}}}`,
		`{"size":0,"query":{"bool":{"filter":[{"range":{"@timestamp":{"gte":0,"lt":1,"format":"epoch_millis"}}}]}},"aggs":{"x":{"percentiles":{"field":"flow.bytes"}}}}`,
	} {
		res, err := srv.Client().Post(srv.URL+"/elastiflow-flow-codex-*/_search", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 400 || res.Header.Get("X-Elastic-Product") != "Elasticsearch" {
			t.Fatalf("%s: %d", body, res.StatusCode)
		}
	}
}
