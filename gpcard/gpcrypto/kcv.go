package gpcrypto

// KCVDES returns the 3-byte key check value of a 16- or 24-byte 3DES key: the
// first three bytes of 3DES-ECB(key, 00×8) (GPCS 2.3.1 §11.8.2.3).
func KCVDES(key []byte) ([]byte, error) {
	out, err := TripleDESECB(key, make([]byte, 8))
	if err != nil {
		return nil, err
	}
	return out[:3], nil
}

// KCVAES returns the 3-byte key check value of an AES key: the first three
// bytes of AES-ECB(key, 01×16) (GPCS Amendment D §7.1.1). This is not the value
// PKCS#11 tokens report as CKA_CHECK_VALUE (which encrypts zeros).
func KCVAES(key []byte) ([]byte, error) {
	in := make([]byte, 16)
	for i := range in {
		in[i] = 0x01
	}
	out, err := AESECB(key, in)
	if err != nil {
		return nil, err
	}
	return out[:3], nil
}
