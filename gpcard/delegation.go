package gpcard

import (
	"context"
	"crypto"
	cryptorand "crypto/rand"
	"errors"
	"fmt"
	"io"

	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/secret"
	"github.com/skythen/apdu"
)

// TokenFunc returns the Delegated Management token for a command whose token
// data (command.TokenData: P1 ‖ P2 ‖ Lc ‖ data without the token) is given.
// The Card Issuer signs it, possibly in an HSM or on another machine; the
// card verifies it with its token verification key (GPCS 2.3.1 §C.4).
type TokenFunc func(ctx context.Context, tokenData []byte) ([]byte, error)

// SignTokens returns a TokenFunc signing with signer (whose key may live in
// an HSM) under alg; rand feeds PSS and ECDSA (nil: crypto/rand).
func SignTokens(signer crypto.Signer, alg command.TokenAlgorithm, rand io.Reader) TokenFunc {
	if rand == nil {
		rand = cryptorand.Reader
	}
	return func(_ context.Context, tokenData []byte) ([]byte, error) {
		return command.SignToken(signer, alg, tokenData, rand)
	}
}

// ReceiptVerifier checks the receipt a card with Receipt Generation returns
// for a delegated operation. context is command.ReceiptContext of the
// operation's AIDs; op names the command. An implementation may also record
// the receipt as proof of the operation.
type ReceiptVerifier interface {
	VerifyReceipt(ctx context.Context, op string, r command.Receipt, context []byte) error
}

// ReceiptKey verifies receipts with a symmetric receipt key: AES-CMAC or the
// 3DES retail MAC (command.ReceiptAlgorithm). It never prints the key.
type ReceiptKey struct {
	alg command.ReceiptAlgorithm
	key secret.Key
}

var _ ReceiptVerifier = (*ReceiptKey)(nil)

// NewReceiptKey returns a verifier for key under alg; the Card Issuer shares
// the key with the card (GPCS 2.3.1 §C.5).
func NewReceiptKey(alg command.ReceiptAlgorithm, key secret.Key) *ReceiptKey {
	return &ReceiptKey{alg: alg, key: key}
}

// VerifyReceipt implements ReceiptVerifier.
func (k *ReceiptKey) VerifyReceipt(_ context.Context, _ string, r command.Receipt, context []byte) error {
	return k.key.Use(func(b []byte) error { return command.VerifyReceipt(k.alg, b, r, context) })
}

// Delegation configures Delegated Management for the commands a Card sends:
// Token signs a token for every INSTALL [for load], INSTALL [for install],
// INSTALL [for extradition] and DELETE that does not carry one already
// (LoadOptions.Token, InstallOptions.Token); Receipts checks the receipt in
// the response to INSTALL, DELETE and the last LOAD. The zero value sends no
// tokens and ignores receipts.
type Delegation struct {
	Token    TokenFunc
	Receipts ReceiptVerifier
}

// SetDelegation sets how this Card attaches tokens and verifies receipts.
func (c *Card) SetDelegation(d Delegation) { c.deleg = d }

// Errors of Delegated Management.
var (
	// ErrNoReceipt: a command carrying a token was answered without the
	// receipt a Receipts verifier expects (the card already performed it).
	ErrNoReceipt = errors.New("gpcard: no receipt for a delegated operation")
	// ErrReceipt: the receipt does not verify; the card already performed
	// the operation, so the confirmation cannot be trusted.
	ErrReceipt = errors.New("gpcard: receipt verification failed")
)

// withToken returns cmd carrying token, or a token from the Delegation when
// token is empty and one is configured; tokened reports whether it carries
// one.
func (c *Card) withToken(ctx context.Context, cmd apdu.Capdu, token []byte) (out apdu.Capdu, tokened bool, err error) {
	if len(token) > 0 {
		return cmd, true, nil // built into cmd by the caller
	}
	if c.deleg.Token == nil {
		return cmd, false, nil
	}
	data, err := command.TokenData(cmd)
	if err != nil {
		return apdu.Capdu{}, false, err
	}
	if token, err = c.deleg.Token(ctx, data); err != nil {
		return apdu.Capdu{}, false, fmt.Errorf("gpcard: token: %w", err)
	}
	if out, err = command.WithToken(cmd, token); err != nil {
		return apdu.Capdu{}, false, err
	}
	return out, true, nil
}

// checkReceipt verifies the receipt in data (the response to op) against
// the AIDs of the operation, when a verifier is configured. A tokened command
// must have a receipt then.
func (c *Card) checkReceipt(ctx context.Context, op string, data []byte, tokened bool, aids ...[]byte) error {
	if c.deleg.Receipts == nil {
		return nil
	}
	r, ok, err := command.ParseReceipt(data)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if !ok {
		if tokened {
			return fmt.Errorf("%s: %w", op, ErrNoReceipt)
		}
		return nil
	}
	rc, err := command.ReceiptContext(aids...)
	if err != nil {
		return err
	}
	if err := c.deleg.Receipts.VerifyReceipt(ctx, op, r, rc); err != nil {
		return fmt.Errorf("%s (already performed by the card): %w: %w", op, ErrReceipt, err)
	}
	return nil
}
