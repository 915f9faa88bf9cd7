// Package pgtest starts a private PostgreSQL server for tests: initdb and
// pg_ctl from Debian's postgresql package (/usr/lib/postgresql/*/bin) in a
// temporary directory, listening on a free loopback port with a random
// password, stopped and removed when the test ends.
//
// PostgreSQL refuses to run as root, so when the test runs as root the
// server runs as the "postgres" system user (created by the Debian package)
// in a directory that user owns. A missing installation fails the test with a
// message naming the Debian package; it never skips.
package pgtest
