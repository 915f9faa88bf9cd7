package api

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxLimit is the largest page the store returns.
const maxLimit = 1000

// hexParam decodes a hex value (either case) named name; empty is nil.
func hexParam(name, s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	b, err := hex.DecodeString(s)
	if err != nil || len(b) > 64 {
		return nil, errorf(http.StatusBadRequest, codeBadRequest, "%s: want at most 64 bytes of hex", name)
	}
	return b, nil
}

// limitParam reads the limit query parameter: default def, at most
// maxLimit.
func limitParam(r *http.Request, def int) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, errorf(http.StatusBadRequest, codeBadRequest, "limit: want a positive integer")
	}
	return min(n, maxLimit), nil
}

// decodeJSON reads a JSON request body of at most maxJSON bytes into v,
// refusing unknown members and trailing data.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return errorf(http.StatusUnsupportedMediaType, codeMediaType, "Content-Type must be application/json")
	}
	d := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSON))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return err
		}
		return errorf(http.StatusBadRequest, codeBadRequest, "request body: %v", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return errorf(http.StatusBadRequest, codeBadRequest, "request body: trailing data after the JSON value")
	}
	return nil
}

// pathHex decodes the path wildcard name as hex.
func pathHex(r *http.Request, name string) ([]byte, error) {
	b, err := hexParam(name, r.PathValue(name))
	if err == nil && len(b) == 0 {
		err = errorf(http.StatusBadRequest, codeBadRequest, "%s: required", name)
	}
	return b, err
}

// notFoundf is a 404 naming what is missing.
func notFoundf(format string, a ...any) error {
	return errorf(http.StatusNotFound, codeNotFound, "%s", fmt.Sprintf(format, a...))
}
