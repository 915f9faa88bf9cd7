package payment

// Host helpers: what a TSM, the demo or a test needs to drive the purse from
// the terminal side. Nothing here runs on the card.

import (
	"encoding/binary"
	"fmt"
)

// Personalisation DGIs (STORE DATA in DGI format); see the package doc.
const (
	DGIPurseKey uint16 = 0x8101 // AES-128 purse key, 16 bytes
	DGILimit    uint16 = 0x0101 // balance limit, 4 bytes
	DGICurrency uint16 = 0x0102 // ISO 4217 numeric currency code in BCD, 2 bytes
	DGIHolderID uint16 = 0x0103 // card holder id, 1–16 bytes
	DGIFlags    uint16 = 0x0104 // feature flags, 1 byte
)

// STORE DATA P1 values for personalisation: P1DGI on every block, with
// P1LastBlock added on the last. A host that encrypts the blocks under its
// security domain's DEK also sets b7–b6 (60).
const (
	P1DGI       byte = 0x08
	P1LastBlock byte = 0x80
)

// KeyLen is the length of the purse key (AES-128) and MaxHolderIDLen the
// longest card holder id.
const (
	KeyLen         = 16
	MaxHolderIDLen = 16
)

// Profile is the non-secret personalisation data of a purse.
type Profile struct {
	// Limit is the highest balance, in minor currency units; not zero.
	Limit uint32
	// Currency is the ISO 4217 numeric code in BCD, e.g. 0x0978 for EUR.
	Currency uint16
	// HolderID identifies the card holder, 1 to MaxHolderIDLen bytes; it
	// is bound into every authorisation MAC.
	HolderID []byte
	// Flags is always sent (DGI 0104), overriding the install flags.
	Flags Flags
}

// AppendDGI appends the DGI record id ‖ length ‖ value to b: a one-byte
// length for 0–254 bytes, else FF and two bytes (GPCS 2.3.1 §11.11.2.3). It
// returns an error if value is longer than 65535 bytes.
func AppendDGI(b []byte, id uint16, value []byte) ([]byte, error) {
	b = binary.BigEndian.AppendUint16(b, id)
	switch n := len(value); {
	case n < 0xFF:
		b = append(b, byte(n))
	case n <= 0xFFFF:
		b = binary.BigEndian.AppendUint16(append(b, 0xFF), uint16(n))
	default:
		return nil, fmt.Errorf("payment: DGI %04X: %d bytes exceed 65535", id, n)
	}
	return append(b, value...), nil
}

// KeyDGI returns DGI 8101 holding the purse key. The result is secret: the
// host should send it encrypted (P1 b7–b6 = 11) and zero it after use.
func KeyDGI(key []byte) ([]byte, error) {
	if len(key) != KeyLen {
		return nil, fmt.Errorf("payment: purse key is %d bytes, want %d", len(key), KeyLen)
	}
	return AppendDGI(nil, DGIPurseKey, key)
}

// DGIs returns DGIs 0101, 0102, 0103 and 0104 of p, in that order. It
// returns an error if a field is outside the range its doc states.
func (p Profile) DGIs() ([]byte, error) {
	switch {
	case p.Limit == 0:
		return nil, fmt.Errorf("payment: profile: limit is 0")
	case !validBCD(binary.BigEndian.AppendUint16(nil, p.Currency)):
		return nil, fmt.Errorf("payment: profile: currency %04X is not BCD", p.Currency)
	case len(p.HolderID) == 0 || len(p.HolderID) > MaxHolderIDLen:
		return nil, fmt.Errorf("payment: profile: holder id is %d bytes, want 1 to %d", len(p.HolderID), MaxHolderIDLen)
	case p.Flags&^flagsKnown != 0:
		return nil, fmt.Errorf("payment: profile: unknown flags %02X", byte(p.Flags&^flagsKnown))
	}
	b, _ := AppendDGI(nil, DGILimit, be32(p.Limit))
	b, _ = AppendDGI(b, DGICurrency, binary.BigEndian.AppendUint16(nil, p.Currency))
	b, _ = AppendDGI(b, DGIHolderID, p.HolderID)
	return AppendDGI(b, DGIFlags, []byte{byte(p.Flags)})
}

// PersonalizationData returns KeyDGI(key) followed by p.DGIs(): everything
// a purse needs, to be sent in STORE DATA blocks of P1DGI, the last with
// P1LastBlock (the purse accepts DGIs cut across blocks). The result is
// secret, as KeyDGI's.
func PersonalizationData(key []byte, p Profile) ([]byte, error) {
	k, err := KeyDGI(key)
	if err != nil {
		return nil, err
	}
	d, err := p.DGIs()
	if err != nil {
		return nil, err
	}
	return append(k, d...), nil
}

// Authorize returns the 8-byte MAC that authorises CREDIT (ins = INSCredit)
// or DEBIT (INSDebit) of amount at transaction counter counter: the first 8
// bytes of AES-CMAC(key, ins ‖ amount ‖ counter ‖ holderID), integers as 4
// big-endian bytes. counter must be the card's GET TRANSACTION COUNTER
// answer plus one. Errors never contain key bytes.
func Authorize(key []byte, ins byte, amount, counter uint32, holderID []byte) ([]byte, error) {
	switch {
	case ins != INSCredit && ins != INSDebit:
		return nil, fmt.Errorf("payment: authorize: INS %02X is neither CREDIT nor DEBIT", ins)
	case len(key) != KeyLen:
		return nil, fmt.Errorf("payment: authorize: purse key is %d bytes, want %d", len(key), KeyLen)
	case len(holderID) == 0 || len(holderID) > MaxHolderIDLen:
		return nil, fmt.Errorf("payment: authorize: holder id is %d bytes, want 1 to %d", len(holderID), MaxHolderIDLen)
	}
	return authMAC(key, ins, amount, counter, holderID)
}

// CreditAPDU returns the CREDIT command 80 52 00 00 10 amount ‖ counter ‖
// MAC, authorised as Authorize describes.
func CreditAPDU(key []byte, amount, counter uint32, holderID []byte) ([]byte, error) {
	return transactionAPDU(INSCredit, key, amount, counter, holderID)
}

// DebitAPDU returns the DEBIT command 80 54 00 00 10 amount ‖ counter ‖ MAC,
// authorised as Authorize describes.
func DebitAPDU(key []byte, amount, counter uint32, holderID []byte) ([]byte, error) {
	return transactionAPDU(INSDebit, key, amount, counter, holderID)
}

func transactionAPDU(ins byte, key []byte, amount, counter uint32, holderID []byte) ([]byte, error) {
	mac, err := Authorize(key, ins, amount, counter, holderID)
	if err != nil {
		return nil, err
	}
	b := []byte{0x80, ins, 0x00, 0x00, authLen}
	b = binary.BigEndian.AppendUint32(b, amount)
	b = binary.BigEndian.AppendUint32(b, counter)
	return append(b, mac...), nil
}
