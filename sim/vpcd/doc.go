// Package vpcd connects a card to pcscd through the vsmartcard "vpcd" reader
// driver (Debian package vsmartcard-vpcd), so that every PC/SC application —
// gpcard, GlobalPlatformPro, GPShell, scriptor, opensc-tool — sees the card in
// a "Virtual PCD" reader.
//
// The driver listens on a TCP port per reader slot; the card side (this
// package) dials it. The wire protocol (vsmartcard vpcd.c / ifd-vpcd.c): every
// message in both directions is a 2-byte big-endian length and that many
// bytes. A 1-byte message from vpcd is a control code — 00 power off, 01 power
// on, 02 reset (no reply to any of these), 04 get ATR (reply: the ATR). Any
// other message is a C-APDU, answered with the R-APDU. vpcd asks for the ATR on
// every presence poll (about every 0.4 s), so the card must answer at any time.
//
// TCP_QUICKACK is set after every header read: without it the kernel's delayed
// ACK adds about 40 ms to each APDU.
package vpcd
