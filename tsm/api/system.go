package api

import (
	"context"
	_ "embed"
	"net/http"
	"time"

	"github.com/cardhost/cardhost/tsm/store"
)

//go:embed openapi.json
var openapiDoc []byte

// health answers 200 {"status":"ok"} when the store answers a query, 503
// otherwise.
func (h *Handler) health(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if _, err := h.svc.Jobs(ctx, store.JobFilter{Limit: 1}); err != nil {
		h.log.WarnContext(ctx, "health check failed", "err", err)
		return errorf(http.StatusServiceUnavailable, codeUnavailable, "store unavailable")
	}
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// openapi serves the OpenAPI 3.1 document.
func (h *Handler) openapi(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openapiDoc)
	return err
}

// serveMetrics serves the Prometheus exposition.
func (h *Handler) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	h.metrics.handler.ServeHTTP(w, r)
	return nil
}
