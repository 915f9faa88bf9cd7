// Package test holds end-to-end and interoperability tests that need more
// than one package: the real PC/SC stack (pcscd + vpcd, started by
// test/pcscdtest), and later the TSM with agents and simulated cards.
package test
