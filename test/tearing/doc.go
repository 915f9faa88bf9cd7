// Package tearing holds the card tearing tests: each card-changing gpcard
// operation is run against a simulated card (in process) with power cut
// before or after every one of its APDUs, and the card found after power-up
// must be in the committed state before or after the torn command — never a
// mix — with the registry invariants intact.
package tearing
