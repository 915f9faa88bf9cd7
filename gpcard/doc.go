// Package gpcard is the card session API that the operator CLI and the TSM
// call: connect to a card over any reader.Transport, find its issuer
// security domain, open a secure channel and manage the card (info, list,
// load, install, delete, put keys, create SSDs, extradite, lock, set the
// card life cycle, personalise).
//
// It sits at the top of the host path reader → channel → command → parser:
// a Card builds commands with gpcard/command, sends them through the secure
// channel of gpcard/scp02 or gpcard/scp03 (chosen, with its "i", from the
// card recognition data of the SELECT answer, else one GET DATA 66, unless
// forced), checks status words into *sw.StatusError values naming the
// command and the meaning, and parses answers into typed results that print
// and marshal to JSON alike.
//
// Operations send the minimum: Connect one SELECT, Authenticate INITIALIZE
// UPDATE and EXTERNAL AUTHENTICATE, InstallCAP one INSTALL [for load], the
// LOAD blocks (as large as the card's FCI 9F65 and the channel's MAC and
// padding overhead allow, extended length when announced) and one INSTALL
// [for install and make selectable]. A failed authentication is an
// *AuthError, never retried, warning that retries may lock the card.
//
// Delegated Management: SetDelegation makes a Card attach a token (signed by
// a TokenFunc, e.g. SignTokens over an HSM key) to every INSTALL and DELETE
// and verify the receipt of each with a ReceiptVerifier (ReceiptKey: 3DES
// or AES). LoadOptions.Ciphered sends a Ciphered Load File Data Block (tag
// D4) encrypted inside the key provider (keys.LoadFileEncrypter).
//
// Personalisation: PersonalizeWith and StoreDGIs send secret DGIs encrypted
// under the session's DEK inside the key provider — clear values through
// keys.DataEncrypter, provider-held keys through WrapKey — in STORE DATA
// blocks marked encrypted (P1 b7–b6 = 11); the DEK never leaves the
// provider, so this works for SCP02, whose session DEK gpcard never sees.
//
// Logical channels: OpenChannel opens a supplementary channel with MANAGE
// CHANNEL and returns a Card bound to it, with its own secure channel;
// CloseChannel closes it. Cards sharing a transport must not be used
// concurrently.
//
// The package does not log or print: progress is a callback, and
// Options.Trace receives every exchange with key-carrying data redacted.
// Keys stay in the keys.Provider given to Authenticate.
package gpcard
