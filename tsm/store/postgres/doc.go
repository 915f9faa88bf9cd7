// Package postgres is the PostgreSQL backend of tsm/store, for deployments
// where several TSM instances share one database. It uses
// github.com/jackc/pgx/v5 through database/sql.
//
// Job claims select with FOR UPDATE SKIP LOCKED, so instances never claim the
// same job and never wait on each other's queue rows; every update to a job
// first locks the job row, and audit appends are serialised by the row lock on
// the single-row audit head. Migrations take a transaction-scoped advisory
// lock, so instances starting together migrate once.
//
// Importing the package registers the "postgres" and "postgresql" schemes
// with store.Open. DSNs are pgx connection URLs
// ("postgres://user@host:5432/db?sslmode=verify-full"); put the password in
// a pgpass file or PGPASSWORD rather than in configuration.
package postgres
