// Package sw is the status-word catalogue of ISO/IEC 7816-4 and GlobalPlatform
// and the error type every layer uses for a card's non-success answer.
//
// It is a leaf package (standard library only), shared by the host side and the
// card simulator.
//
// Hint gives operator advice for a status word after a given command.
package sw
