package payment

import (
	"encoding/binary"

	"github.com/cardhost/cardhost/applet"
)

// Storage names of the purse state. Personalisation data is stored as
// received, under its DGI, once validated; the flags DGI shares "flags"
// with the install parameter it overrides.
const (
	nameVersion      = "version"      // install override of Version, ASCII
	nameFlags        = "flags"        // 1 byte, Flags
	nameKey          = "dgi.8101"     // purse key, 16 bytes
	nameLimit        = "dgi.0101"     // 4 bytes
	nameCurrency     = "dgi.0102"     // 2 bytes BCD
	nameHolder       = "dgi.0103"     // 1–16 bytes
	namePending      = "perso.cut"    // start of a DGI cut across STORE DATA blocks
	namePersonalised = "personalised" // present (01) once personalised
	nameBalance      = "balance"      // 4 bytes
	nameCounter      = "counter"      // 4 bytes
)

// state reads and writes the purse state in an applet.Storage.
type state struct{ s applet.Storage }

func (st state) personalised() bool { return len(st.s.Get(namePersonalised)) == 1 }

func (st state) version() string {
	if v := st.s.Get(nameVersion); len(v) > 0 {
		return string(v)
	}
	return Version
}

func (st state) flags() Flags {
	if v := st.s.Get(nameFlags); len(v) == 1 {
		return Flags(v[0])
	}
	return DefaultFlags
}

// u32 reads a 4-byte big-endian value; absent means 0.
func (st state) u32(name string) uint32 {
	if v := st.s.Get(name); len(v) == 4 {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (st state) putU32(name string, v uint32) {
	st.s.Put(name, binary.BigEndian.AppendUint32(nil, v))
}
