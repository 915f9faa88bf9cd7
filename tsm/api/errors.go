package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/cardhost/cardhost/applet/cap"
	"github.com/cardhost/cardhost/tsm/store"
)

// Error codes, the "code" member of every error response.
const (
	codeBadRequest   = "bad_request"
	codeMediaType    = "unsupported_media_type"
	codeUnauthorized = "unauthorized"
	codeForbidden    = "forbidden"
	codeNotFound     = "not_found"
	codeMethod       = "method_not_allowed"
	codeConflict     = "conflict"
	codeTooLarge     = "too_large"
	codeInvalid      = "invalid"
	codeInternal     = "internal"
	codeUnavailable  = "unavailable"
)

// Error is the body of every error response.
type Error struct {
	Message string `json:"error"`
	Code    string `json:"code"`
}

// httpError is an error with the status and code the client gets.
type httpError struct {
	status int
	body   Error
}

func (e *httpError) Error() string { return e.body.Message }

// errorf returns an error answered with status and code.
func errorf(status int, code, format string, a ...any) error {
	return &httpError{status: status, body: Error{Message: fmt.Sprintf(format, a...), Code: code}}
}

// classify maps an error from the service or store to the response the
// client gets. Errors it does not know are 500 with a generic message; the
// caller logs them.
func classify(err error) (*httpError, bool) {
	var he *httpError
	if errors.As(err, &he) {
		return he, true
	}
	var fe *cap.FormatError
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &mb):
		return &httpError{http.StatusRequestEntityTooLarge, Error{fmt.Sprintf("request body larger than %d bytes", mb.Limit), codeTooLarge}}, true
	case errors.Is(err, store.ErrNotFound):
		return &httpError{http.StatusNotFound, Error{err.Error(), codeNotFound}}, true
	case errors.Is(err, store.ErrConflict):
		return &httpError{http.StatusConflict, Error{err.Error(), codeConflict}}, true
	case errors.Is(err, store.ErrInvalid), errors.As(err, &fe):
		return &httpError{http.StatusUnprocessableEntity, Error{err.Error(), codeInvalid}}, true
	}
	return &httpError{http.StatusInternalServerError, Error{"internal error (see the server log)", codeInternal}}, false
}

// writeJSON writes v as the JSON body of a response with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, err = w.Write(append(b, '\n'))
	return err
}
