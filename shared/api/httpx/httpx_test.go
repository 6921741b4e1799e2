package httpx_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/logging"
)

func serve(t *testing.T, h httpx.HandlerFunc, req *http.Request) (*httptest.ResponseRecorder, string) {
	t.Helper()
	var logs bytes.Buffer
	log := logging.New(&logs, slog.LevelInfo)
	rt := httpx.NewRouter(log)
	rt.Handle(httpx.Route{Method: req.Method, Path: "/x", Auth: httpx.Public, Handler: h})
	rec := httptest.NewRecorder()
	httpx.Wrap(rt, httpx.Options{Log: log, MaxBodyBytes: 2048}).ServeHTTP(rec, req)
	return rec, logs.String()
}

func TestInternalErrorsDoNotLeak(t *testing.T) {
	rec, logs := serve(t, func(http.ResponseWriter, *http.Request) error {
		return errors.New("dial tcp 10.0.0.5: secret-host refused")
	}, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "secret-host") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(logs, "secret-host") || !strings.Contains(logs, "request_id") {
		t.Fatalf("cause not logged with request id: %s", logs)
	}
}

func TestPanicRecovered(t *testing.T) {
	rec, logs := serve(t, func(http.ResponseWriter, *http.Request) error { panic("boom") }, httptest.NewRequest("GET", "/x", nil))
	var body httpx.ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != 500 || body.Error.Code != apperr.Internal {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(logs, "boom") {
		t.Fatalf("panic not logged: %s", logs)
	}
}

func TestDecode(t *testing.T) {
	type in struct {
		N int64  `json:"n"`
		S string `json:"s"`
	}
	tests := []struct {
		name, body, ctype string
		status            int
		field             string
	}{
		{"OK", `{"n":1,"s":"a"}`, "application/json", 200, ""},
		{"WrongContentType", `{"n":1}`, "text/plain", 400, ""},
		{"Fraction", `{"n":1.5}`, "application/json", 400, "n"},
		{"String", `{"n":"1"}`, "application/json", 400, "n"},
		{"Unknown", `{"m":1}`, "application/json", 400, "m"},
		{"Truncated", `{"n":1`, "application/json", 400, ""},
		{"Null", `null`, "application/json", 400, ""},
		{"Array", `[{"n":1}]`, "application/json", 400, ""},
		{"Number", ` 7 `, "application/json", 400, ""},
		{"TwoObjects", `{"n":1} {"n":2}`, "application/json", 400, ""},
		{"TooLargeStreamed", `{"s":"` + strings.Repeat("a", 4000) + `"}`, "application/json", 413, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/x", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.ctype)
			req.ContentLength = -1 // force the streaming limit, not the header check
			rec, _ := serve(t, func(w http.ResponseWriter, r *http.Request) error {
				var v in
				if err := httpx.Decode(r, &v); err != nil {
					return err
				}
				httpx.JSON(w, 200, v)
				return nil
			}, req)
			var body httpx.ErrorBody
			_ = json.Unmarshal(rec.Body.Bytes(), &body)
			if rec.Code != tt.status || (tt.field != "" && body.Error.Fields[tt.field] == "") {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"n":1}`))
	f.Add([]byte(`{"n":1e400}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		req := httptest.NewRequest("POST", "/x", bytes.NewReader(b))
		var v struct {
			N int64             `json:"n"`
			M map[string]string `json:"m"`
		}
		err := httpx.Decode(req, &v)
		if err != nil && apperr.CodeOf(err) != apperr.Invalid && apperr.CodeOf(err) != apperr.PayloadTooLarge {
			t.Fatalf("decode error without a client code: %v", err)
		}
	})
}

// A route may raise the body limit (uploads); every other route keeps the
// server's, streamed or declared.
func TestRouteBodyLimit(t *testing.T) {
	rt := httpx.NewRouter(slog.New(slog.DiscardHandler))
	read := func(w http.ResponseWriter, r *http.Request) error {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return apperr.New(apperr.PayloadTooLarge, "too large")
		}
		w.WriteHeader(200)
		_, _ = w.Write([]byte(fmt.Sprint(len(b))))
		return nil
	}
	rt.Handle(httpx.Route{Method: "POST", Path: "/upload/{id}", MaxBody: 1000, Handler: read}, httpx.Route{Method: "POST", Path: "/plain", Handler: read})
	h := httpx.Wrap(rt, httpx.Options{Log: slog.New(slog.DiscardHandler), MaxBodyBytes: 100, RouteMaxBody: rt.MaxBody})
	for _, tc := range []struct {
		path     string
		size     int
		streamed bool
		want     int
	}{
		{"/upload/1", 900, false, 200}, {"/upload/1", 900, true, 200}, {"/upload/1", 1001, false, 413}, {"/upload/1", 1001, true, 413},
		{"/plain", 90, false, 200}, {"/plain", 900, false, 413}, {"/plain", 900, true, 413},
	} {
		req := httptest.NewRequest("POST", tc.path, strings.NewReader(strings.Repeat("a", tc.size)))
		if tc.streamed {
			req.ContentLength = -1
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("%s with %d bytes (streamed %v): %d, want %d", tc.path, tc.size, tc.streamed, rec.Code, tc.want)
		}
	}
}
