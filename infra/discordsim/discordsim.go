// Package discordsim simulates Discord's webhook execution endpoint
// (POST /api/webhooks/{id}/{token}) for make dev and tests: JSON and size
// validation with Discord's error bodies (400 code 50035 "Invalid Form
// Body", 50006 empty message), unknown webhooks (404 code 10015), a
// per-webhook rate limit answering 429 with retry_after and the
// X-RateLimit-* headers, ?wait=true message objects, and injectable faults.
package discordsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ezscale/platform/infra/simkit"
)

// Message is what the simulator received.
type Message struct {
	ID        string          `json:"id"`
	WebhookID string          `json:"webhook_id"`
	Body      json.RawMessage `json:"body"`
	Received  time.Time       `json:"received"`
}

// Sim is an http.Handler. The zero value is not usable; call New.
type Sim struct {
	// Limit requests per Window per webhook (Discord's webhook bucket is
	// about 5 per 2 seconds).
	Limit  int
	Window time.Duration

	mu       sync.Mutex
	webhooks map[string]string // id → token
	msgs     []Message
	windows  map[string][]time.Time
	faults   []int // statuses to answer next, in order
	latency  time.Duration
	seq      int
	keeper   simkit.Keeper[discordState]
}

// discordState is what the state file holds: the channel's history.
type discordState struct {
	Messages []Message `json:"messages"`
	Seq      int       `json:"seq"`
}

// Keep restores the messages f saved last and saves every new one to it,
// before it is answered, as a channel keeps its history.
func (s *Sim) Keep(f simkit.StateFile) error {
	s.keeper = simkit.Keeper[discordState]{File: f, Mu: &s.mu, Name: "discord",
		Get: func() discordState { return discordState{Messages: s.msgs, Seq: s.seq} },
		Set: func(st discordState) { s.msgs, s.seq = st.Messages, st.Seq }}
	return s.keeper.Restore()
}

func (s *Sim) save() { s.keeper.Save() }

// New returns a simulator with Discord-like limits.
func New() *Sim {
	return &Sim{Limit: 5, Window: 2 * time.Second, webhooks: map[string]string{}, windows: map[string][]time.Time{}}
}

// AddWebhook registers a webhook and returns its path (append to the
// server's base URL).
func (s *Sim) AddWebhook(id, token string) string {
	s.mu.Lock()
	s.webhooks[id] = token
	s.mu.Unlock()
	return "/api/webhooks/" + id + "/" + token
}

// FailNext makes the next requests answer these statuses (429 answers
// with a rate-limit body).
func (s *Sim) FailNext(statuses ...int) {
	s.mu.Lock()
	s.faults = append(s.faults, statuses...)
	s.mu.Unlock()
}

// SetLatency delays every answer (for client timeouts).
func (s *Sim) SetLatency(d time.Duration) {
	s.mu.Lock()
	s.latency = d
	s.mu.Unlock()
}

// Messages returns what was accepted, oldest first.
func (s *Sim) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Handler serves the webhook API under prefix-less paths.
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/webhooks/{id}/{token}", simkit.Persisted(s.save, s.execute))
	mux.HandleFunc("POST /api/v10/webhooks/{id}/{token}", simkit.Persisted(s.save, s.execute))
	mux.HandleFunc("GET /messages", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s.Messages())
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type embed struct {
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Fields      []field `json:"fields"`
	Footer      *struct {
		Text string `json:"text"`
	} `json:"footer"`
}

type payload struct {
	Content string  `json:"content"`
	Embeds  []embed `json:"embeds"`
}

func (s *Sim) execute(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	latency := s.latency
	s.mu.Unlock()
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	id, token := r.PathValue("id"), r.PathValue("token")
	s.mu.Lock()
	if len(s.faults) > 0 {
		st := s.faults[0]
		s.faults = s.faults[1:]
		s.mu.Unlock()
		if st == http.StatusTooManyRequests {
			s.rateLimited(w, id, 0.2)
			return
		}
		writeJSON(w, st, map[string]any{"message": http.StatusText(st), "code": 0})
		return
	}
	if want, ok := s.webhooks[id]; !ok || want != token {
		s.mu.Unlock()
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]any{"message": "Unknown Webhook", "code": 10015})
		} else {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "Invalid Webhook Token", "code": 50027})
		}
		return
	}
	now := time.Now()
	recent := s.windows[id][:0]
	for _, t := range s.windows[id] {
		if now.Sub(t) < s.Window {
			recent = append(recent, t)
		}
	}
	if len(recent) >= s.Limit {
		wait := s.Window - now.Sub(recent[0])
		s.windows[id] = recent
		s.mu.Unlock()
		s.rateLimited(w, id, wait.Seconds())
		return
	}
	s.windows[id] = append(recent, now)
	s.mu.Unlock()

	var p payload
	raw := json.RawMessage{}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<20)).Decode(&raw); err != nil || json.Unmarshal(raw, &p) != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "The request body contains invalid JSON.", "code": 50109})
		return
	}
	if errs := validate(p); errs != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Invalid Form Body", "code": 50035, "errors": errs})
		return
	}
	if p.Content == "" && len(p.Embeds) == 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Cannot send an empty message", "code": 50006})
		return
	}
	s.mu.Lock()
	s.seq++
	m := Message{ID: strconv.Itoa(1_000_000 + s.seq), WebhookID: id, Body: raw, Received: now}
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
	if r.URL.Query().Get("wait") == "true" {
		writeJSON(w, http.StatusOK, map[string]any{"id": m.ID, "webhook_id": id, "channel_id": "1", "content": p.Content, "embeds": p.Embeds, "timestamp": now.UTC().Format(time.RFC3339)})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sim) rateLimited(w http.ResponseWriter, id string, seconds float64) {
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(int(seconds)+1))
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.Limit))
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset-After", fmt.Sprintf("%.3f", seconds))
	h.Set("X-RateLimit-Bucket", "webhook-"+id)
	h.Set("X-RateLimit-Scope", "shared")
	writeJSON(w, http.StatusTooManyRequests, map[string]any{"message": "You are being rate limited.", "retry_after": seconds, "global": false})
}

type fieldErr map[string]any

func tooLong(n int) fieldErr {
	return fieldErr{"_errors": []map[string]string{{"code": "BASE_TYPE_MAX_LENGTH", "message": fmt.Sprintf("Must be %d or fewer in length.", n)}}}
}

// validate applies Discord's embed limits and returns the error tree.
func validate(p payload) map[string]any {
	errs := map[string]any{}
	if utf8.RuneCountInString(p.Content) > 2000 {
		errs["content"] = tooLong(2000)
	}
	if len(p.Embeds) > 10 {
		errs["embeds"] = tooLong(10)
	}
	total := 0
	embedErrs := map[string]any{}
	for i, e := range p.Embeds {
		ee := map[string]any{}
		n := func(s string) int { return utf8.RuneCountInString(s) }
		if n(e.Title) > 256 {
			ee["title"] = tooLong(256)
		}
		if n(e.Description) > 4096 {
			ee["description"] = tooLong(4096)
		}
		if len(e.Fields) > 25 {
			ee["fields"] = tooLong(25)
		}
		total += n(e.Title) + n(e.Description)
		for j, f := range e.Fields {
			if n(f.Name) > 256 || n(f.Value) > 1024 || f.Name == "" || f.Value == "" {
				ee[fmt.Sprintf("fields.%d", j)] = fieldErr{"_errors": []map[string]string{{"code": "BASE_TYPE_BAD_LENGTH", "message": "Must be between 1 and 256/1024 in length."}}}
			}
			total += n(f.Name) + n(f.Value)
		}
		if e.Footer != nil {
			total += n(e.Footer.Text)
		}
		if len(ee) > 0 {
			embedErrs[strconv.Itoa(i)] = ee
		}
	}
	if total > 6000 {
		embedErrs["_errors"] = []map[string]string{{"code": "MAX_EMBED_SIZE_EXCEEDED", "message": "Embed size exceeds maximum size of 6000"}}
	}
	if len(embedErrs) > 0 {
		errs["embeds"] = embedErrs
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}
