package sw

import "strings"

type hintKey struct {
	command string
	sw      uint16
}

// hints are operator advice for a status word after a given command, keyed by
// the command name without its bracketed variant ("INSTALL [for load]" →
// "INSTALL") unless a variant needs its own text.
var hints = map[hintKey]string{
	{"INITIALIZE UPDATE", 0x6982}:                         "wrong keys or key version — do not retry blindly, the card counts failed authentications",
	{"INITIALIZE UPDATE", 0x6983}:                         "authentication blocked: the security domain is locked after too many failed authentications",
	{"INITIALIZE UPDATE", 0x6A88}:                         "the card has no key set with this key version number; list key information (GET DATA E0)",
	{"INITIALIZE UPDATE", 0x6985}:                         "the sequence counter is exhausted or the security domain is not in a usable state",
	{"EXTERNAL AUTHENTICATE", 0x6300}:                     "host cryptogram rejected: wrong keys — do not retry blindly, the card counts failed authentications",
	{"EXTERNAL AUTHENTICATE", 0x6982}:                     "host cryptogram rejected: wrong keys — do not retry blindly, the card counts failed authentications",
	{"SELECT", 0x6A82}:                                    "no application with this AID on the card (or it is not selectable)",
	{"SELECT", 0x6283}:                                    "the card or application is locked",
	{"DELETE", 0x6985}:                                    "instances or dependent packages still present, use --related or delete them first",
	{"DELETE", 0x6A88}:                                    "nothing to delete: no such AID or key on the card",
	{"DELETE", 0x6A82}:                                    "nothing to delete: no such AID on the card",
	{"INSTALL [for install]", 0x6A80}:                     "the card rejects these privileges/parameters (for an SSD, check the C9 parameters and privileges the card profile accepts)",
	{"INSTALL [for install and make selectable]", 0x6A80}: "the card rejects these privileges/parameters (for an SSD, check the C9 parameters and privileges the card profile accepts)",
	{"INSTALL [for load]", 0x6A80}:                        "the card rejects the load parameters or the package (CAP version, imports, hash)",
	{"INSTALL", 0x6985}:                                   "conditions not satisfied: the AID may already exist, or the security domain is not personalized or lacks the needed privilege",
	{"INSTALL", 0x6A84}:                                   "not enough memory on the card",
	{"INSTALL", 0x6A88}:                                   "referenced package, module or security domain not found",
	{"LOAD", 0x6A84}:                                      "not enough memory on the card for this load file",
	{"LOAD", 0x6A80}:                                      "the card rejects the load file (malformed, unsupported Java Card version, or wrong block sequence)",
	{"LOAD", 0x6985}:                                      "load rejected: restart from INSTALL [for load]; block numbering must restart at 00",
	{"PUT KEY", 0x6982}:                                   "the card computed a different key check value: the key was encrypted with the wrong DEK",
	{"PUT KEY", 0x6A80}:                                   "the card rejects the key data (type, length, or a key version it does not allow here — add vs replace?)",
	{"PUT KEY", 0x6A88}:                                   "the key version to replace does not exist — use add (P1=00) instead of replace",
	{"PUT KEY", 0x9485}:                                   "the card computed a different key check value: the key was encrypted with the wrong DEK",
	{"GET STATUS", 0x6A86}:                                "the card does not support this format; retry with the legacy format (P2=00)",
	{"GET STATUS", 0x6A88}:                                "no entries of this kind on the card",
	{"GET DATA", 0x6A88}:                                  "the card does not hold this data object",
	{"SET STATUS", 0x6985}:                                "this life-cycle transition is not allowed from the current state",
	{"STORE DATA", 0x6982}:                                "the card could not verify the data (wrong DEK or key check value)",
}

// Hint returns operator advice for status after command, or "" when there is
// none. command is a StatusError.Command value such as "INSTALL [for load]";
// advice for the exact variant wins over advice for the bare command name.
func Hint(command string, status uint16) string {
	if h, ok := hints[hintKey{command, status}]; ok {
		return h
	}
	base, _, _ := strings.Cut(command, " [")
	return hints[hintKey{base, status}]
}
