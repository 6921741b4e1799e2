package httpx

import (
	"log/slog"
	"net/http"
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
	Handler   HandlerFunc
}

// HandlerFunc is an API handler that returns errors instead of writing
// them; the router renders them as the error envelope.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Router is a ServeMux that remembers its routes and answers unknown paths
// and wrong methods with the JSON error envelope.
type Router struct {
	mux    *http.ServeMux
	log    *slog.Logger
	routes []Route
}

// NewRouter returns an empty router.
func NewRouter(log *slog.Logger) *Router {
	return &Router{mux: http.NewServeMux(), log: log}
}

// Handle registers routes. Auth wrappers are applied by the caller before
// registration; the router only records the declared rule.
func (rt *Router) Handle(routes ...Route) {
	for _, r := range routes {
		h := r.Handler
		rt.mux.HandleFunc(r.Method+" "+r.Path, func(w http.ResponseWriter, req *http.Request) {
			if err := h(w, req); err != nil {
				Error(w, req, rt.log, err)
			}
		})
		rt.routes = append(rt.routes, r)
	}
}

// Routes returns the registered routes in registration order.
func (rt *Router) Routes() []Route { return append([]Route(nil), rt.routes...) }

// ServeHTTP dispatches to the matching route. ServeMux answers misses with
// plain-text 404/405; those become JSON here (an empty pattern means the
// mux's own handler would answer).
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, pattern := rt.mux.Handler(r)
	if pattern != "" {
		rt.mux.ServeHTTP(w, r) // the mux, not h, sets r.PathValue
		return
	}
	probe := &probeWriter{header: http.Header{}}
	h.ServeHTTP(probe, r)
	switch probe.status {
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", probe.header.Get("Allow"))
		JSON(w, http.StatusMethodNotAllowed, ErrorBody{Error: ErrorDetail{Code: "method_not_allowed", Message: "method " + r.Method + " is not allowed here"}})
	case http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		w.Header().Set("Location", probe.header.Get("Location"))
		w.WriteHeader(probe.status)
	default:
		Error(w, r, rt.log, apperr.New(apperr.NotFound, "no route for %s %s", r.Method, strings.ToValidUTF8(r.URL.Path, "")))
	}
}

// probeWriter records what the mux's fallback handler would answer.
type probeWriter struct {
	header http.Header
	status int
}

func (p *probeWriter) Header() http.Header         { return p.header }
func (p *probeWriter) Write(b []byte) (int, error) { return len(b), nil }
func (p *probeWriter) WriteHeader(code int)        { p.status = code }
