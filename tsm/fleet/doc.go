// Package fleet builds fleets of simulated cards (package sim) for the TSM's
// in-process executor, the demo and tests: N distinct cards made from one
// embedded profile, each with its own CIN, KDD and CPLC serial, and ISD keys
// diversified from a manufacturer master key by the card's KDD — as a card
// vendor ships them. Cards live in memory (New) or in image files in a
// directory (Create, Open), where every committed command survives the
// process, so a killed TSM finds its cards as it left them.
//
// A Fleet is a jobs.CardSource: the executor opens a card by CIN and gets its
// in-process transport. The cards host the payment applet (applet/payment).
package fleet
