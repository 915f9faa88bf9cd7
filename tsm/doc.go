// Package tsm is the Trusted Service Manager's service layer: the one type,
// Service, that commands (cmd/tsm) and the coming HTTP API call. Its methods
// take a context first and return typed results from tsm/store; it logs with
// the *slog.Logger it is given and never returns or logs key material.
//
// Underneath: tsm/store persists the inventory, catalog, jobs, campaigns and
// the hash-chained audit log; tsm/keystore holds every key; tsm/catalog
// encrypts CAP files at rest; tsm/inventory reads cards; tsm/jobs runs the
// persisted step plans on cards and resumes them after crashes and tears;
// tsm/fleet provides in-process simulated cards.
package tsm
