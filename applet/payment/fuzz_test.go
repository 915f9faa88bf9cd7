package payment

import (
	"testing"

	"github.com/cardhost/cardhost/applet"
	"github.com/cardhost/cardhost/gpcard/tlv"
)

// Fuzz script operations: each is op ‖ length ‖ payload (cut at the end of
// the script). op % 4 picks the call; for Process, op >> 2 is the security
// level; for StoreData the payload's first byte is P1.
const (
	fuzzProcess = iota
	fuzzStore
	fuzzSelect
	fuzzPowerLoss
)

// script encodes operations given as op ‖ payload.
func script(t testing.TB, ops ...string) []byte {
	var b []byte
	for _, o := range ops {
		p := hx(t, o)
		b = append(b, p[0], byte(len(p)-1))
		b = append(b, p[1:]...)
	}
	return b
}

// FuzzPaymentApplet installs a purse with random parameters and feeds it a
// random sequence of commands, STORE DATA blocks, selections and power
// losses. Nothing may panic, refusals may not touch the storage, the
// balance stays within the limit and the counter never goes back.
func FuzzPaymentApplet(f *testing.F) {
	perso := "01 88 8101 10 " + testKey + " " + profileData + "03"
	f.Add([]byte{}, script(f, perso,
		"00 8052000010 00001388 00000001 F8BD4E6E550E01D6",
		"00 8054000010 00000064 00000002 67659E5F0322A72E",
		"03", "02",
		"00 8052000010 000013ED 00000003 3664DE2055F3128B",
		"00 805C000000", "00 8056000000", "00 8058000002"))
	f.Add(hx(f, "810107 8003 322E30"), script(f, "01 08 8101 10 "+testKey, "01 88 "+profileNoFlags,
		"04 805C000000", "00 805C000000",
		"00 8052000010 00000064 00000001 D6B9BBB9CEE73504"))
	f.Add(hx(f, "8001"), script(f, "01 08 81", "01 88 01", "00 E2", "00 80", "02"))
	f.Fuzz(func(t *testing.T, params, ops []byte) {
		st := memStorage{}
		p := New()
		if err := p.Install(applet.Context{Storage: st}, params); err != nil && len(st) != 0 {
			t.Fatalf("refused INSTALL stored %v", st)
		}
		var counter uint32
		for len(ops) >= 2 {
			op, payload := ops[0], ops[2:min(len(ops), 2+int(ops[1]))]
			ops = ops[2+len(payload):]
			ctx := applet.Context{Storage: st, SecurityLevel: op >> 2}
			before := st.snapshot()
			switch op % 4 {
			case fuzzProcess:
				data, status := p.Process(ctx, payload)
				if status != 0x9000 && (data != nil || !st.equal(before)) {
					t.Fatalf("Process %X: %04X with data %X or a storage change", payload, status, data)
				}
			case fuzzStore:
				var p1 byte
				if len(payload) > 0 {
					p1, payload = payload[0], payload[1:]
				}
				if status := p.StoreData(ctx, p1, payload); status != 0x9000 && !st.equal(before) {
					t.Fatalf("StoreData %02X %X: %04X changed the storage", p1, payload, status)
				}
			case fuzzSelect:
				data, status := p.Select(ctx)
				if _, err := tlv.ParseSingle(data, 0x6F); status != 0x9000 || err != nil {
					t.Fatalf("Select: %X %04X: %v", data, status, err)
				}
			case fuzzPowerLoss:
				p.Deselect(ctx)
				p = New()
			}
			s := state{st}
			if !s.personalised() {
				continue
			}
			if s.u32(nameBalance) > s.u32(nameLimit) {
				t.Fatalf("balance %d above limit %d", s.u32(nameBalance), s.u32(nameLimit))
			}
			if c := s.u32(nameCounter); c < counter {
				t.Fatalf("counter went back from %d to %d", counter, c)
			} else {
				counter = c
			}
			if len(st.Get(nameKey)) != KeyLen {
				t.Fatal("personalised without a key")
			}
		}
	})
}
