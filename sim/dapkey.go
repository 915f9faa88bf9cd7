package sim

import (
	"crypto"
	"crypto/x509"
	"fmt"

	"github.com/cardhost/cardhost/applet/dap"
	"github.com/cardhost/cardhost/sim/image"
)

// SetDAPKey gives the Security Domain sdAID the public key it verifies DAP
// blocks with (GPCS 2.3.1 §9.2.1), as a card issuer would at
// personalisation; the change is committed like a command. Loading through
// an SD with DAP Verification privilege, or on a card with a Mandated DAP SD,
// then needs a DAP block that verifies under this key.
func (c *Card) SetDAPKey(sdAID []byte, scheme dap.Scheme, pub crypto.PublicKey) error {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return fmt.Errorf("sim: DAP key: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	sd := c.state.App(sdAID)
	if sd == nil || !sd.IsSD() {
		return fmt.Errorf("sim: no security domain %X", sdAID)
	}
	next := c.state.Clone()
	next.App(sdAID).Domain.DAP = &image.DAPKey{Scheme: int(scheme), PKIX: der}
	return c.commit(next)
}
