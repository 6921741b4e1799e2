// Package simkit is what the panel simulators share: a queue of injected
// faults applied before a handler runs (statuses, latency, a hang, a
// malformed body, a reply lost after the work was done), and the parsed
// JSON request body carried in the request's context.
package simkit

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"
)

// Fault is what happens to one request.
type Fault struct {
	Status    int
	Latency   time.Duration
	Hang      bool
	Malformed bool
	LoseReply bool // do the work, then drop the connection unanswered
}

// Faults is a queue of faults, one per request, in order.
type Faults struct {
	mu    sync.Mutex
	queue []Fault
}

// Push queues faults.
func (f *Faults) Push(fs ...Fault) {
	f.mu.Lock()
	f.queue = append(f.queue, fs...)
	f.mu.Unlock()
}

// FailNext answers the next requests with these statuses.
func (f *Faults) FailNext(statuses ...int) {
	for _, s := range statuses {
		f.Push(Fault{Status: s})
	}
}

// SlowNext delays the next request.
func (f *Faults) SlowNext(d time.Duration) { f.Push(Fault{Latency: d}) }

// HangNext never answers the next request (until the client gives up).
func (f *Faults) HangNext() { f.Push(Fault{Hang: true}) }

// MalformNext answers the next request 200 with a body that is not JSON.
func (f *Faults) MalformNext() { f.Push(Fault{Malformed: true}) }

// LoseNextReply performs the next request and drops the connection.
func (f *Faults) LoseNextReply() { f.Push(Fault{LoseReply: true}) }

// Next takes the fault for this request (the zero Fault when none).
func (f *Faults) Next() Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.queue) == 0 {
		return Fault{}
	}
	next := f.queue[0]
	f.queue = f.queue[1:]
	return next
}

// Serve applies fault to the request: latency, then a hang, a malformed
// body or a status answered by fail; otherwise it parses a JSON body
// (badBody answers one that does not parse) and runs h — unanswered when
// the reply is to be lost.
func Serve(w http.ResponseWriter, r *http.Request, fault Fault, fail func(w http.ResponseWriter, status int), badBody func(w http.ResponseWriter), h http.HandlerFunc) {
	if fault.Latency > 0 {
		time.Sleep(fault.Latency)
	}
	switch {
	case fault.Hang:
		// The server notices a client hanging up only once the body is
		// read, so read it; otherwise Close would wait for this forever.
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
		return
	case fault.Malformed:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`<html>502 Bad Gateway</html>`))
		return
	case fault.Status != 0:
		fail(w, fault.Status)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodDelete && r.ContentLength != 0 && r.Body != nil {
		var raw json.RawMessage
		b := map[string]any{}
		if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
			badBody(w)
			return
		}
		// An object, or for PATCH a JSON Patch (an array, read with RawBody).
		if err := json.Unmarshal(raw, &b); err != nil && (r.Method != http.MethodPatch || !json.Valid(raw) || raw[0] != '[') {
			badBody(w)
			return
		}
		r = r.WithContext(context.WithValue(context.WithValue(r.Context(), bodyKey{}, b), rawBodyKey{}, []byte(raw)))
	}
	if fault.LoseReply {
		h(discard{}, r)
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
			}
		}
		return
	}
	h(w, r)
}

type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

type bodyKey struct{}

type rawBodyKey struct{}

// RawBody is the request's JSON body as sent (nil when there was none).
func RawBody(r *http.Request) []byte {
	b, _ := r.Context().Value(rawBodyKey{}).([]byte)
	return b
}

// Body is the request's parsed JSON object (empty when there was none).
func Body(r *http.Request) map[string]any {
	b, _ := r.Context().Value(bodyKey{}).(map[string]any)
	if b == nil {
		b = map[string]any{}
	}
	return b
}

// Str reads a string field.
func Str(b map[string]any, k string) string { v, _ := b[k].(string); return v }

// Num reads a number field as an int.
func Num(b map[string]any, k string) (int, bool) {
	f, ok := b[k].(float64)
	return int(f), ok
}

// JSON writes v with status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
