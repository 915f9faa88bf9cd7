// Package keys holds static secure-channel key sets, their check values,
// master-key diversification (EMV CPS 1.1, VISA2, SCP03 KDF3) and the Provider
// interface through which the SCP02 and SCP03 channels obtain session keys,
// pseudo-random challenge checks and PUT KEY key encryption without ever
// touching static, master or DEK key bytes. Optional abilities, found by type
// assertion, encrypt a ciphered load file (LoadFileEncrypter) and sensitive
// STORE DATA values (DataEncrypter) under the DEK.
//
// On the data path reader → channel → command → parser, keys sits beside the
// channel: scp02.Open and scp03.Open ask a Provider for session keys once per
// session. Local is the in-memory Provider (plain or diversified keys); a
// PKCS#11 Provider can keep the same keys inside an HSM.
package keys
