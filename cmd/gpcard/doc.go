// Command gpcard is the cardhost operator CLI for GlobalPlatform cards: it
// lists, loads, installs, deletes, personalises and re-keys card content
// through PC/SC readers or simulated cards, and serves simulated cards to
// pcscd.
//
// Usage:
//
//	gpcard [global flags] COMMAND [flags] [args]
//
// Global flags (each also read from an environment variable, flags win):
//
//	-r, --reader SPEC   CARDHOST_READER   PC/SC reader: exact name, unique substring or index
//	                                      (see "gpcard readers"); sim:PATH is a simulated card
//	                                      whose image is PATH, created with the default profile
//	                                      on first use
//	--sd AID            CARDHOST_SD       security domain to select (default: discovered ISD)
//	--key SPEC          CARDHOST_KEY      default | HEX | emv:HEX | visa2:HEX | kdf3:HEX
//	--key-enc/-mac/-dek CARDHOST_KEY_ENC… single plain keys overriding --key
//	--kvn HEX           CARDHOST_KVN      key version for INITIALIZE UPDATE (default: card's)
//	--scp 02|03         CARDHOST_SCP      force the protocol (default: what the card announces)
//	--scp-i HEX         CARDHOST_SCP_I    force the implementation option i
//	--sec LEVEL         CARDHOST_SEC      mac, enc, rmac, renc (comma separated; default mac)
//	-d, --trace         CARDHOST_TRACE    APDU trace on stderr, secrets redacted; -dd adds debug logs
//	--json              CARDHOST_JSON     one JSON value on stdout instead of text
//
// Commands:
//
//	readers                          list PC/SC readers
//	info                             CPLC, IIN, CIN, KDD, SSC, card data, capabilities, keys (no auth)
//	list                             registry like gp -l
//	install CAP                      load + install + make selectable; --load-only, --install-only,
//	                                 --to SD, --applet AID, --instance AID, --params HEX, --privs LIST,
//	                                 --force (delete the package and its instances first)
//	delete AID                       --related deletes a package's instances too
//	put-key                          --new-kvn KVN [--replace KVN] --new-key SPEC | --new-key-enc/-mac/-dek
//	create-ssd AID                   --privs LIST, --ssd-scp, --ssd-i, --allow-to, --allow-from,
//	                                 --ssd-key SPEC [--ssd-kvn KVN] (first key set in the same run)
//	extradite AID --to SD
//	lock AID / unlock AID
//	card-state initialize|secure|lock|unlock|terminate   (terminate needs --yes-really)
//	store-data HEX...                --format dgi|ber|none, --encrypted, --response
//	personalize AID DGI=HEX...       INSTALL [for personalization] + STORE DATA (DGI format)
//	apdu HEX...                      raw APDUs; --secure sends them through the secure channel
//	cap info CAP                     CAP file contents, load file size and hashes
//	sim new PATH [--profile P]       create a card image
//	sim show PATH                    life cycle, SDs, key sets (KVN/KID/type/KCV, never keys), content
//	sim serve                        --cards N --dir DIR --profile P --vpcd-port BASE: serve N cards
//	                                 to pcscd's vpcd readers BASE..BASE+N-1 until SIGINT/SIGTERM
//	sim purse-cap FILE               write the CAP file of the e-purse simulated cards run
//
// Exit codes: 0 success, 1 the card, reader or a file failed the operation, 2
// the command line is wrong (nothing was sent to the card). A card refusal is
// printed with the command, the status word, its meaning and a hint; with
// --json the same comes as {"error", "exit_code", "command", "sw", "meaning",
// "hint"} on stdout.
//
// Keys never appear in any output: PUT KEY and STORE DATA payloads are
// redacted in traces, key sets are shown by KVN and KCV, errors never repeat a
// key given on the command line. Key-changing and life-cycle commands say on
// stderr what they are about to do; progress bars (LOAD, and a spinner for
// anything slower than a second) appear only when stderr is a terminal and
// never with --json.
//
// The JSON shapes (field names are a stable interface) are the *JSON types of
// this package, listed in README.md beside this file. The package holds
// flags, wiring and output only: the protocol lives in gpcard, the simulator
// in sim. Commands are built by app.newRootCommand and run by app.run, so
// tests execute the CLI in process with a private environment.
package main
