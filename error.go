package trygg

import (
	"errors"
	"fmt"
)

// Error codes. api/ maps each to one HTTP status; only EINTERNAL is logged, and its
// message is never shown to users.
const (
	EINVALID       = "invalid"       // the input is wrong; Field names what
	ENOTFOUND      = "not_found"     // the thing does not exist (or is not visible to the caller)
	EUNAUTHORIZED  = "unauthorized"  // not signed in, or the session or token is no longer valid
	EFORBIDDEN     = "forbidden"     // signed in, but the role or scope does not allow it
	ECONFLICT      = "conflict"      // the input clashes with stored state
	EUNPROCESSABLE = "unprocessable" // well-formed, but cannot be done (a place outside every municipality)
	EUNAVAILABLE   = "unavailable"   // the database is down, overloaded or too slow
	EINTERNAL      = "internal"      // a bug or an unexpected failure
)

// Error is an error that users may see: a code, a message in plain words and, for
// EINVALID, the field at fault (a JSON name or a query parameter).
type Error struct {
	Code    string
	Field   string
	Message string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("trygg: %s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("trygg: %s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code, field and formatted message.
func Errorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the *Error in err's chain, EINTERNAL for any other
// error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err: the *Error's message, or
// "Internal error." for anything else.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorField returns the field at fault, if err is an *Error that names one.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
