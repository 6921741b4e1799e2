package httpx_test

import (
	"bytes"
	"encoding/json"
	"errors"
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
