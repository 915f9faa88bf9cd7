package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// reqInfo is what the access log learns while a request is served.
type reqInfo struct {
	id    string
	actor string
}

type reqInfoKey struct{}

func requestInfo(r *http.Request) *reqInfo {
	i, _ := r.Context().Value(reqInfoKey{}).(*reqInfo)
	return i
}

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (rw *recorder) WriteHeader(code int) {
	if rw.status == 0 {
		rw.status = code
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *recorder) Write(b []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	n, err := rw.ResponseWriter.Write(b)
	rw.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// access wraps an endpoint: it gives the request an ID, turns a returned
// error into a JSON error response, counts the request and writes one
// access log line. The line is an allowlist of fields: never headers, the
// query string or a body. route is the path pattern ("" for unknown paths).
func (h *Handler) access(route string, serve func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &reqInfo{id: h.requestID()}
		w.Header().Set("X-Request-Id", info.id)
		rw := &recorder{ResponseWriter: w}
		r = r.WithContext(context.WithValue(r.Context(), reqInfoKey{}, info))
		if err := serve(rw, r); err != nil {
			he, known := classify(err)
			if !known {
				h.log.ErrorContext(r.Context(), "request failed", "request_id", info.id, "route", route, "err", err)
			}
			if rw.status == 0 {
				_ = writeJSON(rw, he.status, he.body)
			}
		}
		if route == "" {
			route = "unknown"
		}
		h.metrics.requests.WithLabelValues(route, strconv.Itoa(rw.status)).Inc()
		level := slog.LevelInfo
		if route == "/healthz" || route == "/metrics" {
			level = slog.LevelDebug
		}
		h.log.Log(r.Context(), level, "http request", "request_id", info.id, "method", r.Method, "route", route,
			"path", r.URL.Path, "status", rw.status, "bytes", rw.bytes, "duration_ms", time.Since(start).Milliseconds(),
			"actor", info.actor, "remote_addr", r.RemoteAddr)
	})
}

// requestID returns 8 random bytes in hex.
func (h *Handler) requestID() string {
	b := make([]byte, 8)
	r := h.opt.rand
	if r == nil {
		r = rand.Reader
	}
	if _, err := io.ReadFull(r, b); err != nil {
		return "unknown"
	}
	return hex.EncodeToString(b)
}
