// Package store is the persisted model of the TSM: the card inventory, the CAP
// catalog, jobs with their steps and key-slot reservations, campaigns, the
// hash-chained audit log and the operators' API tokens.
//
// Store is the one interface the TSM service layer talks to. Two backends
// implement it, both with the same schema and the same ordered list of
// migrations: embedded SQLite (package tsm/store/sqlite, the default, one file)
// and PostgreSQL (package tsm/store/postgres, for several TSM instances sharing
// the load). Backends register themselves by DSN scheme; Open picks one:
//
//	s, err := store.Open(ctx, "sqlite:///var/lib/tsm/tsm.db")
//	s, err := store.Open(ctx, "postgres://tsm@db.example/tsm")
//
// Nothing here holds key material. Inventory, jobs and audit name keys by KVN
// and KCV; a job reserves a key slot by keystore label; the catalog keeps a
// package's ciphertext with a keystore reference to its wrapped per-package key
// and, if the keystore asks for it, an opaque sealed blob. JSON documents that a
// caller hands in (step parameters and outcomes, audit details, campaign
// selections) are rejected with ErrSecretField when a member name looks like
// key material ("key", "pin", "token", …), as a backstop.
//
// Errors are typed: match them with errors.Is against ErrNotFound, ErrConflict,
// ErrInvalid, ErrLeaseLost and ErrTampered. Every method takes a context and is
// safe for concurrent use; on PostgreSQL several processes may share one
// database.
package store
