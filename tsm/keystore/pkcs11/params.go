//go:build cgo

package pkcs11

/*
#include <stdlib.h>
#include <string.h>

// Mechanism parameters of the key derivation by data encryption
// mechanisms, laid out as PKCS#11 v2.40 §2.16.x defines them (CK_BYTE_PTR,
// CK_ULONG = unsigned long on Unix, default alignment).
typedef struct { unsigned char *data; unsigned long len; } ckStringData;       // CK_KEY_DERIVATION_STRING_DATA
typedef struct { unsigned char iv[8]; unsigned char *data; unsigned long len; } ckDESCBCData; // CK_DES_CBC_ENCRYPT_DATA_PARAMS
*/
import "C"

import (
	"unsafe"
)

// cParam is a mechanism parameter whose data lives in C memory; free it
// after the call that uses it.
type cParam struct {
	bytes []byte
	data  unsafe.Pointer
	n     int
}

// free wipes and frees the parameter's data.
func (p cParam) free() {
	C.memset(p.data, 0, C.size_t(p.n))
	C.free(p.data)
}

// ecbEncryptData builds CK_KEY_DERIVATION_STRING_DATA for
// CKM_DES3_ECB_ENCRYPT_DATA and CKM_AES_ECB_ENCRYPT_DATA.
func ecbEncryptData(data []byte) cParam {
	d := C.CBytes(data)
	s := C.ckStringData{data: (*C.uchar)(d), len: C.ulong(len(data))}
	return cParam{bytes: C.GoBytes(unsafe.Pointer(&s), C.int(unsafe.Sizeof(s))), data: d, n: len(data)}
}

// desCBCEncryptData builds CK_DES_CBC_ENCRYPT_DATA_PARAMS with ICV 0 for
// CKM_DES3_CBC_ENCRYPT_DATA.
func desCBCEncryptData(data []byte) cParam {
	d := C.CBytes(data)
	s := C.ckDESCBCData{data: (*C.uchar)(d), len: C.ulong(len(data))}
	return cParam{bytes: C.GoBytes(unsafe.Pointer(&s), C.int(unsafe.Sizeof(s))), data: d, n: len(data)}
}
