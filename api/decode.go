package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// decodeJSON reads a JSON object body into v: the content type must be JSON (415),
// the body must parse (400, naming the field of a type error), unknown fields are
// refused, and a body over the limit is 413.
func decodeJSON(r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return httpError(http.StatusUnsupportedMediaType, "Content-Type",
			"send the body as application/json")
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return httpError(http.StatusBadRequest, "body", "the body has data after its JSON value")
	}
	return nil
}

func jsonProblem(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.As(err, &syn):
		return httpError(http.StatusBadRequest, "body", fmt.Sprintf("malformed JSON at byte %d: %v", syn.Offset, syn))
	case errors.As(err, &typ):
		field := strings.TrimPrefix(typ.Field, "reportFields.")
		if field == "" {
			field = "body"
		}
		return httpError(http.StatusBadRequest, field, fmt.Sprintf("%s must be a %s, not a %s", field, typ.Type, typ.Value))
	case errors.Is(err, io.EOF):
		return httpError(http.StatusBadRequest, "body", "the body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return httpError(http.StatusBadRequest, "body", "the JSON ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		field := name
		if field == "" {
			field = "body"
		}
		return httpError(http.StatusBadRequest, field, fmt.Sprintf("unknown field %q", name))
	}
	return httpError(http.StatusBadRequest, "body", "malformed JSON: "+err.Error())
}
