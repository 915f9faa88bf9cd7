// Package api is the TSM's operator API: REST/JSON over HTTP in front of a
// tsm.Service, with bearer tokens, roles, Prometheus metrics, an OpenAPI 3.1
// document and structured access logs.
//
// It sits at the top of the TSM: cmd/tsm (`tsm serve`, `tsm demo`) builds a
// Handler with New and serves it with Serve; the Handler calls the service
// (tsm.Service) for cards, packages, jobs, campaigns and audit verification,
// and the store (tsm/store) for tokens and audit entries.
//
// # Endpoints
//
// Without a token: GET /healthz, GET /openapi.json (the OpenAPI document,
// which describes every endpoint), GET /metrics (Prometheus). With
// `Authorization: Bearer <token>`:
//
//	GET  /v1/cards              inventory, paged (all roles)
//	GET  /v1/cards/{cin}        one card (all roles)
//	GET  /v1/packages           the catalog (all roles)
//	POST /v1/packages           upload a CAP file (operator, admin)
//	GET  /v1/jobs               jobs by state, campaign or card (all roles)
//	GET  /v1/jobs/{id}          one job with its steps (all roles)
//	POST /v1/campaigns          plan + card selection (operator, admin)
//	GET  /v1/campaigns/{id}     progress and per-card outcome (all roles)
//	GET  /v1/audit              audit entries after a sequence number (auditor, admin)
//	POST /v1/audit/verify       verify the hash chain (auditor, admin)
//	GET  /v1/tokens             token names and roles, never hashes (admin)
//
// # Tokens
//
// A token is a random string shown once when it is made (NewToken, `tsm token
// create`); the store keeps only its SHA-256 (HashToken). Each token has one
// role: admin (everything), operator (packages and campaigns, read-only
// otherwise) or auditor (read-only and the audit log). A missing, unknown or
// revoked token is 401; a role that may not call the endpoint is 403.
//
// # Errors
//
// Every error is JSON {"error": "...", "code": "..."}: 400 bad_request (the
// request does not parse), 401 unauthorized, 403 forbidden, 404 not_found,
// 405 method_not_allowed, 409 conflict (e.g. a package version already in
// the catalog), 413 too_large, 422 invalid (it parses but is not acceptable:
// a bad plan, an unknown package, a CAP file that does not validate), 500
// internal (details only in the log), 503 unavailable.
//
// # Keys and logs
//
// Responses carry key set numbers and check values, never keys: the service
// and store never hand key material to this package. Access logs are an
// allowlist (method, route, path, status, bytes, duration_ms, actor,
// request_id, remote_addr); headers, query strings and bodies are never
// logged.
package api
