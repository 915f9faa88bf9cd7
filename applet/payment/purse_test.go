package payment

import (
	"testing"

	"github.com/cardhost/cardhost/applet"
)

// Authorisation MACs below were computed outside Go with OpenSSL 3.0
// (`openssl mac -cipher AES-128-CBC -macopt hexkey:<testKey> CMAC` over
// INS ‖ amount ‖ counter ‖ holder id, first 8 bytes kept), key testKey,
// holder testHolder unless a row says otherwise.

// TestPurse_Transcript runs a purse's life: selection and refusals before
// personalisation, personalisation, credits and debits with replays,
// reordering, tampering, overflow and underflow, then malformed commands.
func TestPurse_Transcript(t *testing.T) {
	steps := []step{
		{"select before perso", opSelect, 0, "00A4040008A000000617000101", "6F0DA50B8003312E30810100820103 9000"},
		{"version before perso", opProcess, 0, "8058000000", "312E30 9000"},
		{"balance before perso", opProcess, 0, "805C000000", "6985"},
		{"counter before perso", opProcess, 0, "8056000000", "6985"},
		{"credit before perso", opProcess, 0, "8052000010 00001388 00000001 F8BD4E6E550E01D6", "6985"},
		{"perso key", opStore, 0, keyBlock, "9000"},
		{"balance after first block", opProcess, 0, "805C000000", "6985"},
		{"perso last", opStore, 0, profileBlock("03"), "9000"},
		{"select personalised", opSelect, 0, "00A4040008A000000617000101", "6F0DA50B8003312E30810101820103 9000"},
		{"balance zero", opProcess, 0, "805C000000", "00000000 0978 9000"},
		{"counter zero", opProcess, 0, "8056000000", "00000000 9000"},
		{"credit 5000", opProcess, 0, "8052000010 00001388 00000001 F8BD4E6E550E01D6", "00001388 9000"},
		{"credit replayed", opProcess, 0, "8052000010 00001388 00000001 F8BD4E6E550E01D6", "6982"},
		{"debit counter skips one", opProcess, 0, "8054000010 00000064 00000003 B0396D26FB702ED9", "6982"},
		{"debit MAC tampered", opProcess, 0, "8054000010 00000064 00000002 67659E5F0322A72F", "6982"},
		{"debit amount tampered", opProcess, 0, "8054000010 00000065 00000002 67659E5F0322A72E", "6982"},
		{"credit MAC for other holder", opProcess, 0, "8052000010 00000064 00000002 5E1CBD995E7A9CD9", "6982"},
		{"debit with a CREDIT MAC", opProcess, 0, "8054000010 00000064 00000002 E95D31E7B4516F9F", "6982"},
		{"refusals kept the counter", opProcess, 0, "8056000000", "00000001 9000"},
		{"debit 100", opProcess, 0, "8054000010 00000064 00000002 67659E5F0322A72E", "00001324 9000"},
		{"credit over limit", opProcess, 0, "8052000010 000013ED 00000003 3664DE2055F3128B", "6A84"},
		{"overflow kept the counter", opProcess, 0, "8056000000", "00000002 9000"},
		{"overflow kept the balance", opProcess, 0, "805C000000", "00001324 0978 9000"},
		{"credit to the limit", opProcess, 0, "8052000010 000013EC 00000003 15AE566AB1CEBB40", "00002710 9000"},
		{"debit above balance", opProcess, 0, "8054000010 00002711 00000004 6C00B510FEAE8820", "6985"},
		{"debit whole balance", opProcess, 0, "8054000010 00002710 00000004 41F95C46F8C10C3E", "00000000 9000"},
		{"debit from empty purse", opProcess, 0, "8054000010 00000001 00000005 6202720203ED8F70", "6985"},
		{"debit zero", opProcess, 0, "8054000010 00000000 00000005 2576B160CF702FFA", "6A80"},
		{"credit case 4", opProcess, 0, "8052000010 00000010 00000005 6BF9C668B8D6F0BD 00", "00000010 9000"},
		{"re-personalisation", opStore, 0, keyBlock, "6985"},
		{"re-personalisation last", opStore, 0, profileBlock("07"), "6985"},
		{"balance P1", opProcess, 0, "805C010000", "6A86"},
		{"balance P2", opProcess, 0, "805C000100", "6A86"},
		{"debit P1P2", opProcess, 0, "8054010110 00000001 00000006 0000000000000000", "6A86"},
		{"debit Lc 0F", opProcess, 0, "805400000F 00000001 00000006 00000000000000", "6700"},
		{"debit Lc 11", opProcess, 0, "8054000011 00000001 00000006 000000000000000000", "6700"},
		{"debit body longer than Lc", opProcess, 0, "8054000010 00000001 00000006 0000000000000000 0000", "6700"},
		{"debit no data", opProcess, 0, "8054000000", "6700"},
		{"balance with data", opProcess, 0, "805C00000100", "6700"},
		{"balance extended Lc", opProcess, 0, "805C0000000001", "6700"},
		{"counter with data and Le", opProcess, 0, "8056000001AA00", "6700"},
		{"three bytes", opProcess, 0, "805C00", "6700"},
		{"empty", opProcess, 0, "", "6700"},
		{"interindustry CLA", opProcess, 0, "005C000000", "6E00"},
		{"CLA FF", opProcess, 0, "FF5C000000", "6E00"},
		{"logical channel CLA", opProcess, 0, "835C000000", "00000010 0978 9000"},
		{"further channel CLA", opProcess, 0, "C15C000000", "00000010 0978 9000"},
		{"unknown INS", opProcess, 0, "80CA9F7F00", "6D00"},
		{"STORE DATA sent directly", opProcess, 0, "80E2880003010101", "6D00"},
		{"Le short", opProcess, 0, "805C000002", "6C06"},
		{"Le exact", opProcess, 0, "805C000006", "00000010 0978 9000"},
		{"version Le short", opProcess, 0, "8058000001", "6C03"},
		{"counter case 1", opProcess, 0, "80560000", "00000005 9000"},
	}
	run(t, New(), memStorage{}, steps)
}

// TestPurse_Flags checks that the feature flags of DGI 0104 switch CREDIT,
// DEBIT and the balance protection, with authorisations that are otherwise
// valid.
func TestPurse_Flags(t *testing.T) {
	credit100 := "8052000010 00000064 00000001 D6B9BBB9CEE73504"
	tests := []struct {
		name  string
		flags string
		steps []step
	}{
		{"debit only", "01", []step{
			{"credit disabled", opProcess, 0, credit100, "6985"},
			{"counter kept", opProcess, 0, "8056000000", "00000000 9000"},
			{"debit allowed, no funds", opProcess, 0, "8054000010 00000064 00000001 C5BC84F02284548D", "6985"},
		}},
		{"credit only", "02", []step{
			{"credit enabled", opProcess, 0, credit100, "00000064 9000"},
			{"debit disabled with funds", opProcess, 0, "8054000010 00000032 00000002 F93B6CE44BAC07FB", "6985"},
			{"balance kept", opProcess, 0, "805C000000", "00000064 0978 9000"},
		}},
		{"nothing enabled", "00", []step{
			{"credit disabled", opProcess, 0, credit100, "6985"},
			{"debit disabled", opProcess, 0, "8054000010 00000064 00000001 C5BC84F02284548D", "6985"},
			{"balance readable", opProcess, 0, "805C000000", "00000000 0978 9000"},
			{"FCI shows flags", opSelect, 0, "", "6F0DA50B8003312E30810101820100 9000"},
		}},
		{"balance protected", "07", []step{
			{"plain", opProcess, 0, "805C000000", "6982"},
			{"R-MAC only", opProcess, 0x10, "805C000000", "6982"},
			{"C-MAC", opProcess, 0x01, "805C000000", "00000000 0978 9000"},
			{"C-MAC C-DEC R-MAC", opProcess, 0x13, "805C000000", "00000000 0978 9000"},
			{"counter stays public", opProcess, 0, "8056000000", "00000000 9000"},
			{"credit allowed", opProcess, 0, credit100, "00000064 9000"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run(t, New(), personalised(t, "", tc.flags), tc.steps)
		})
	}
}

// TestPurse_CounterExhausted checks the last usable counter value and the
// refusal once the counter is at FFFFFFFF.
func TestPurse_CounterExhausted(t *testing.T) {
	st := personalised(t, "", "03")
	st.Put(nameCounter, hx(t, "FFFFFFFE"))
	run(t, New(), st, []step{
		{"last counter", opProcess, 0, "8052000010 00000001 FFFFFFFF 0790A38526E457E9", "00000001 9000"},
		{"counter read", opProcess, 0, "8056000000", "FFFFFFFF 9000"},
		{"exhausted", opProcess, 0, "8052000010 00000001 00000000 0000000000000000", "6985"},
		{"exhausted replay", opProcess, 0, "8052000010 00000001 FFFFFFFF 0790A38526E457E9", "6985"},
	})
}

// TestPurse_PowerLoss checks that a new applet value over the same storage
// (the card after power loss) sees the committed balance and counter, and
// that Deselect loses nothing.
func TestPurse_PowerLoss(t *testing.T) {
	st := personalised(t, "", "03")
	run(t, New(), st, []step{{"credit", opProcess, 0, "8052000010 00000064 00000001 D6B9BBB9CEE73504", "00000064 9000"}})
	p := New()
	p.Deselect(applet.Context{Storage: st})
	run(t, New(), st, []step{
		{"balance", opProcess, 0, "805C000000", "00000064 0978 9000"},
		{"counter", opProcess, 0, "8056000000", "00000001 9000"},
		{"replay after power loss", opProcess, 0, "8052000010 00000064 00000001 D6B9BBB9CEE73504", "6982"},
	})
}
