// Package elastisim serves ElastiFlow-shaped flow records the way
// Elasticsearch answers searches over them, for make dev and tests. It
// generates traffic for every address it is given, following the clock,
// exported twice (an edge and a core router, so double counting shows),
// and implements exactly the queries the elasticflow adapter makes —
// range, terms, composite with after, sum, date histogram — refusing
// anything else as Elasticsearch refuses a malformed query.
package elastisim

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ezscale/platform/shared/platform/clock"
)

// The two exporters every flow is recorded by.
const (
	Edge = "192.0.2.1"
	Core = "192.0.2.2"
)

const slot = 5 * time.Minute

// Sim is the simulated cluster.
type Sim struct {
	clk clock.Clock
	// Addrs lists the addresses that generate traffic (the local stack
	// gives the services' current addresses).
	Addrs func() []string
	// Idle turns off generated traffic (tests feed exact flows instead).
	Idle bool
	path string

	mu    sync.Mutex
	state state
	// injected are the addresses with Extra entries (most have none).
	injected map[string]bool
	// Failure knobs for adapter tests: the next responses answer these
	// HTTP statuses, or malformed or partial bodies, or stall.
	failNext  []int
	oddNext   []string
	stall     time.Duration
	requests  atomic.Int64
	lastQuery atomic.Value
}

type state struct {
	// Extra are injected bytes per "ip|dir|slot unix" (dir: in or out).
	Extra map[string]int64 `json:"extra"`
	// Records counts the flow records behind each Extra entry.
	Records map[string]int64 `json:"records"`
	// Quiet are hours (unix) the collector recorded nothing.
	Quiet map[int64]bool `json:"quiet"`
}

// New returns a simulator; with a data dir its injected flows survive
// restarts (the generated ones follow from the clock).
func New(clk clock.Clock, dataDir string) *Sim {
	s := &Sim{clk: clk, Addrs: func() []string { return nil }, state: state{Extra: map[string]int64{}, Records: map[string]int64{}, Quiet: map[int64]bool{}}}
	if dataDir != "" {
		s.path = filepath.Join(dataDir, "elastisim.json")
		if b, err := os.ReadFile(s.path); err == nil {
			_ = json.Unmarshal(b, &s.state)
		}
		if s.state.Extra == nil {
			s.state.Extra = map[string]int64{}
		}
		if s.state.Records == nil {
			s.state.Records = map[string]int64{}
		}
		if s.state.Quiet == nil {
			s.state.Quiet = map[int64]bool{}
		}
	}
	s.injected = map[string]bool{}
	for k := range s.state.Extra {
		ip, _, _ := strings.Cut(k, "|")
		s.injected[ip] = true
	}
	return s
}

func (s *Sim) save() {
	if s.path == "" {
		return
	}
	b, _ := json.Marshal(s.state)
	tmp := s.path + ".tmp"
	if os.WriteFile(tmp, b, 0o600) == nil {
		_ = os.Rename(tmp, s.path)
	}
}

// Add records bytes moved by ip (out: as the source) at t, exported by
// both routers.
func (s *Sim) Add(ip string, out bool, at time.Time, bytes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key(ip, out, at.Truncate(slot))
	s.injected[ip] = true
	s.state.Extra[k] += bytes
	s.state.Records[k]++
	s.save()
}

// SetQuiet makes the collector record nothing in the hour of t.
func (s *Sim) SetQuiet(t time.Time, quiet bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if quiet {
		s.state.Quiet[t.Truncate(time.Hour).Unix()] = true
	} else {
		delete(s.state.Quiet, t.Truncate(time.Hour).Unix())
	}
	s.save()
}

// FailNext makes the next searches answer these HTTP statuses.
func (s *Sim) FailNext(status ...int) {
	s.mu.Lock()
	s.failNext = append(s.failNext, status...)
	s.mu.Unlock()
}

// OddNext makes the next searches answer "malformed", "partial" (a
// failed shard), "timed_out" or "lost" (the connection drops).
func (s *Sim) OddNext(kind ...string) {
	s.mu.Lock()
	s.oddNext = append(s.oddNext, kind...)
	s.mu.Unlock()
}

// Stall delays every answer by d.
func (s *Sim) Stall(d time.Duration) { s.mu.Lock(); s.stall = d; s.mu.Unlock() }

// Requests is the number of searches answered.
func (s *Sim) Requests() int64 { return s.requests.Load() }

// LastQuery is the body of the last search.
func (s *Sim) LastQuery() string { v, _ := s.lastQuery.Load().(string); return v }

func key(ip string, out bool, t time.Time) string {
	d := "in"
	if out {
		d = "out"
	}
	return fmt.Sprintf("%s|%s|%d", ip, d, t.Unix())
}

// generated is the traffic an address moves in one slot: a steady rate
// of its own (20 kB/s to 2 MB/s) shaped by the hour of day.
func generated(ip string, out bool, t time.Time) int64 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(ip))
	base := 20_000 + float64(h.Sum32()%2_000_000)
	if !out {
		base /= 3
	}
	hour := float64(t.Hour()) + float64(t.Minute())/60
	shape := 1 + 0.6*math.Sin((hour-9)/24*2*math.Pi)
	return int64(base * shape * slot.Seconds())
}

// bytesAt is what ip moved in the slot at t as seen by one exporter, and
// how many flow records carry it (generated traffic is one a slot).
func (s *Sim) bytesAt(live map[string]bool, ip string, out bool, t time.Time, now time.Time) (int64, int64) {
	if s.state.Quiet[t.Truncate(time.Hour).Unix()] || !t.Before(now) {
		return 0, 0
	}
	var n, records int64
	if s.injected[ip] {
		k := key(ip, out, t)
		n, records = s.state.Extra[k], s.state.Records[k]
	}
	if !s.Idle && live[ip] {
		n, records = n+generated(ip, out, t), records+1
	}
	return n, records
}

// ServeHTTP answers the Elasticsearch API subset ElastiFlow's readers
// use: the root (product check) and _search on the flow indices.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	w.Header().Set("Content-Type", "application/json")
	path := strings.Trim(r.URL.Path, "/")
	if path == "" {
		_ = json.NewEncoder(w).Encode(map[string]any{"name": "elastisim", "cluster_name": "ezscale-local", "version": map[string]any{"number": "8.19.0"}, "tagline": "You Know, for Search"})
		return
	}
	index, op, _ := strings.Cut(path, "/")
	if op != "_search" || (r.Method != http.MethodPost && r.Method != http.MethodGet) {
		esError(w, http.StatusBadRequest, "illegal_argument_exception", "elastisim serves only _search on the flow indices")
		return
	}
	if !strings.HasPrefix(index, "elastiflow-flow-codex-") {
		esError(w, http.StatusNotFound, "index_not_found_exception", "no such index ["+index+"]")
		return
	}
	s.search(w, r)
}

func esError(w http.ResponseWriter, status int, typ, reason string) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"type": typ, "reason": reason, "root_cause": []any{map[string]any{"type": typ, "reason": reason}}}, "status": status})
}
