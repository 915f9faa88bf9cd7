// Package payment is an e-purse applet hosted by the card simulator: a
// balance in minor currency units, credited and debited by commands that
// carry a MAC'd authorisation from the purse issuer, personalised through
// STORE DATA and switched feature by feature with explicit flags.
//
// It sits on the card side of the path reader → channel → command → parser:
// the simulator's card manager instantiates a Purse (see Register) when
// INSTALL [for install] names the applet module, forwards STORE DATA to it
// after INSTALL [for personalization], and hands it the plain APDUs of the
// selected instance. Every piece of state lives in applet.Storage, so it
// survives power loss; a Purse value itself holds nothing. The host side (a
// TSM, the demo, tests) uses the helpers of host.go: DGI builders for
// personalisation and the authorisation MAC.
//
// # Identifiers
//
//	package (load file) AID  A0000006170001, version 1.0
//	applet (module) AID      A000000617000101
//
// # Install parameters
//
// The application specific parameters (the value of tag C9 of INSTALL [for
// install]) are empty or BER-TLV with these tags, each at most once; any other
// tag makes INSTALL fail (6A80):
//
//	80  version string, 1–16 printable ASCII bytes; overrides Version
//	81  feature flags, 1 byte (see Flags); default DefaultFlags
//
// # Personalisation (STORE DATA, GPCS 2.3.1 §11.11)
//
// STORE DATA must be in DGI format (P1 b5–b4 = 01, i.e. P1 & 18 = 08); P1
// b7–b6 may be 00 or 11 (the security domain decrypted the data) but not 01
// (application-dependent encryption, unsupported) or 10 (RFU); b3–b2 must be
// 0 (6A86 otherwise). A DGI is ID(2) ‖ length (1 byte 00–FE, or FF and 2
// bytes) ‖ value; a DGI may be cut across blocks. The DGIs:
//
//	8101  purse key, AES-128, 16 bytes (secret: 8xxx, may be sent encrypted)
//	0101  balance limit, 4 bytes big-endian, minor units, not zero
//	0102  currency, 2 bytes ISO 4217 numeric in BCD (e.g. 0978 for EUR)
//	0103  card holder id, 1–16 bytes (bound into every authorisation MAC)
//	0104  feature flags, 1 byte (optional; overrides the install flags)
//
// An unknown DGI answers 6A88, a bad value 6A80. The block with P1 b8 set
// (P1 & 80) is the last: it is refused (6985) unless DGIs 8101, 0101, 0102 and
// 0103 have all been received, and after it the purse is personalised with
// balance 0 and transaction counter 0. A block that fails changes nothing, so
// it may be sent again. Any STORE DATA after personalisation answers 6985:
// to personalise again, delete and re-install the instance. Before
// personalisation every command except GET VERSION answers 6985.
//
// # Commands
//
// The card manager removes secure messaging, so the applet sees plain
// commands. CLA must have b8 set (80–FE: proprietary class, any logical
// channel); P1 P2 must be 00 00.
//
//	Command                  C-APDU                         R-APDU data
//	GET BALANCE              80 5C 00 00 [Le]               balance(4) ‖ currency(2)
//	CREDIT                   80 52 00 00 10 auth [Le]       new balance(4)
//	DEBIT                    80 54 00 00 10 auth [Le]       new balance(4)
//	GET TRANSACTION COUNTER  80 56 00 00 [Le]               counter(4)
//	GET VERSION              80 58 00 00 [Le]               version (ASCII)
//
// auth = amount(4) ‖ counter(4) ‖ MAC(8), integers big-endian, amount in
// minor units, and
//
//	MAC = first 8 bytes of AES-CMAC(purse key, INS ‖ amount ‖ counter ‖ holder id)
//
// where INS is 52 or 54 and holder id is the value of DGI 0103 (NIST SP
// 800-38B; see Authorize). counter must be the card's transaction counter
// plus one; a successful CREDIT or DEBIT sets the card's counter to it, a
// refused one leaves it (and the balance) unchanged.
//
// SELECT answers 9000 with the FCI
//
//	6F L { A5 L { 80 L version, 81 01 state (00 not personalised, 01 personalised), 82 01 flags } }
//
// # Status words
//
//	9000  success
//	6700  wrong length: data in GET commands, Lc other than 10 in CREDIT/DEBIT, malformed APDU
//	6Cxx  Le shorter than the response of a GET command (xx = response length)
//	6982  authorisation refused: counter is not card counter + 1 (replay, reordering)
//	      or wrong MAC; GET BALANCE without C-MAC when FlagBalanceProtected is set
//	6985  not personalised; feature disabled by the flags; DEBIT above the balance
//	      (insufficient funds); transaction counter exhausted (FFFFFFFF)
//	6A80  amount 0
//	6A84  CREDIT would take the balance above the limit (purse full)
//	6A86  P1 P2 not 00 00
//	6D00  unknown INS (STORE DATA too: it reaches the applet only through its SD)
//	6E00  CLA without b8 (interindustry class) or FF
//
// Checks run in that order of precedence: CLA, INS, P1 P2, lengths,
// personalisation, flags, counter, MAC, amount.
package payment
