// Package scptest is the test scaffolding shared by the card-side secure
// channel packages sim/scp/scp02card and sim/scp/scp03card: hex helpers, a
// reader of the block-structured transcript files in their testdata, the
// framing of fuzz inputs into APDU sequences, a constant randomness source,
// the benchmark loop of one unwrapped command and its wrapped response, and
// the check that the card side imports no host code.
//
// It is internal to sim/scp and used only from _test.go files; what each
// transcript line means, and every protocol assertion, stays in the protocol
// package's own tests.
package scptest
