package command

import (
	"fmt"

	"github.com/cardhost/cardhost/gpcard/tlv"
	"github.com/skythen/apdu"
)

// Delete returns DELETE of a card content entry (GPCS 2.3.1 §11.2.2, Tables
// 11-19, 11-21, 11-22): 80 E4 00 <P2> Lc 4F <len> <AID> [9E <len> <token>] 00,
// P2 80 when related objects (the package's instances) go too.
func Delete(aid []byte, related bool, token []byte) (apdu.Capdu, error) {
	if err := checkAID("DELETE", aid, false); err != nil {
		return apdu.Capdu{}, err
	}
	data := tlv.New(0x4F, aid).Bytes()
	if len(token) > 0 {
		data = tlv.New(0x9E, token).Append(data)
	}
	if err := checkData(NameDelete, data); err != nil {
		return apdu.Capdu{}, err
	}
	c := apdu.Capdu{Cla: claGP, Ins: insDelete, Data: data, Ne: neMax}
	if related {
		c.P2 = 0x80
	}
	return c, nil
}

// DeleteKey returns DELETE of keys (GPCS 2.3.1 §11.2.2.3, Table 11-23):
// D0 01 <key identifier> and/or D2 01 <key version number>; a nil pointer
// leaves that criterion out, and at least one is needed.
func DeleteKey(kid, kvn *byte) (apdu.Capdu, error) {
	var data []byte
	if kid != nil {
		data = append(data, 0xD0, 0x01, *kid)
	}
	if kvn != nil {
		data = append(data, 0xD2, 0x01, *kvn)
	}
	if len(data) == 0 {
		return apdu.Capdu{}, fmt.Errorf("DELETE key: need a key identifier or key version")
	}
	return apdu.Capdu{Cla: claGP, Ins: insDelete, Data: data, Ne: neMax}, nil
}
