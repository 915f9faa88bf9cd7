package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cardhost/cardhost/gpcard/sw"
	"github.com/cardhost/cardhost/reader"
	"github.com/skythen/apdu"
	"github.com/spf13/cobra"
)

// apduJSON is the output of "gpcard apdu".
type apduJSON struct {
	Secure    bool           `json:"secure"`
	Responses []responseJSON `json:"responses"`
}

type responseJSON struct {
	Data    string `json:"data"` // response data, hex
	SW      string `json:"sw"`
	Meaning string `json:"meaning"`
}

func (a *app) apduCommand() *cobra.Command {
	var secure bool
	c := &cobra.Command{
		Use:   "apdu HEX...",
		Short: "Send raw command APDUs and print the responses",
		Long: "Sends each HEX command APDU in order, as is, and prints the responses. With --secure the\n" +
			"security domain is selected and authenticated first and the commands go through the secure\n" +
			"channel (CLA secure messaging bit and C-MAC added). A response other than 9000, 61xx, 62xx or\n" +
			"63xx stops the sequence with exit code 1.",
		Args: minArgs(1, "at least one HEX command APDU"),
		RunE: func(c *cobra.Command, args []string) error {
			cmds := make([][]byte, len(args))
			for i, s := range args {
				b, err := parseHex("APDU", s)
				if err != nil {
					return err
				}
				if _, err := apdu.ParseCapdu(b); err != nil {
					return usagef("APDU %q: %v", s, err)
				}
				cmds[i] = b
			}
			return a.apdu(c.Context(), cmds, secure)
		},
	}
	c.Flags().BoolVar(&secure, "secure", false, "authenticate first and send through the secure channel")
	return c
}

func (a *app) apdu(ctx context.Context, cmds [][]byte, secure bool) error {
	send, done, err := a.apduSender(ctx, secure)
	if err != nil {
		return err
	}
	defer done()
	out := apduJSON{Secure: secure, Responses: []responseJSON{}}
	var failed error
	for i, cmd := range cmds {
		data, status, err := send(cmd)
		if err != nil {
			return err
		}
		out.Responses = append(out.Responses, responseJSON{Data: hexUpper(data), SW: fmt.Sprintf("%04X", status), Meaning: sw.Meaning(status)})
		if s1 := status >> 8; status != sw.OK && s1 != 0x61 && s1 != 0x62 && s1 != 0x63 {
			failed = &sw.StatusError{Command: fmt.Sprintf("APDU %d", i+1), SW: status}
			break
		}
	}
	if err := a.emit(out, out.print); err != nil {
		return err
	}
	return failed
}

// apduSender returns how to send one raw APDU: straight to the transport,
// or through an authenticated session.
func (a *app) apduSender(ctx context.Context, secure bool) (func([]byte) ([]byte, uint16, error), func(), error) {
	if secure {
		s, err := a.open(ctx, nil)
		if err != nil {
			return nil, nil, err
		}
		return func(b []byte) ([]byte, uint16, error) {
			c, err := apdu.ParseCapdu(b)
			if err != nil {
				return nil, 0, err
			}
			c.Data = append([]byte(nil), c.Data...) // ParseCapdu aliases its input
			r, err := s.Transmit(ctx, *c)
			return r.Data, uint16(r.SW1)<<8 | uint16(r.SW2), err
		}, s.Close, nil
	}
	log := a.logger()
	t, _, closer, err := a.openTransport(ctx, log)
	if err != nil {
		return nil, nil, err
	}
	if a.g.trace > 0 {
		t = reader.Trace(t, func(e reader.Exchange) { fmt.Fprintln(a.stderr, reader.FormatExchange(e)) }, nil)
	}
	return func(b []byte) ([]byte, uint16, error) {
		r, err := t.Transmit(ctx, b)
		if err != nil {
			return nil, 0, err
		}
		if len(r) < 2 {
			return nil, 0, fmt.Errorf("response %X has no status word", r)
		}
		return r[:len(r)-2], uint16(r[len(r)-2])<<8 | uint16(r[len(r)-1]), nil
	}, closer, nil
}

func (o *apduJSON) print(w io.Writer) error {
	for _, r := range o.Responses {
		sep := ""
		if r.Data != "" {
			sep = " "
		}
		if _, err := fmt.Fprintf(w, "<< %s%s%s (%s)\n", r.Data, sep, r.SW, r.Meaning); err != nil {
			return err
		}
	}
	return nil
}
