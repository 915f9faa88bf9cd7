// Package softhsmtest initialises private SoftHSM2 tokens for tests of the
// PKCS#11 key store. Each token lives in its own temporary directory with
// its own softhsm2.conf, selected through SOFTHSM2_CONF (set with
// t.Setenv, so tests using it cannot run in parallel); no system token is
// touched. A missing SoftHSM2 fails the test, naming the Debian package.
//
// SoftHSM reads SOFTHSM2_CONF when the module is initialised, so all
// stores on one token must be closed before the next token is created.
package softhsmtest
