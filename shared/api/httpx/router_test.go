package httpx_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ezscale/platform/shared/api/httpapi"
	"github.com/ezscale/platform/shared/api/httpx"
)

// extraRoutes are shapes the API does not have yet but the router must get
// right: a literal and a wildcard at the same place under one method, so a
// match has to back off from the literal.
var extraRoutes = []string{
	"GET /t/{a}/x", "GET /t/lit/y", "POST /t/lit/x", "DELETE /t/{a}/{b}", "PUT /t/{a}", "GET /t/lit",
}

var wildcard = regexp.MustCompile(`\{(\w+)\}`)

// seen is what a matched handler saw: the pattern and its path values.
func seen(r *http.Request, pattern string) string {
	var vals []string
	for _, m := range wildcard.FindAllStringSubmatch(pattern, -1) {
		vals = append(vals, m[1]+"="+r.PathValue(m[1]))
	}
	return r.Pattern + " " + strings.Join(vals, ",")
}

type routers struct{ mux, ours http.Handler }

func newRouters(t testing.TB) routers {
	mux := http.NewServeMux()
	ours := httpx.NewRouter(slog.New(slog.DiscardHandler))
	var patterns []string
	for _, r := range httpapi.Routes(httpapi.Deps{}) {
		patterns = append(patterns, r.Method+" "+r.Path)
	}
	for _, p := range append(patterns, extraRoutes...) {
		method, path, _ := strings.Cut(p, " ")
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, seen(r, p)) })
		ours.Handle(httpx.Route{Method: method, Path: path, Auth: httpx.Public, Handler: func(w http.ResponseWriter, r *http.Request) error {
			_, err := fmt.Fprint(w, seen(r, p))
			return err
		}})
	}
	return routers{mux, ours}
}

// request builds what net/http's server would hand a handler for
// method and target, or nil where the server would refuse the target.
func request(method, target string) *http.Request {
	u, err := url.ParseRequestURI(target)
	if err != nil || method == "" || strings.ContainsAny(method, " \t\r\n") {
		return nil
	}
	if method == http.MethodConnect && !strings.HasPrefix(target, "/") {
		u = &url.URL{Host: target}
	}
	return &http.Request{Method: method, URL: u, RequestURI: target, Host: "api.test", Header: http.Header{},
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
}

// agree serves the same request through ServeMux and the router: a match
// must reach the same pattern with the same path values; a miss must get
// the same status, Allow and Location.
func (rs routers) agree(t *testing.T, method, target string) {
	t.Helper()
	req := request(method, target)
	if req == nil {
		return
	}
	want, got := httptest.NewRecorder(), httptest.NewRecorder()
	rs.mux.ServeHTTP(want, req.Clone(req.Context()))
	rs.ours.ServeHTTP(got, req.Clone(req.Context()))
	if got.Code != want.Code || got.Header().Get("Allow") != want.Header().Get("Allow") ||
		got.Header().Get("Location") != want.Header().Get("Location") {
		t.Fatalf("%s %q: router %d allow %q location %q; ServeMux %d allow %q location %q", method, target,
			got.Code, got.Header().Get("Allow"), got.Header().Get("Location"), want.Code, want.Header().Get("Allow"), want.Header().Get("Location"))
	}
	if want.Code == http.StatusOK && got.Body.String() != want.Body.String() {
		t.Fatalf("%s %q: router matched %q, ServeMux %q", method, target, got.Body, want.Body)
	}
	if want.Code != http.StatusOK && !strings.HasPrefix(got.Header().Get("Content-Type"), "application/json") && got.Body.Len() > 0 {
		t.Fatalf("%s %q: a miss answered %q, not the JSON envelope", method, target, got.Body)
	}
}

var methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"}

func targets() []string {
	out := []string{"*", "/", "//", "/v1", "/v1/", "//v1/plans", "/v1/plans/", "/v1/./plans", "/v1/x/../plans?q=1",
		"/v1/plans?a=b&c", "/v1/me/passkeys/options", "/v1/me/services/a%2Fb/power", "/v1/me/services/%zz",
		"/v1/me/services/%7Bid%7D", "/v1/admin/plans/%2e%2e", "/t/lit", "/t/lit/x", "/t/lit/y", "/t/other/y",
		"/t/lit/", "/t/a/b/", "/t/a//b", "/T/lit", "/v1/me/tokens/x/y", "/v1/webhooks/stripe"}
	fill := []string{"x", "lit", "options", "a%2Fb", "%41", "%", ".", "é"}
	for _, r := range httpapi.Routes(httpapi.Deps{}) {
		for _, v := range fill {
			out = append(out, wildcard.ReplaceAllString(r.Path, v))
		}
	}
	return out
}

func TestRouterAgreesWithServeMux(t *testing.T) {
	rs := newRouters(t)
	for _, target := range targets() {
		for _, m := range methods {
			rs.agree(t, m, target)
		}
	}
}

func FuzzRouterAgreesWithServeMux(f *testing.F) {
	for _, target := range targets() {
		f.Add(uint8(0), target)
	}
	rs := newRouters(f)
	f.Fuzz(func(t *testing.T, m uint8, target string) {
		rs.agree(t, methods[int(m)%len(methods)], target)
	})
}

func TestRouterRefusesPatternsItCannotServe(t *testing.T) {
	for _, p := range []string{"GET /", "GET /a/", "GET a", "GET /a/{x...}", "GET /a/{$}", "GET /a/b{x}", "GET /a/{x}/{x}",
		"GET /a/%41", "GET /a//b", "GET /a/./b", " /a", "GET /a/{1x}"} {
		t.Run(p, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatalf("%s accepted", p)
				}
			}()
			method, path, _ := strings.Cut(p, " ")
			httpx.NewRouter(nil).Handle(httpx.Route{Method: method, Path: path})
		})
	}
}

func TestRouterRefusesAConflict(t *testing.T) {
	rt := httpx.NewRouter(nil)
	rt.Handle(httpx.Route{Method: "GET", Path: "/a/{x}/b"})
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "conflicts with GET /a/{x}/b") {
			t.Fatalf("recovered %v", r)
		}
	}()
	rt.Handle(httpx.Route{Method: "GET", Path: "/a/{y}/b"})
}
