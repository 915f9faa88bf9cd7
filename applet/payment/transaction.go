package payment

import (
	"crypto/subtle"
	"encoding/binary"
	"math"

	"github.com/cardhost/cardhost/gpcard/gpcrypto"
	"github.com/cardhost/cardhost/gpcard/sw"
)

// Sizes of the CREDIT/DEBIT authorisation: amount(4) ‖ counter(4) ‖ MAC(8).
const (
	macLen  = 8
	authLen = 4 + 4 + macLen
)

// transaction runs CREDIT or DEBIT (ins) with the 16-byte authorisation
// auth, in the check order of the package doc. State is written only when
// the transaction succeeds.
func transaction(st state, ins byte, auth []byte) ([]byte, uint16) {
	if !st.personalised() {
		return nil, sw.ConditionsNotSatisfied
	}
	need := FlagDebit
	if ins == INSCredit {
		need = FlagCredit
	}
	if st.flags()&need == 0 {
		return nil, sw.ConditionsNotSatisfied
	}
	current := st.u32(nameCounter)
	if current == math.MaxUint32 {
		return nil, sw.ConditionsNotSatisfied
	}
	amount := binary.BigEndian.Uint32(auth[0:4])
	counter := binary.BigEndian.Uint32(auth[4:8])
	if counter != current+1 {
		return nil, sw.SecurityStatus
	}
	want, err := authMAC(st.s.Get(nameKey), ins, amount, counter, st.s.Get(nameHolder))
	if err != nil || subtle.ConstantTimeCompare(want, auth[8:authLen]) != 1 {
		return nil, sw.SecurityStatus
	}
	if amount == 0 {
		return nil, sw.WrongData
	}
	balance := st.u32(nameBalance)
	if ins == INSCredit {
		if uint64(balance)+uint64(amount) > uint64(st.u32(nameLimit)) {
			return nil, sw.NotEnoughMemory
		}
		balance += amount
	} else {
		if amount > balance {
			return nil, sw.ConditionsNotSatisfied
		}
		balance -= amount
	}
	st.putU32(nameBalance, balance)
	st.putU32(nameCounter, counter)
	return be32(balance), sw.OK
}

// authMAC computes the authorisation MAC: the first 8 bytes of
// AES-CMAC(key, INS ‖ amount ‖ counter ‖ holder id). It fails only when key
// is not an AES key; its error never holds key bytes.
func authMAC(key []byte, ins byte, amount, counter uint32, holderID []byte) ([]byte, error) {
	msg := make([]byte, 0, 9+len(holderID))
	msg = append(msg, ins)
	msg = binary.BigEndian.AppendUint32(msg, amount)
	msg = binary.BigEndian.AppendUint32(msg, counter)
	msg = append(msg, holderID...)
	mac, err := gpcrypto.CMAC(key, msg)
	if err != nil {
		return nil, err
	}
	return mac[:macLen], nil
}
