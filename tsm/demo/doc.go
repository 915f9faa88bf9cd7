// Package demo wires a complete TSM for the demo (`tsm demo`) and for
// end-to-end tests: a store (SQLite in a directory by default), a sealed key
// store with the issuer's and provider's keys, a fleet of simulated cards,
// the payment applet in the catalog and one provisioning campaign over the
// fleet. Open is idempotent, so a process killed mid-campaign reopens the
// same TSM, keys, cards and campaign and resumes.
package demo
