package cap

import (
	"github.com/cardhost/cardhost/gpcard/tlv"

	"crypto"
	_ "crypto/sha1" // registers crypto.SHA1 for LoadFileDataBlockHash
	_ "crypto/sha256"
	_ "crypto/sha512"
	"fmt"
)

// LoadOptions selects what goes into a Load File Data Block. The zero value is
// GlobalPlatformPro's choice: no Descriptor.
type LoadOptions struct {
	// IncludeDescriptor appends the Descriptor component, as GPShell does.
	IncludeDescriptor bool
}

// loadOrder is the order of components in the Load File Data Block: JCVM 3.1
// §6.3 installation order as used by GlobalPlatformPro (capfile
// CAPFile._getCode) and GPShell (loadfile.c), spec §4.2. Debug and custom
// components are never loaded.
var loadOrder = []Tag{TagHeader, TagDirectory, TagImport, TagApplet, TagClass, TagMethod, TagStaticField,
	TagExport, TagConstantPool, TagRefLocation, TagStaticResources}

// LoadFileDataBlock returns a new slice holding the Load File Data Block: each
// present component (tag, size and info) in GlobalPlatform load order —
// Header, Directory, Import, Applet, Class, Method, StaticField, Export,
// ConstantPool, RefLocation, StaticResources — then the Descriptor if
// o.IncludeDescriptor. It excludes the C4 tag and length (see LoadFile).
func (f *File) LoadFileDataBlock(o LoadOptions) []byte {
	order := loadOrder
	if o.IncludeDescriptor {
		order = append(order[:len(order):len(order)], TagDescriptor)
	}
	n := 0
	for _, t := range order {
		n += len(f.comps[t])
	}
	out := make([]byte, 0, n)
	for _, t := range order {
		out = append(out, f.comps[t]...)
	}
	return out
}

// LoadFile returns the Load File as sent in LOAD commands without DAP blocks:
// tag C4, the BER length of the Load File Data Block, then the block (GPCS
// 2.3.1 §11.6.2.3, Table 11-58).
func (f *File) LoadFile(o LoadOptions) []byte {
	lfdb := f.LoadFileDataBlock(o)
	return append(append([]byte{0xC4}, tlv.EncodeLength(len(lfdb))...), lfdb...)
}

// LoadFileDataBlockHash returns the Load File Data Block Hash: the digest of
// LoadFileDataBlock(o), without the C4 tag and length (GPCS 2.3.1 Appendix
// C.2). h must be crypto.SHA1, SHA256, SHA384 or SHA512.
func (f *File) LoadFileDataBlockHash(h crypto.Hash, o LoadOptions) ([]byte, error) {
	switch h {
	case crypto.SHA1, crypto.SHA256, crypto.SHA384, crypto.SHA512:
	default:
		return nil, fmt.Errorf("cap: unsupported load file hash %v (want SHA-1, SHA-256, SHA-384 or SHA-512)", h)
	}
	d := h.New()
	d.Write(f.LoadFileDataBlock(o))
	return d.Sum(nil), nil
}
