// Package httpx is the HTTP plumbing every API function shares: the JSON
// error envelope, strict JSON decoding, middleware (request ids, access log,
// panic recovery, security headers, CORS, body limits) and a router that
// records its routes so the OpenAPI document and the SAM template can be
// checked against it.
package httpx

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/logging"
)

// statusOf maps application error codes to HTTP statuses.
var statusOf = map[apperr.Code]int{
	apperr.Invalid:         http.StatusBadRequest,
	apperr.NotFound:        http.StatusNotFound,
	apperr.Conflict:        http.StatusConflict,
	apperr.Unauthorized:    http.StatusUnauthorized,
	apperr.Forbidden:       http.StatusForbidden,
	apperr.RateLimited:     http.StatusTooManyRequests,
	apperr.PayloadTooLarge: http.StatusRequestEntityTooLarge,
	apperr.Unavailable:     http.StatusServiceUnavailable,
	apperr.Internal:        http.StatusInternalServerError,
}

// ErrorBody is the JSON envelope of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong: a stable code, a message for humans,
// per-field problems and the request id to quote to support.
type ErrorDetail struct {
	Code      apperr.Code       `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

// JSON writes v with the status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Error writes err as the error envelope. Application errors show their
// message; anything else is logged in full and shown only as "internal
// error" with the request id, so internals never leak to callers.
func Error(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	rid := logging.RequestID(r.Context())
	detail := ErrorDetail{Code: apperr.Internal, Message: "internal error", RequestID: rid}
	if ae, ok := errors.AsType[*apperr.Error](err); ok && ae.Code != apperr.Internal {
		detail.Code, detail.Message, detail.Fields = ae.Code, ae.Message, ae.Fields
		if ae.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(ae.RetryAfter.Seconds())+1))
		}
		if ae.Code == apperr.Unavailable {
			w.Header().Set("Retry-After", "1")
			log.WarnContext(r.Context(), "request failed", "code", ae.Code, "err", err.Error())
		}
	} else {
		log.ErrorContext(r.Context(), "request failed", "err", err.Error())
	}
	status, ok := statusOf[detail.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	JSON(w, status, ErrorBody{Error: detail})
}
