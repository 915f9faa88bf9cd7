package sim

// Privilege bits (GPCS 2.3.1 §11.1.2, Tables 11-7, 11-8, 11-9).
const (
	// byte 1
	privSecurityDomain  byte = 0x80
	privDAPVerification byte = 0xC0 // b8+b7
	privCardLock        byte = 0x10
	privCardTerminate   byte = 0x08
	privCardReset       byte = 0x04
	privMandatedDAP     byte = 0xC1 // b8+b7+b1
	privDelegatedMgmt   byte = 0xA0 // b8+b6
	// byte 2
	privAuthorizedMgmt byte = 0x40
	privGlobalDelete   byte = 0x10
	privGlobalLock     byte = 0x08
	privGlobalRegistry byte = 0x04
	privTokenVerif     byte = 0x20
	// byte 3
	privReceiptGen  byte = 0x80
	privCipheredLFB byte = 0x40
)

// has reports whether privileges byte b contains all bits of mask.
func has(b, mask byte) bool { return b&mask == mask }
