package gpcard

import (
	"context"
	"errors"

	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/skythen/apdu"
)

// CardInfo is what the selected Security Domain tells about the card (gp -i):
// every field is optional, and Unavailable says why one is missing.
type CardInfo struct {
	SD             HexBytes                `json:"sd"`
	MaxCommandData int                     `json:"max_command_data,omitempty"` // FCI 9F65
	CardData       *command.CardData       `json:"card_data,omitempty"`
	CPLC           *command.CPLC           `json:"cplc,omitempty"`
	IIN            HexBytes                `json:"iin,omitempty"`
	CIN            HexBytes                `json:"cin,omitempty"`
	KeyInfo        []command.KeyInfo       `json:"key_info,omitempty"`
	Capability     *command.CardCapability `json:"capability,omitempty"`
	Sequence       *uint32                 `json:"sequence_counter,omitempty"`
	Resources      *command.CardResources  `json:"resources,omitempty"`
	// Unavailable maps a data object name (e.g. "CPLC") to why it is absent:
	// the card's status word with its meaning, or a parse error.
	Unavailable map[string]string `json:"unavailable,omitempty"`
}

// Info reads the card data objects with GET DATA, once each (GPCS 2.3.1
// §11.3): 9F7F CPLC, 42 IIN, 45 CIN, E0 key information, 67 card
// capabilities, C1 sequence counter, FF21 card resources and, unless the FCI
// carried it, 66 card data. Card refusals do not fail Info; they are listed
// in Unavailable. Without a secure channel the CPLC is asked again with CLA
// 00 when the card rejects CLA 80 (clients.md §1.3).
func (c *Card) Info(ctx context.Context) (*CardInfo, error) {
	info := &CardInfo{SD: c.SD(), MaxCommandData: c.fci.MaxCommandData, Unavailable: map[string]string{}}
	cd, err := c.recognition(ctx)
	if err != nil {
		return nil, err
	}
	if len(cd.SCPs) > 0 || cd.GPCard {
		info.CardData = &cd
	}
	objects := []struct {
		name  string
		tag   uint16
		parse func([]byte) error
	}{
		{"CPLC", command.TagCPLC, func(b []byte) error { v, err := command.ParseCPLC(b); return set(&info.CPLC, v, err) }},
		{"IIN", command.TagIIN, func(b []byte) (err error) { info.IIN, err = command.ParseDataObject(command.TagIIN, b); return }},
		{"CIN", command.TagCIN, func(b []byte) (err error) { info.CIN, err = command.ParseDataObject(command.TagCIN, b); return }},
		{"key information", command.TagKeyInformation, func(b []byte) (err error) { info.KeyInfo, err = command.ParseKeyInfo(b); return }},
		{"card capability", command.TagCardCapability, func(b []byte) error { v, err := command.ParseCardCapability(b); return set(&info.Capability, v, err) }},
		{"sequence counter", command.TagSequenceCounter, func(b []byte) error { v, err := command.ParseSequenceCounter(b); return set(&info.Sequence, v, err) }},
		{"card resources", command.TagExtendedCardResource, func(b []byte) error { v, err := command.ParseCardResources(b); return set(&info.Resources, v, err) }},
	}
	for _, o := range objects {
		data, err := c.getData(ctx, o.tag)
		var se *sw.StatusError
		switch {
		case errors.As(err, &se):
			info.Unavailable[o.name] = se.Error()
			continue
		case err != nil:
			return nil, err
		}
		if err := o.parse(data); err != nil {
			info.Unavailable[o.name] = err.Error()
		}
	}
	return info, nil
}

// getData sends GET DATA for tag; the CPLC is retried with CLA 00 when the
// card rejects the GlobalPlatform class outside a secure channel.
func (c *Card) getData(ctx context.Context, tag uint16) ([]byte, error) {
	cmd := command.GetData(tag)
	r, err := c.exchange(ctx, command.NameGetData, cmd)
	if tag == command.TagCPLC && c.session == nil && errors.Is(err, sw.ErrNotSupported) {
		r, err = c.exchange(ctx, command.NameGetData, apdu.Capdu{Cla: 0x00, Ins: cmd.Ins, P1: cmd.P1, P2: cmd.P2, Ne: cmd.Ne})
	}
	return r.Data, err
}

// set stores v in *dst when err is nil and returns err.
func set[T any](dst **T, v T, err error) error {
	if err == nil {
		*dst = &v
	}
	return err
}
