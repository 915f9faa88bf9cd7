package command

import (
	"fmt"

	"github.com/skythen/apdu"
)

// insManageChannel is MANAGE CHANNEL (ISO/IEC 7816-4 §11.1.2).
const insManageChannel = 0x70

// Logical channel numbers: 0 is the basic channel, 1–19 the further
// channels (ISO/IEC 7816-4 §5.4.1; GPCS 2.3.1 §11.1.4).
const (
	MaxChannel = 19
)

// NameManageChannel names MANAGE CHANNEL in status errors.
const NameManageChannel = "MANAGE CHANNEL"

// ManageChannelOpen returns MANAGE CHANNEL [open] sent on the basic channel
// with P2 00, asking the card to choose the channel: 00 70 00 00 01. The
// response data is the one-byte channel number (ISO/IEC 7816-4 §11.1.2).
func ManageChannelOpen() apdu.Capdu {
	return apdu.Capdu{Cla: claISO, Ins: insManageChannel, P1: 0x00, P2: 0x00, Ne: 1}
}

// ManageChannelClose returns MANAGE CHANNEL [close] for channel n (1–19),
// sent on the basic channel: 00 70 80 n (ISO/IEC 7816-4 §11.1.2: P1 80
// closes, P2 names the channel).
func ManageChannelClose(n int) (apdu.Capdu, error) {
	if n < 1 || n > MaxChannel {
		return apdu.Capdu{}, fmt.Errorf("%s: channel %d, want 1 to %d", NameManageChannel, n, MaxChannel)
	}
	return apdu.Capdu{Cla: claISO, Ins: insManageChannel, P1: 0x80, P2: byte(n)}, nil
}

// ParseManageChannelOpen returns the channel number MANAGE CHANNEL [open]
// answered: one byte, 1 to 19.
func ParseManageChannelOpen(data []byte) (int, error) {
	if len(data) != 1 || data[0] < 1 || data[0] > MaxChannel {
		return 0, fmt.Errorf("%s: response %X, want one byte 01 to %02X", NameManageChannel, data, MaxChannel)
	}
	return int(data[0]), nil
}

// OnChannel returns c with the logical channel n coded in its class byte
// (ISO/IEC 7816-4 §5.4.1 Tables 2–3; GPCS 2.3.1 §11.1.4 Table 11-11):
// channels 0–3 in b2–b1 of a first interindustry class (00–03, 80–83),
// channels 4–19 as n−4 in b4–b1 of a further interindustry class (40–4F,
// C0–CF). c.Cla must be 00 or 80 (no channel, no secure messaging, no
// chaining); secure messaging is added later by the secure channel, which
// then uses b3 or b6 as the class requires.
func OnChannel(c apdu.Capdu, n int) (apdu.Capdu, error) {
	cla, err := ChannelClass(c.Cla, n)
	if err != nil {
		return apdu.Capdu{}, err
	}
	c.Cla = cla
	return c, nil
}

// ChannelClass codes logical channel n into class byte cla (00 or 80); see
// OnChannel.
func ChannelClass(cla byte, n int) (byte, error) {
	if cla != claISO && cla != claGP {
		return 0, fmt.Errorf("class %02X: want 00 or 80 before coding a logical channel", cla)
	}
	switch {
	case n >= 0 && n <= 3:
		return cla | byte(n), nil
	case n >= 4 && n <= MaxChannel:
		return cla | 0x40 | byte(n-4), nil
	}
	return 0, fmt.Errorf("logical channel %d, want 0 to %d", n, MaxChannel)
}
