package command

import (
	"fmt"

	"github.com/skythen/apdu"
)

// Instruction bytes (GPCS 2.3.1 §11.1.1, Table 11-2; ISO/IEC 7816-4 for SELECT).
const (
	insSelect    = 0xA4
	insGetData   = 0xCA
	insGetStatus = 0xF2
	insInstall   = 0xE6
	insLoad      = 0xE8
	insDelete    = 0xE4
	insPutKey    = 0xD8
	insSetStatus = 0xF0
	insStoreData = 0xE2
)

// Class bytes: ISO interindustry and GlobalPlatform proprietary without
// secure messaging (GPCS 2.3.1 §11.1.4, Table 11-11).
const (
	claISO = 0x00
	claGP  = 0x80
)

// neMax asks for up to 256 response bytes: Le = 00 in a short APDU.
const neMax = 256

// Command names for sw.Check and sw.Hint, as StatusError prints them.
const (
	NameSelect                          = "SELECT"
	NameGetData                         = "GET DATA"
	NameGetStatus                       = "GET STATUS"
	NameInstallForLoad                  = "INSTALL [for load]"
	NameInstallForInstall               = "INSTALL [for install]"
	NameInstallForMakeSelectable        = "INSTALL [for make selectable]"
	NameInstallForInstallMakeSelectable = "INSTALL [for install and make selectable]"
	NameInstallForPersonalization       = "INSTALL [for personalization]"
	NameInstallForExtradition           = "INSTALL [for extradition]"
	NameInstallForRegistryUpdate        = "INSTALL [for registry update]"
	NameLoad                            = "LOAD"
	NameDelete                          = "DELETE"
	NamePutKey                          = "PUT KEY"
	NameSetStatus                       = "SET STATUS"
	NameStoreData                       = "STORE DATA"
)

// checkAID validates an AID field: 5 to 16 bytes (ISO/IEC 7816-5), or empty
// when the field is optional.
func checkAID(field string, aid []byte, optional bool) error {
	if optional && len(aid) == 0 {
		return nil
	}
	if len(aid) < 5 || len(aid) > 16 {
		return fmt.Errorf("%s: AID of %d bytes, want 5 to 16", field, len(aid))
	}
	return nil
}

// checkData returns an error if data does not fit a short command APDU;
// extended length is only used when a card announces it, which the session
// layer decides, so builders stay within 255 bytes.
func checkData(cmd string, data []byte) error {
	if len(data) > apdu.MaxLenCommandDataStandard {
		return fmt.Errorf("%s: command data of %d bytes exceeds 255", cmd, len(data))
	}
	return nil
}

// clone returns a copy of b that is nil when b is empty.
func clone(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}
