package httpx

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"runtime/debug"
	"slices"
	"time"

	"github.com/ezscale/platform/shared/platform/logging"
)

// Options configures the middleware stack.
type Options struct {
	Log *slog.Logger
	// Origins may call the API from a browser with credentials (CORS).
	Origins []string
	// MaxBodyBytes caps request bodies (413 above it).
	MaxBodyBytes int64
	// RouteMaxBody, when set, names a larger cap for a request's route
	// (Router.MaxBody).
	RouteMaxBody func(*http.Request) int64
}

// Wrap applies the standard middleware around h, outermost first: request
// id, access log, panic recovery, security headers, CORS, body limit.
func Wrap(h http.Handler, o Options) http.Handler {
	h = bodyLimit(h, o.MaxBodyBytes, o.RouteMaxBody, o.Log)
	h = cors(h, o.Origins)
	h = securityHeaders(h)
	h = recoverPanics(h, o.Log)
	h = accessLog(h, o.Log)
	return requestID(h)
}

// Counted repetitions ({m,n}) compile to a program n states long at
// every cold start, so lengths are checked apart from the pattern.
var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// requestID takes API Gateway's id (or a caller's well-formed one) or makes
// one, puts it in the context for logs and echoes it in X-Request-Id.
func requestID(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if len(id) < 8 || len(id) > 128 || !requestIDRE.MatchString(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		h.ServeHTTP(w, r.WithContext(logging.WithRequestID(r.Context(), id)))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func accessLog(h http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		// Query strings are left out: they may carry tokens.
		log.InfoContext(r.Context(), "http request",
			"method", r.Method, "path", r.URL.Path, "status", sw.status, "bytes", sw.bytes,
			"duration_ms", float64(time.Since(start).Microseconds())/1000, "ip", clientIP(r))
	})
}

// clientIP is the peer address without its port. Behind API Gateway the
// Lambda adapter sets RemoteAddr to the bare source IP (v4 or v6).
func clientIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

func recoverPanics(h http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic", "value", fmt.Sprint(v), "stack", string(debug.Stack()))
				Error(w, r, log, fmt.Errorf("panic: %v", v))
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// SecurityHeaders sets the headers every response carries, with the
// content security policy csp (API responses allow nothing; the web apps
// allow their own origin).
func SecurityHeaders(hd http.Header, csp string) {
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	hd.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	hd.Set("Content-Security-Policy", csp)
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		SecurityHeaders(w.Header(), "default-src 'none'; frame-ancestors 'none'")
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// cors allows the configured web origins (exact match) to call the API with
// credentials. Other origins get no CORS headers, so browsers block them.
func cors(h http.Handler, origins []string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		allowed := origin != "" && slices.Contains(origins, origin)
		w.Header().Add("Vary", "Origin")
		if allowed {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			w.Header().Set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After")
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			if allowed {
				w.Header().Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE")
				w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Authorization, X-Request-Id, X-CSRF-Token")
				w.Header().Set("Access-Control-Max-Age", "600")
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func bodyLimit(h http.Handler, limit int64, route func(*http.Request) int64, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		max := limit
		if route != nil {
			max = maxOf(max, route(r))
		}
		if r.ContentLength > max {
			Error(w, r, log, tooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		h.ServeHTTP(w, r)
	})
}

func maxOf(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}
