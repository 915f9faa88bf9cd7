// Package sqlite is the embedded SQLite backend of tsm/store, the TSM's
// default: one database file (plus SQLite's -wal and -shm companions while
// open), opened with modernc.org/sqlite (pure Go, no cgo).
//
// Every connection runs in WAL mode with foreign keys on, synchronous=FULL
// (an outcome recorded before the next step survives power loss) and a busy
// timeout; write transactions begin IMMEDIATE, so SQLite's single writer
// serialises them and a transaction never fails upgrading a read lock. One
// process should own the file: several TSM instances share PostgreSQL instead.
//
// Importing the package registers the "sqlite" scheme with store.Open, which
// also routes scheme-less DSNs (plain file paths) here.
package sqlite
