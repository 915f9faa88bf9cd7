// Package hostsim holds the host ↔ simulator tests: every gpcard session
// operation run against the sim card manager, in process (sim.Transport) and
// through the real PC/SC stack (a private pcscd with vpcd readers, started by
// test/pcscdtest in TestMain), for each secure channel profile and security
// level. The two sides were written independently; a disagreement found here
// is settled from shared/spec, not from whichever side is convenient.
package hostsim
