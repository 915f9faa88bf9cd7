// Package reader is the card seam of cardhost: the Transport interface every card
// source implements (PC/SC readers through pcscd, the in-process simulator, a
// remote terminal), the ISO/IEC 7816-4 transport rules (T=0 GET RESPONSE on
// 61xx, re-send on 6Cxx), the PC/SC implementation on top of
// github.com/ebfe/scard, card insertion/removal events, and an APDU trace
// decorator that redacts secret payloads.
//
// The data path of a command is reader → secure channel (gpcard/scp02,
// gpcard/scp03) → command builders and parsers (gpcard/command). This package
// knows nothing of GlobalPlatform beyond which instructions carry secrets.
//
// Library code here never logs: errors are returned, and exchanges are handed
// to a TraceFunc when the caller asks for a trace.
package reader
