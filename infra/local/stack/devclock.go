package stack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ezscale/platform/infra/simkit"
	"github.com/ezscale/platform/shared/platform/clock"
)

// maxAdvance bounds one move of the dev clock: a year is more than any
// billing or dunning schedule needs, and a typo of 87600h is caught.
const maxAdvance = 366 * 24 * time.Hour

type savedClock struct {
	Offset string `json:"offset"`
}

// openClock restores the dev clock from the data directory: data written
// after the clock was moved carries the moved time, so a restart must not
// run time back.
func openClock(dir string) (*clock.Offset, simkit.StateFile, error) {
	f := simkit.StateFile(filepath.Join(dir, "clock.json"))
	var saved savedClock
	if _, err := f.Load(&saved); err != nil {
		return nil, f, fmt.Errorf("dev clock: %w", err)
	}
	by := time.Duration(0)
	if saved.Offset != "" {
		d, err := time.ParseDuration(saved.Offset)
		if err != nil {
			return nil, f, fmt.Errorf("dev clock: %s: %w", f, err)
		}
		by = d
	}
	return clock.NewOffset(by), f, nil
}

// parseAdvance reads "72h", "90m" or "5d" (days, which Go durations lack).
func parseAdvance(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		if err != nil {
			return 0, errors.New(`must be a duration such as "72h", "90m" or "5d"`)
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New(`must be a duration such as "72h", "90m" or "5d"`)
	}
	return d, nil
}

func clockJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func clockInvalid(w http.ResponseWriter, why string) {
	clockJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{"code": "invalid", "message": "the request has invalid fields",
		"fields": map[string]string{"advance": why}}})
}

// devClock serves GET /dev/clock ({"now", "offset"}) and POST /dev/clock
// {"advance": "72h"}: the local stack's time moves forward, and every
// timer, Wait state, delayed outbox item and Stripe renewal follows.
func (s *Stack) devClock(mux *http.ServeMux) {
	show := func(w http.ResponseWriter, status int) {
		clockJSON(w, status, map[string]string{"now": s.Clock.Now().Format(time.RFC3339), "offset": s.Clock.By().String()})
	}
	mux.HandleFunc("GET /dev/clock", func(w http.ResponseWriter, _ *http.Request) { show(w, http.StatusOK) })
	mux.HandleFunc("POST /dev/clock", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Advance string `json:"advance"`
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			clockJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{"code": "invalid", "message": "the body must be JSON such as {\"advance\": \"72h\"}"}})
			return
		}
		d, err := parseAdvance(in.Advance)
		switch {
		case err != nil:
			clockInvalid(w, err.Error())
			return
		case d <= 0:
			clockInvalid(w, "must be positive: the clock only moves forward")
			return
		case d > maxAdvance:
			clockInvalid(w, "must be at most 366 days at a time")
			return
		}
		if err := s.Clock.Advance(d); err != nil {
			clockInvalid(w, err.Error())
			return
		}
		s.Platform.Log.InfoContext(r.Context(), "dev clock advanced", "by", d.String(), "offset", s.Clock.By().String())
		show(w, http.StatusOK)
	})
}

// followClock makes what waits on time follow the dev clock's moves: the
// offset is kept for the next start, delayed outbox items are looked at,
// and the Stripe and PayPal simulators bill the periods that ran out.
func (s *Stack) followClock(saved simkit.StateFile) {
	s.Clock.OnAdvance(func() {
		if err := saved.Save(savedClock{Offset: s.Clock.By().String()}); err != nil {
			s.Platform.Log.Error("dev clock not saved", "err", err.Error())
		}
		s.Platform.Outbox.Kick()
		s.Stripe.RenewDue()
		// What billing does ahead of a renewal (a cancellation at period
		// end that PayPal cannot schedule) runs before PayPal renews, as it
		// would with time passing by the hour.
		if _, err := s.Platform.Outbox.Publish(context.Background()); err != nil {
			s.Platform.Log.Warn("outbox not published before PayPal renewals", "err", err.Error())
		}
		s.PayPal.RenewDue()
		s.PollMailNow()
		s.SyncBandwidthNow()
		select {
		case s.dailyKick <- struct{}{}:
		default: // a look is due already
		}
	})
}
