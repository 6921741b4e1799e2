package simkit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sync"
)

// StateFile keeps a simulator's state across restarts, as the real
// service keeps its own: the platform remembers panel ids, gateway
// customers and undelivered webhooks, so a simulator that forgot them on
// restart would answer "no such customer", hand out ids twice, or lose an
// event for good. The empty StateFile keeps nothing (tests).
type StateFile string

// Save writes v as JSON atomically (temporary file, fsync, rename): a kill
// at any moment leaves the previous state or the new one. Callers save
// before they answer the request that changed the state.
func (f StateFile) Save(v any) error {
	if f == "" {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode simulator state: %w", err)
	}
	dir := filepath.Dir(string(f))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".sim-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err = tmp.Write(b); err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), string(f))
}

// Load reads the state saved last into v; false when there is none yet.
// Numbers inside untyped values (map[string]any) come back as int64 when
// whole, float64 otherwise, the types the simulators stored.
func (f StateFile) Load(v any) (bool, error) {
	if f == "" {
		return false, nil
	}
	b, err := os.ReadFile(string(f))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return false, fmt.Errorf("simulator state %s: %w", f, err)
	}
	return true, nil
}

// Numbers turns the json.Number values in an untyped tree (what Load
// leaves in map[string]any fields) into int64 when whole, float64
// otherwise, in place: for state built from Go integers.
func Numbers(v any) any {
	return walkNumbers(v, func(n json.Number) any {
		if i, err := n.Int64(); err == nil {
			return i
		}
		f, _ := n.Float64()
		return f
	})
}

// Floats turns them all into float64, in place: for state that was
// decoded from JSON request bodies in the first place.
func Floats(v any) any {
	return walkNumbers(v, func(n json.Number) any { f, _ := n.Float64(); return f })
}

func walkNumbers(v any, conv func(json.Number) any) any {
	switch t := v.(type) {
	case json.Number:
		return conv(t)
	case map[string]any:
		for k, e := range t {
			t[k] = walkNumbers(e, conv)
		}
	case []any:
		for i, e := range t {
			t[i] = walkNumbers(e, conv)
		}
	}
	return v
}

// Persisted runs h and, for requests that may change state (every method
// but GET), calls save before any byte of the answer is written: whatever
// the client is told was done survives a kill of the process.
func Persisted(save func(), h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			h(w, r)
			return
		}
		buf := NewRecorder(http.Header{})
		h(buf, r)
		save()
		for k, v := range buf.header {
			w.Header()[k] = v
		}
		buf.WriteTo(w)
	}
}

// Recorder is an answer kept back (until the state is saved, or to be
// replayed for a repeated idempotency key).
type Recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// NewRecorder keeps an answer whose headers go to header.
func NewRecorder(header http.Header) *Recorder { return &Recorder{header: header} }

// Header implements http.ResponseWriter.
func (h *Recorder) Header() http.Header { return h.header }

// WriteHeader implements http.ResponseWriter.
func (h *Recorder) WriteHeader(status int) {
	if h.status == 0 {
		h.status = status
	}
}

// Write implements http.ResponseWriter.
func (h *Recorder) Write(b []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return h.body.Write(b)
}

// Status is the status written (200 when only a body was).
func (h *Recorder) Status() int {
	if h.status == 0 {
		return http.StatusOK
	}
	return h.status
}

// Body is the body written.
func (h *Recorder) Body() []byte { return h.body.Bytes() }

// WriteTo sends the kept status and body to w (its headers were given
// to NewRecorder).
func (h *Recorder) WriteTo(w http.ResponseWriter) {
	w.WriteHeader(h.Status())
	_, _ = w.Write(h.body.Bytes())
}

// Keeper restores and saves one simulator's state of type T under the
// simulator's own lock. The zero Keeper keeps nothing.
type Keeper[T any] struct {
	File StateFile
	Mu   *sync.Mutex
	Get  func() T // called with Mu held
	Set  func(T)  // called with Mu held
	Name string   // for the error message
}

// Restore loads what File saved last, if anything.
func (k Keeper[T]) Restore() error {
	var st T
	ok, err := k.File.Load(&st)
	if err != nil || !ok {
		return err
	}
	k.Mu.Lock()
	defer k.Mu.Unlock()
	k.Set(st)
	return nil
}

// Save writes the state now. A failure panics: the request being answered
// fails (net/http turns the panic into a dropped connection), so nothing
// unsaved is ever reported as done.
func (k Keeper[T]) Save() {
	if k.File == "" {
		return
	}
	k.Mu.Lock()
	defer k.Mu.Unlock()
	if err := k.File.Save(k.Get()); err != nil {
		panic(fmt.Sprintf("%s simulator: state not saved: %v", k.Name, err))
	}
}
