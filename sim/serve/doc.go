// Package serve runs a fleet of file-backed simulated cards in vpcd reader
// slots, so that pcscd — and every PC/SC application behind it — sees them as
// cards in "Virtual PCD" readers. It is what `gpcard sim serve [--cards N]
// [--dir DIR] [--profile FILE] [--vpcd-port BASE]` calls.
//
// Card i keeps its state in DIR/card-NNN.img (NNN = i, three digits; see
// ImagePath): an existing image is opened, a missing one is created from the
// profile, so a fleet picks up where it stopped. Card i dials the vpcd slot at
// host:BASE+i (vpcd's default readers listen on 35963 and 35964) and
// reconnects by itself when pcscd restarts (vpcd.Slot).
//
// On the card path this package is the far end: it owns no protocol, only
// files, cards (package sim) and their vpcd slots (package sim/vpcd).
//
//	f, err := serve.Start(ctx, serve.Options{Dir: "cards", Cards: 4})
//	…
//	err = f.Stop()
//
// or, for a command that serves until it is interrupted, serve.Run(ctx, o).
package serve
