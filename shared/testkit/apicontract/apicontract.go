// Package apicontract holds the API to its OpenAPI document in tests: every
// request a test sends and every response the handlers give is validated
// against openapi.yaml (libopenapi-validator, which reads OpenAPI 3.1), and
// a mismatch fails the test that made it. Test wiring only: no function
// links it.
package apicontract

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/pb33f/libopenapi-validator/errors"

	"github.com/ezscale/platform/shared/api/openapi"
)

var (
	once    sync.Once
	shared  validator.Validator
	loadErr error
)

func load() (validator.Validator, error) {
	once.Do(func() {
		spec, err := openapi.JSON()
		if err != nil {
			loadErr = err
			return
		}
		doc, err := libopenapi.NewDocument(spec)
		if err != nil {
			loadErr = fmt.Errorf("openapi document: %w", err)
			return
		}
		// Who may call a route is the handlers' business, tested on its
		// own (the document lists the schemes a route accepts).
		v, errs := validator.NewValidator(doc, config.WithoutSecurityValidation())
		if len(errs) > 0 {
			loadErr = fmt.Errorf("openapi validator: %v", errs)
			return
		}
		shared = v
	})
	return shared, loadErr
}

// Checker validates the exchanges of one handler and keeps the mismatches.
type Checker struct {
	v        validator.Validator
	mu       sync.Mutex
	failures []string
	// OnFailure, when set, hears each mismatch as it is found (the local
	// stack under the browser tests writes them to a file).
	OnFailure func(string)
}

// New returns a checker of the embedded openapi.yaml.
func New() (*Checker, error) {
	v, err := load()
	if err != nil {
		return nil, err
	}
	return &Checker{v: v}, nil
}

// For wraps h so every exchange is checked, and fails t (at its end) with
// each mismatch found.
func For(t testing.TB, h http.Handler) http.Handler {
	t.Helper()
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, f := range c.Failures() {
			t.Errorf("API contract: %s", f)
		}
	})
	return c.Wrap(h)
}

// Failures lists the mismatches seen so far.
func (c *Checker) Failures() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.failures...)
}

// Wrap serves through h and checks the request and the response.
func (c *Checker) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/v1/") {
			h.ServeHTTP(w, r) // the local stack's pages, simulators and dev routes
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())

		check := r.Clone(r.Context())
		check.Body = io.NopCloser(bytes.NewReader(body))
		if check.URL.Host == "" {
			check.URL.Scheme, check.URL.Host = "http", r.Host
		}
		c.check(check, rec)
	})
}

func (c *Checker) check(r *http.Request, rec *httptest.ResponseRecorder) {
	if r.Method == http.MethodOptions {
		return // CORS preflights are the middleware's, not the API's
	}
	res := rec.Result()
	defer res.Body.Close()
	var errs []*errors.ValidationError
	if rec.Code < 400 {
		_, errs = c.v.ValidateHttpRequestResponse(r, res)
	} else {
		// A request the API refused may break the request schema: tests
		// send such requests to see them refused. The answer must still
		// be documented.
		_, errs = c.v.ValidateHttpResponse(r, res)
	}
	var out []string
	for _, e := range errs {
		// A route the API does not have answers 404 or 405 by design;
		// requests made to see that are not contract breaches.
		if (rec.Code == http.StatusNotFound || rec.Code == http.StatusMethodNotAllowed) && e.ValidationType == "path" {
			continue
		}
		msg := fmt.Sprintf("%s %s → %d: %s: %s", r.Method, r.URL.Path, rec.Code, e.Message, e.Reason)
		for _, se := range e.SchemaValidationErrors {
			msg += fmt.Sprintf(" [%s: %s]", se.FieldPath, se.Reason)
		}
		out = append(out, strings.TrimSpace(msg))
	}
	if len(out) == 0 {
		return
	}
	c.mu.Lock()
	c.failures = append(c.failures, out...)
	c.mu.Unlock()
	if c.OnFailure != nil {
		for _, f := range out {
			c.OnFailure(f)
		}
	}
}
