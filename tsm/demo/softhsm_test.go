package demo_test

import (
	"testing"

	"github.com/cardhost/cardhost/tsm/demo"
	"github.com/cardhost/cardhost/tsm/keystore"
	_ "github.com/cardhost/cardhost/tsm/keystore/pkcs11"
	"github.com/cardhost/cardhost/tsm/keystore/softhsmtest"
)

// TestCampaign_SoftHSM provisions cards with every key inside a SoftHSM2
// token: SCP03 (AES-128, KDF3: ISD, SSD and purse masters diversified per
// card, catalog key) and SCP02 (3DES: ISD master diversified with EMV;
// static SSD key sets, since the token cannot wrap diversified 3DES keys). Not parallel: softhsmtest sets SOFTHSM2_CONF.
func TestCampaign_SoftHSM(t *testing.T) {
	for _, profile := range []string{"gp231-scp02-i15", "gp231-scp03-i70"} {
		t.Run(profile, func(t *testing.T) {
			tok := softhsmtest.New(t)
			p11 := tok.Config()
			// SoftHSM 2.6 cannot wrap 3DES keys for SCP02 PUT KEY inside
			// the token (keystore.PKCS11Config.InsecureAllowDESExport).
			p11.InsecureAllowDESExport = profile == "gp231-scp02-i15"
			e := openEnv(t, demo.Config{Cards: 3, Profile: profile, StaticSSDKeys: p11.InsecureAllowDESExport,
				Keystore: &keystore.Config{Backend: "pkcs11", PKCS11: &p11}})
			runCampaign(t, e, 1)
			verifyProvisioned(t, e)
		})
	}
}
