package payment

import (
	"strings"
	"testing"

	"github.com/cardhost/cardhost/applet"
)

// TestInstall checks the install parameters (value of C9): accepted ones
// show in the FCI and GET VERSION, refused ones fail INSTALL and store
// nothing.
func TestInstall(t *testing.T) {
	tests := []struct {
		name    string
		params  string
		wantErr string // substring; empty: accepted
		fci     string
		version string
	}{
		{"none", "", "", "6F0DA50B8003312E30810100820103", "312E30"},
		{"version", "8005 322E312E30", "", "6F0FA50D8005322E312E30810100820103", "322E312E30"},
		{"version 16 bytes", "8010 " + strings.Repeat("7E", 16), "", "6F1AA5188010" + strings.Repeat("7E", 16) + "810100820103", strings.Repeat("7E", 16)},
		{"flags", "8101 07", "", "6F0DA50B8003312E30810100820107", "312E30"},
		{"both", "8101 00 8003 322E30", "", "6F0DA50B8003322E30810100820100", "322E30"},
		{"version empty", "8000", "version", "", ""},
		{"version 17 bytes", "8011 " + strings.Repeat("41", 17), "version", "", ""},
		{"version control byte", "8002 311F", "version", "", ""},
		{"version DEL", "8001 7F", "version", "", ""},
		{"flags reserved", "8101 08", "flags", "", ""},
		{"flags 2 bytes", "8102 0100", "flags", "", ""},
		{"flags empty", "8100", "flags", "", ""},
		{"unknown tag", "8201 00", "unknown tag 82", "", ""},
		{"wrapped in C9", "C903 800131", "unknown tag C9", "", ""},
		{"duplicate tag", "8001 31 8001 32", "twice", "", ""},
		{"truncated", "80", "install parameters", "", ""},
		{"length beyond data", "8005 31", "install parameters", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := memStorage{}
			err := New().Install(applet.Context{Storage: st}, hx(t, tc.params))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "payment: ") {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				if len(st) != 0 {
					t.Fatalf("refused INSTALL stored %v", st)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			run(t, New(), st, []step{
				{"select", opSelect, 0, "", tc.fci + "9000"},
				{"version", opProcess, 0, "8058000000", tc.version + "9000"},
			})
		})
	}
}

// TestInstall_FlagsUntilPersonalised checks that install flags stand when
// personalisation sends no DGI 0104 and give way when it does.
func TestInstall_FlagsUntilPersonalised(t *testing.T) {
	credit := "8052000010 00000064 00000001 D6B9BBB9CEE73504"
	noFlags := storeAPDU(0x88, profileNoFlags)
	t.Run("kept", func(t *testing.T) {
		st := memStorage{}
		if err := New().Install(applet.Context{Storage: st}, hx(t, "810101")); err != nil {
			t.Fatal(err)
		}
		run(t, New(), st, []step{
			{"key", opStore, 0, keyBlock, "9000"},
			{"profile without flags", opStore, 0, noFlags, "9000"},
			{"credit disabled by install flags", opProcess, 0, credit, "6985"},
		})
	})
	t.Run("overridden", func(t *testing.T) {
		run(t, New(), personalised(t, "810101", "03"), []step{
			{"credit enabled by DGI 0104", opProcess, 0, credit, "00000064 9000"},
		})
	})
}
