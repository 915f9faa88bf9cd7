// Package sim is the card simulator's card manager: a GlobalPlatform 2.3.1
// card (ISD, SSDs, registry, life cycles, privileges, key sets) that test
// suites use in place of a real card, in process or through pcscd.
//
// A card is one value:
//
//	card := sim.New(profile.Default())   // in memory
//	t := card.Transport()                // a reader.Transport for host code
//
// or file-backed with Create / Open, in which case every committed command
// rewrites the image atomically (sim/image). *Card also implements
// vpcd.Card, so vpcd.Insert(ctx, addr, card) serves it to pcscd.
//
// On the card path (reader → channel → command → parser) this package is the
// far end: it parses command APDUs (short and extended), decodes CLA (logical
// channels 0–19, secure messaging bit), runs the secure channel through the
// card-side protocol packages sim/scp/scp02card and sim/scp/scp03card, and
// dispatches to the Security Domain commands — SELECT, MANAGE CHANNEL, GET
// DATA, GET STATUS, SET STATUS, DELETE, INSTALL, LOAD, PUT KEY, STORE DATA,
// INITIALIZE UPDATE, EXTERNAL AUTHENTICATE — or to the selected applet
// (applet.Registry; applet.Inert when no Go implementation exists).
//
// Atomicity: a state-changing command works on a deep Clone of the committed
// image.State and commits it only when it succeeds, so it is applied
// completely or not at all. Volatile state (selection, secure channel
// session, unfinished LOAD / PUT KEY chain / STORE DATA sequence, GET STATUS
// continuation) lives per channel and is lost on reset and power loss.
//
// Fault hooks for tests: TearBefore, TearAfter (power cut around the n-th
// APDU) and FailNext (one injected status word).
//
// The package never imports host-side code (gpcard, gpcard/command,
// gpcard/scp02, gpcard/scp03, gpcard/keys, gpcard/secret, tsm): it stands in
// for an independent card. TestNoHostDependencies enforces this.
//
// Delegated Management (GPCS 2.3.1 §C.4–C.5): an SSD with the Delegated
// Management privilege (and not Authorized Management) loads, installs,
// makes selectable, extradites and deletes its own content only with a
// token verified under the ISD's token key (SetTokenKey; the ISD needs
// Token Verification), else 6982; an operation authorised by a token is
// answered with a receipt from the ISD's receipt key (profile receipt_key or
// SetReceiptKey; Receipt Generation privilege), 3DES retail MAC or AES-CMAC,
// the confirmation counter (GET DATA C2) committed with the operation
// (receipts of make selectable and registry update bind the application AID
// alone: no public layout was found for them). An SD with the Ciphered
// Load File Data Block privilege takes the load file data block only as D4,
// encrypted under its Key-DEK (loadFileDataBlock).
//
// Not implemented (answers given instead): combined load+install (INSTALL P2
// 01/03 → 6A86), the PUT KEY extended format and asymmetric keys (6A80),
// DELETE P1 b8 chaining, command chaining (CLA b5, 6884), secure messaging
// on extended-length APDUs.
package sim
