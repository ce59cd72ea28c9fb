package httpapi

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a request error with the HTTP status it maps to and a one-line reason safe to show
// the sender (no internals, no secrets).
type Error struct {
	Status int
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Reason) }

// Errorf builds an *Error.
func Errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Reason: fmt.Sprintf(format, args...)}
}

// Unauthorized is a 401 with reason.
func Unauthorized(reason string) *Error {
	return &Error{Status: http.StatusUnauthorized, Reason: reason}
}

// BadRequest is a 400 with reason.
func BadRequest(reason string) *Error { return &Error{Status: http.StatusBadRequest, Reason: reason} }

// FromError maps err to its response: an *Error anywhere in the chain gives its status and
// reason; anything else is a 500 whose body says nothing about the cause (it is logged instead).
func FromError(err error) *Response {
	var e *Error
	if errors.As(err, &e) {
		return Text(e.Status, e.Reason)
	}
	return Text(http.StatusInternalServerError, "internal error; the delivery was not stored, please retry")
}
