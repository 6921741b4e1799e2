package httpx

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	pathpkg "path"
	"slices"
	"strings"

	"github.com/ezscale/platform/shared/platform/apperr"
)

var tooLarge = apperr.New(apperr.PayloadTooLarge, "the request body is too large")

// Auth names who may call a route. Every route declares one; tests walk
// the route table to make sure none is forgotten.
type Auth string

// Auth rules.
const (
	Public  Auth = "public"  // anyone
	Pending Auth = "pending" // a session whose password passed, awaiting its second factor
	User    Auth = "user"    // any signed-in user
	Staff   Auth = "staff"   // staff with Permission and a passed second factor
)

// Route is one API operation.
type Route struct {
	Method     string
	Path       string // ServeMux pattern path, e.g. /v1/admin/plans/{id}
	Function   string // the Lambda function serving it
	Auth       Auth
	Permission string // required for Staff routes
	// Scope, on a User route, lets personal API tokens with that scope call it.
	Scope string
	// Sensitive routes (credentials, second factors, tokens) refuse sessions
	// in which staff impersonate the user.
	Sensitive bool
	// MaxBody raises the body limit for this route (ticket attachments
	// arrive base64 in JSON); 0 keeps the server's.
	MaxBody int64
	Handler HandlerFunc
}

// HandlerFunc is an API handler that returns errors instead of writing
// them; the router renders them as the error envelope.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Router dispatches routes by method and path with the same matching
// rules as http.ServeMux for the patterns the API uses (literal segments
// and {name} wildcards), answers unknown paths and wrong methods with the
// JSON error envelope, and remembers its routes.
//
// It is not a ServeMux because a ServeMux checks every new pattern against
// the ones before it and records its caller's file and line: for the
// accounts function's 50-odd routes that was 0.25 ms of every cold start,
// spent proving again what a test proves once: TestRouterAgreesWithServeMux
// registers the whole route table on a ServeMux (which panics on overlaps
// this router would only shadow) and holds every answer of this router,
// hit or miss, to ServeMux's.
type Router struct {
	log     *slog.Logger
	routes  []Route
	methods map[string]*node // one path tree per method
	shapes  map[string]string
}

// node is one path segment: literal children first, then the wildcard.
type node struct {
	literal map[string]*node
	wild    *node
	leaf    *leaf
}

type leaf struct {
	pattern string   // "GET /v1/me/services/{id}", as ServeMux sets r.Pattern
	names   []string // wildcard names, in path order
	handler http.Handler
	maxBody int64
}

// NewRouter returns an empty router.
func NewRouter(log *slog.Logger) *Router {
	return &Router{log: log, methods: map[string]*node{}, shapes: map[string]string{}}
}

// Handle registers routes. Auth wrappers are applied by the caller before
// registration; the router only records the declared rule. A pattern
// outside the supported form, or one that another already matches in
// full, panics, as ServeMux does.
func (rt *Router) Handle(routes ...Route) {
	for _, r := range routes {
		names, shape := parsePath(r.Method, r.Path)
		if prev, dup := rt.shapes[r.Method+" "+shape]; dup {
			panic(fmt.Sprintf("httpx: %s %s conflicts with %s", r.Method, r.Path, prev))
		}
		rt.shapes[r.Method+" "+shape] = r.Method + " " + r.Path
		n := rt.methods[r.Method]
		if n == nil {
			n = &node{}
			rt.methods[r.Method] = n
		}
		for _, seg := range strings.Split(r.Path[1:], "/") {
			n = n.child(seg)
		}
		h := r.Handler
		n.leaf = &leaf{pattern: r.Method + " " + r.Path, names: names, maxBody: r.MaxBody, handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if err := h(w, req); err != nil {
				Error(w, req, rt.log, err)
			}
		})}
		rt.routes = append(rt.routes, r)
	}
}

// parsePath checks a pattern path and returns its wildcard names and its
// shape (wildcards as {}), which two patterns share exactly when they
// match the same paths.
func parsePath(method, p string) (names []string, shape string) {
	bad := func(why string) { panic(fmt.Sprintf("httpx: pattern %s %s: %s", method, p, why)) }
	if method == "" || strings.ContainsAny(method, " /") {
		bad("needs a method")
	}
	if !strings.HasPrefix(p, "/") || p == "/" || strings.HasSuffix(p, "/") || strings.ContainsAny(p, "%?#") {
		bad("must be an absolute path without a trailing slash, escapes, query or fragment")
	}
	segs := strings.Split(p[1:], "/")
	for i, seg := range segs {
		switch {
		case seg == "" || seg == "." || seg == "..":
			bad("empty or dot segment")
		case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}"):
			name := seg[1 : len(seg)-1]
			if !isName(name) || slices.Contains(names, name) {
				bad("wildcards are {name}, each name once (no {$} or {name...})")
			}
			names = append(names, name)
			segs[i] = "{}"
		case strings.ContainsAny(seg, "{}"):
			bad("a wildcard must be a whole segment")
		}
	}
	return names, "/" + strings.Join(segs, "/")
}

// isName reports whether s is an ASCII Go identifier (ServeMux also takes
// Unicode ones; the API's names are ASCII).
func isName(s string) bool {
	for i, c := range s {
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return s != ""
}

func (n *node) child(seg string) *node {
	if strings.HasPrefix(seg, "{") {
		if n.wild == nil {
			n.wild = &node{}
		}
		return n.wild
	}
	if n.literal == nil {
		n.literal = map[string]*node{}
	}
	c := n.literal[seg]
	if c == nil {
		c = &node{}
		n.literal[seg] = c
	}
	return c
}

// match follows ServeMux's matchPath: a literal beats the wildcard, with
// backtracking; a wildcard takes one non-empty segment, unescaped.
func (n *node) match(path string, values []string) (*leaf, []string) {
	if n == nil {
		return nil, nil
	}
	if path == "" {
		return n.leaf, values
	}
	seg, rest := firstSegment(path)
	if l, v := n.literal[seg].match(rest, values); l != nil {
		return l, v
	}
	if seg != "/" {
		return n.wild.match(rest, append(values, seg))
	}
	return nil, nil
}

// firstSegment is ServeMux's: the segment after the leading byte,
// unescaped (an invalid escape stays as it is), and the rest.
func firstSegment(path string) (seg, rest string) {
	if path == "/" {
		return "/", ""
	}
	path = path[1:]
	i := strings.IndexByte(path, '/')
	if i < 0 {
		i = len(path)
	}
	seg = path[:i]
	if u, err := url.PathUnescape(seg); err == nil {
		seg = u
	}
	return seg, path[i:]
}

func (rt *Router) find(method, path string) (*leaf, []string) {
	if l, v := rt.methods[method].match(path, nil); l != nil {
		return l, v
	}
	if method == http.MethodHead {
		return rt.methods[http.MethodGet].match(path, nil)
	}
	return nil, nil
}

// Routes returns the registered routes in registration order.
func (rt *Router) Routes() []Route { return append([]Route(nil), rt.routes...) }

// ServeHTTP dispatches to the matching route, setting r.Pattern and the
// path values. As with ServeMux, a path that is not clean is redirected to
// its clean form (307), and a path that matches only under other methods
// is answered 405 with Allow; both, and unknown paths, in the JSON
// envelope where there is a body.
// MaxBody is the body limit the route r goes to declares (0: none).
func (rt *Router) MaxBody(r *http.Request) int64 {
	if l, _ := rt.find(r.Method, cleanPath(r.URL.EscapedPath())); l != nil {
		return l.maxBody
	}
	return 0
}

func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.RequestURI == "*" { // "OPTIONS *" asks about the server, not a route
		if r.ProtoAtLeast(1, 1) {
			w.Header().Set("Connection", "close")
		}
		Error(w, r, rt.log, apperr.New(apperr.Invalid, "the request target * is not served here"))
		return
	}
	path := r.URL.EscapedPath()
	clean := path
	if r.Method != http.MethodConnect {
		clean = cleanPath(path)
	}
	l, values := rt.find(r.Method, clean)
	if clean != path {
		u := &url.URL{Path: clean, RawQuery: r.URL.RawQuery}
		probe := &probeWriter{header: http.Header{}}
		http.Redirect(probe, r, u.String(), http.StatusTemporaryRedirect)
		w.Header().Set("Location", probe.header.Get("Location"))
		w.WriteHeader(http.StatusTemporaryRedirect)
		return
	}
	if l != nil {
		r.Pattern = l.pattern
		for i, name := range l.names {
			r.SetPathValue(name, values[i])
		}
		l.handler.ServeHTTP(w, r)
		return
	}
	if allow := rt.allowed(clean); len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		JSON(w, http.StatusMethodNotAllowed, ErrorBody{Error: ErrorDetail{Code: "method_not_allowed", Message: "method " + r.Method + " is not allowed here"}})
		return
	}
	Error(w, r, rt.log, apperr.New(apperr.NotFound, "no route for %s %s", r.Method, strings.ToValidUTF8(r.URL.Path, "")))
}

// allowed lists, sorted, the methods under which path has a route (HEAD
// wherever GET is).
func (rt *Router) allowed(path string) []string {
	var out []string
	for m, n := range rt.methods {
		if l, _ := n.match(path, nil); l != nil {
			out = append(out, m)
			if m == http.MethodGet {
				out = append(out, http.MethodHead)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// cleanPath is ServeMux's: path.Clean, keeping a trailing slash.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := pathpkg.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		np += "/"
	}
	return np
}

// probeWriter records what the mux's fallback handler would answer.
type probeWriter struct {
	header http.Header
	status int
}

func (p *probeWriter) Header() http.Header         { return p.header }
func (p *probeWriter) Write(b []byte) (int, error) { return len(b), nil }
func (p *probeWriter) WriteHeader(code int)        { p.status = code }
