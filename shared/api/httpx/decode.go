package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// Decode reads one JSON object from the request body into v. It refuses a
// wrong content type, unknown fields, wrong types, trailing data and bodies
// over the limit set by the BodyLimit middleware, each with a field-level
// message where one applies.
func Decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return apperr.New(apperr.Invalid, "Content-Type must be application/json")
		}
	}
	outer := json.NewDecoder(r.Body)
	var raw json.RawMessage
	if err := outer.Decode(&raw); err != nil {
		return decodeError(err)
	}
	if err := outer.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return decodeError(err)
		}
		return errNotOneObject
	}
	// null, a number or an array would decode into v as "nothing given"
	// (a refund body of null once meant "refund everything").
	if raw = bytes.TrimSpace(raw); len(raw) == 0 || raw[0] != '{' {
		return errNotOneObject
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	return nil
}

var errNotOneObject = apperr.New(apperr.Invalid, "the body must hold exactly one JSON object")

func decodeError(err error) error {
	// Types with their own UnmarshalJSON report field errors directly.
	if ae, ok := errors.AsType[*apperr.Error](err); ok {
		return ae
	}
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return apperr.New(apperr.PayloadTooLarge, "the request body is too large")
	}
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return apperr.New(apperr.Invalid, "malformed JSON at byte %d", se.Offset)
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		field := te.Field
		if field == "" {
			return apperr.New(apperr.Invalid, "the body must be a JSON object")
		}
		msg := fmt.Sprintf("must be %s, got %s", typeName(te.Type.Kind().String()), te.Value)
		if strings.HasPrefix(te.Value, "number ") {
			msg = "must be a whole number in range" // a fraction or an overflow
		}
		return apperr.Validation(map[string]string{field: msg})
	}
	if errors.Is(err, io.EOF) {
		return apperr.New(apperr.Invalid, "the request body is empty")
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return apperr.New(apperr.Invalid, "malformed JSON: unexpected end of body")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return apperr.Validation(map[string]string{strings.Trim(name, `"`): "is not a known field"})
	}
	return apperr.Wrap(err, apperr.Invalid, "the body is not valid JSON for this request")
}

func typeName(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "a whole number"
	case kind == "string":
		return "a string"
	case kind == "bool":
		return "true or false"
	case kind == "map", kind == "struct":
		return "an object"
	case kind == "slice":
		return "an array"
	}
	return "a " + kind
}
