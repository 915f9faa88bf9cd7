// Package simtest gives tests a simulated card in one line, and serves
// simulated cards to a private pcscd (test/pcscdtest) through its vpcd
// readers.
//
//	card, tr := simtest.NewCard(t)                                  // default profile, in memory
//	card, tr := simtest.NewCard(t, simtest.WithProfileName("gp231-scp03-i70"), simtest.WithFile())
//	card, tr := simtest.NewCard(t, simtest.WithPaymentApplet())    // purse installed, Go applet registered
//	names := simtest.ServeVPCD(t, daemon, card)                    // PC/SC reader names, card r in reader r
//
// NewCard returns the card (for fault hooks, Snapshot, …) and an in-process
// reader.Transport to it; ServeVPCD inserts cards into vpcd readers and waits
// until pcscd reports them present; pcscdtest.Main is the TestMain body that
// starts the private pcscd. Everything is undone by t.Cleanup.
//
// On the path reader → channel → command → parser, simtest provides the far
// end: a card behind a reader.Transport. Like the rest of the simulator it
// never imports host-side code, so pre-provisioning is limited to what the
// simulator's own API allows without a host: a profile (by name or value),
// load files present at manufacture, and key sets and application instances
// written into the card image (sim/image) before the card is opened. A card
// so provisioned is file-backed (in t.TempDir()), because sim opens a
// modified image only from a file. Anything beyond that — LOAD, PUT KEY,
// personalisation — goes through a real host over the returned transport.
package simtest
