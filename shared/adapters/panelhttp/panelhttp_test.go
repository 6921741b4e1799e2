package panelhttp_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/adapters/panelhttp"
	"github.com/ezscale/platform/shared/domain/provisioning"
)

// panel answers with the statuses given, one per request, then 200 {"ok":true}.
func panel(t *testing.T, answers ...func(http.ResponseWriter)) (*panelhttp.Client, *atomic.Int32, *[]time.Duration) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if r.URL.Query().Get("key") != "secret" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"message":"bad key"}`))
			return
		}
		if i < len(answers) {
			answers[i](w)
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	var waits []time.Duration
	c := &panelhttp.Client{Base: srv.URL + "/api", Timeout: 300 * time.Millisecond,
		Auth:  func(r *http.Request) { q := r.URL.Query(); q.Set("key", "secret"); r.URL.RawQuery = q.Encode() },
		Words: func(raw []byte) string { return strings.Trim(string(raw), "{}") },
		Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }}
	return c, &n, &waits
}

func status(code int, headers ...string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(code)
		_, _ = fmt.Fprintf(w, `{"message":"status %d"}`, code)
	}
}

func body(s string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) { _, _ = w.Write([]byte(s)) }
}

func TestClient(t *testing.T) {
	get := panelhttp.Plain(http.MethodGet, "/servers/1", nil)
	post := panelhttp.Plain(http.MethodPost, "/servers", map[string]int{"a": 1})
	cases := []struct {
		name     string
		call     panelhttp.Call
		answers  []func(http.ResponseWriter)
		want     error // nil: success
		attempts int32
		waits    []time.Duration
	}{
		{"ReadRecovers", get, []func(http.ResponseWriter){status(503)}, nil, 2, []time.Duration{200 * time.Millisecond}},
		{"ReadGivesUpAfterThree", get, []func(http.ResponseWriter){status(500), status(502), status(503)}, provisioning.ErrTransient, 3, nil},
		{"PostIsNeverRepeated", post, []func(http.ResponseWriter){status(503)}, provisioning.ErrTransient, 1, nil},
		{"ShortRetryAfterIsWaited", get, []func(http.ResponseWriter){status(429, "Retry-After", "2")}, nil, 2, []time.Duration{2 * time.Second}},
		{"LongRetryAfterGoesBack", get, []func(http.ResponseWriter){status(429, "Retry-After", "60")}, provisioning.ErrTransient, 1, nil},
		{"NotFound", get, []func(http.ResponseWriter){status(404)}, provisioning.ErrNotFound, 1, nil},
		{"Refused", post, []func(http.ResponseWriter){status(422)}, provisioning.ErrRejected, 1, nil},
		{"Malformed", get, []func(http.ResponseWriter){body(`{"ok":`)}, provisioning.ErrMalformed, 1, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, n, waits := panel(t, c.answers...)
			var out struct{ OK bool }
			err := cl.Do(context.Background(), c.call, &out)
			if c.want == nil && (err != nil || !out.OK) || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("err = %v (out %+v), want %v", err, out, c.want)
			}
			if n.Load() != c.attempts {
				t.Errorf("%d attempts, want %d", n.Load(), c.attempts)
			}
			if c.waits != nil && fmt.Sprint(*waits) != fmt.Sprint(c.waits) {
				t.Errorf("waits %v, want %v", *waits, c.waits)
			}
		})
	}
	t.Run("RetryAfterIsKept", func(t *testing.T) {
		cl, _, _ := panel(t, status(429, "Retry-After", "60"))
		var pe *provisioning.PanelError
		if err := cl.Do(context.Background(), get, nil); !errors.As(err, &pe) || pe.RetryAfter != 60 || pe.Status != 429 {
			t.Fatalf("%v", err)
		}
	})
	t.Run("EnvelopeErrors", func(t *testing.T) {
		cl, _, _ := panel(t, body(`{"error":true,"messages":[{"text":"No query results for model Server"}]}`), body(`{"error":true,"messages":[{"text":"The server is in use"}]}`))
		cl.Envelope = func(raw []byte) string {
			if strings.Contains(string(raw), `"error":true`) {
				return strings.Split(strings.Split(string(raw), `"text":"`)[1], `"`)[0]
			}
			return ""
		}
		if err := cl.Do(context.Background(), get, nil); !errors.Is(err, provisioning.ErrNotFound) {
			t.Fatalf("first: %v", err)
		}
		if err := cl.Do(context.Background(), post, nil); !errors.Is(err, provisioning.ErrRejected) || !strings.Contains(err.Error(), "in use") {
			t.Fatalf("second: %v", err)
		}
	})
	t.Run("CredentialsRefused", func(t *testing.T) {
		cl, _, _ := panel(t)
		cl.Auth = nil
		if err := cl.Do(context.Background(), get, nil); !errors.Is(err, provisioning.ErrRejected) || !strings.Contains(err.Error(), "credentials were refused") {
			t.Fatalf("%v", err)
		}
	})
	t.Run("TimeoutsAreTransientAndKeepKeysOutOfErrors", func(t *testing.T) {
		cl, _, _ := panel(t, func(http.ResponseWriter) { time.Sleep(time.Second) })
		ctx, taken := provisioning.WithExchanges(context.Background())
		err := cl.Do(ctx, post, nil)
		if !errors.Is(err, provisioning.ErrTransient) || strings.Contains(err.Error(), "secret") {
			t.Fatalf("%v", err)
		}
		if calls := taken(); len(calls) != 1 || !strings.HasPrefix(calls[0], "POST /servers → no answer in ") {
			t.Fatalf("calls %q", calls)
		}
	})
	t.Run("SummaryOfEveryAttempt", func(t *testing.T) {
		cl, _, _ := panel(t, status(502))
		ctx, taken := provisioning.WithExchanges(context.Background())
		if err := cl.Do(ctx, panelhttp.Plain(http.MethodDelete, "/servers/1?force=1", nil), nil); err != nil {
			t.Fatal(err)
		}
		calls := taken()
		if len(calls) != 2 || !strings.HasPrefix(calls[0], "DELETE /servers/1 → 502 in ") || !strings.HasSuffix(calls[1], "(attempt 2)") {
			t.Fatalf("calls %q", calls)
		}
	})
}
