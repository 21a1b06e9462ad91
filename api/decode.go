package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"
)

// decodeJSON reads a JSON object body into v: the content type must be JSON (415),
// the body must be UTF-8 (400, naming the member that is not) and parse (400, naming
// the field of a type error), unknown fields are refused, a body over the limit is
// 413 and one that stops coming is 408.
func decodeJSON(r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return httpError(http.StatusUnsupportedMediaType, "Content-Type",
			"send the body as application/json")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err // 413 or 408, see problemFor
	}
	if err := checkUTF8(body); err != nil {
		return err
	}
	return strictJSON(body, v)
}

// bodyReader is the request body as handlers see it (observe puts it in place): a
// failure to read it, other than the body limit, is a bodyError, however deep in a
// decoder or importer it happens, so that it is answered 408 and not 500 or 400.
type bodyReader struct{ io.ReadCloser }

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		var mbe *http.MaxBytesError
		var be *bodyError
		if !errors.As(err, &mbe) && !errors.As(err, &be) {
			err = &bodyError{err: err}
		}
	}
	return n, err
}

// bodyError is a request body that did not arrive: the client stopped sending before
// the server's ReadTimeout (a net timeout) or hung up half-way (an unexpected EOF).
type bodyError struct{ err error }

func (e *bodyError) Error() string { return "api: reading the request body: " + e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

// Timeout says the error is a timeout, as net errors do, so that packages that cannot
// name bodyError (open311's form reading) can tell it from a malformed body.
func (e *bodyError) Timeout() bool { return true }

// checkUTF8 refuses a JSON body with bytes that are not UTF-8, naming the member that
// holds them ("description", "contact.phone", "when[1]"; "body" for a key or outside
// strings): encoding/json would silently turn them into U+FFFD.
func checkUTF8(b []byte) error {
	if utf8.Valid(b) {
		return nil
	}
	field := invalidUTF8Field(b)
	what := field
	if field == "body" {
		what = "the body"
	}
	return httpError(http.StatusBadRequest, field, fmt.Sprintf("%s is not valid UTF-8 text: send JSON in UTF-8", what))
}

// invalidUTF8Field returns the path of the first JSON string holding bytes that are
// not UTF-8, by reading b token by token and testing the bytes of each.
func invalidUTF8Field(b []byte) string {
	type frame struct {
		array  bool
		key    string // object: the member whose value is being read, if hasKey
		hasKey bool
		index  int // array: the element being read
	}
	var stack []frame
	path := func() string {
		var sb strings.Builder
		for _, f := range stack {
			switch {
			case f.array:
				fmt.Fprintf(&sb, "[%d]", f.index)
			case f.hasKey:
				if sb.Len() > 0 {
					sb.WriteByte('.')
				}
				sb.WriteString(f.key)
			}
		}
		if sb.Len() == 0 {
			return "body"
		}
		return sb.String()
	}
	// valueDone ends the value of the innermost container's member.
	valueDone := func() {
		if n := len(stack); n > 0 && !stack[n-1].array {
			stack[n-1].hasKey = false
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var prev int64
	for {
		tok, err := dec.Token()
		if err != nil {
			return "body"
		}
		off := dec.InputOffset()
		bad := !utf8.Valid(b[prev:off])
		prev = off
		delim, isDelim := tok.(json.Delim)
		if isDelim && (delim == '}' || delim == ']') {
			stack = stack[:len(stack)-1]
			valueDone()
			continue
		}
		n := len(stack)
		if n > 0 && !stack[n-1].array && !stack[n-1].hasKey { // a key
			if bad {
				return path()
			}
			stack[n-1].key, _ = tok.(string)
			stack[n-1].hasKey = true
			continue
		}
		if n > 0 && stack[n-1].array {
			stack[n-1].index++
		}
		if bad {
			return path()
		}
		switch {
		case isDelim && delim == '{':
			stack = append(stack, frame{})
		case isDelim && delim == '[':
			stack = append(stack, frame{array: true, index: -1})
		default:
			valueDone()
		}
	}
}

func jsonProblem(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	var be *bodyError
	switch {
	case errors.As(err, &mbe), errors.As(err, &be):
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
