package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/cardhost/cardhost/gpcard"
	"github.com/cardhost/cardhost/gpcard/command"
	"github.com/spf13/cobra"
)

// storeDataJSON is the output of "gpcard store-data".
type storeDataJSON struct {
	SD       string `json:"sd"`
	Bytes    int    `json:"bytes"`    // data bytes sent
	Response string `json:"response"` // response data of all blocks, hex
}

func (a *app) storeDataCommand() *cobra.Command {
	var format string
	var encrypted, response bool
	c := &cobra.Command{
		Use:   "store-data HEX...",
		Short: "Send data to the security domain with STORE DATA (split into blocks as needed)",
		Long: "Sends the concatenated HEX arguments to the selected security domain in as many STORE DATA\n" +
			"blocks as the secure channel needs. The data is sent as given: encrypt secret DGIs yourself.",
		Args: minArgs(1, "at least one HEX"),
		RunE: func(c *cobra.Command, args []string) error {
			var o command.StoreDataOptions
			switch strings.ToLower(format) {
			case "", "none":
			case "dgi":
				o.Format = command.StoreDGI
			case "ber":
				o.Format = command.StoreBER
			default:
				return usagef("--format %q: want dgi, ber or none", format)
			}
			o.Encrypted, o.ExpectResponse = encrypted, response
			data, err := parseHex("data", strings.Join(args, ""))
			if err != nil {
				return err
			}
			s, err := a.open(c.Context(), nil)
			if err != nil {
				return err
			}
			defer s.Close()
			resp, err := s.StoreData(c.Context(), data, o)
			if err != nil {
				return err
			}
			out := storeDataJSON{SD: hexUpper(s.SD()), Bytes: len(data), Response: hexUpper(resp)}
			return a.emit(out, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "STORE DATA: %d bytes to %s, response: %s\n", out.Bytes, out.SD, orNone(out.Response))
				return err
			})
		},
	}
	c.Flags().StringVar(&format, "format", "", "data structure announced in P1: dgi, ber or none")
	c.Flags().BoolVar(&encrypted, "encrypted", false, "announce encrypted data (P1 b7-b6 = 11)")
	c.Flags().BoolVar(&response, "response", false, "ask for response data (P1 b1)")
	return c
}

// personalizeJSON is the output of "gpcard personalize".
type personalizeJSON struct {
	AID       string   `json:"aid"`
	DGIs      []string `json:"dgis"`                // DGI identifiers sent, hex
	Encrypted []string `json:"encrypted,omitempty"` // those sent encrypted, hex
}

func (a *app) personalizeCommand() *cobra.Command {
	var encrypt []string
	c := &cobra.Command{
		Use:   "personalize AID DGI=HEX...",
		Short: "Personalise an application through its security domain (INSTALL [for personalization] + STORE DATA)",
		Long: "Sends DGIs (e.g. 0101=A0B1C2) to application AID through the selected security domain.\n" +
			"Secret DGIs are sent as given unless named by --encrypt: those are encrypted under the\n" +
			"secure channel's DEK (SCP02 session DEK, SCP03 static DEK) and sent in STORE DATA blocks\n" +
			"marked encrypted (P1 b7-b6 = 11); their values must be a multiple of 8 (SCP02) or 16 (SCP03) bytes.",
		Args: minArgs(2, "an AID and at least one DGI=HEX"),
		RunE: func(c *cobra.Command, args []string) error {
			aid, err := parseAID("AID", args[0])
			if err != nil {
				return err
			}
			var o gpcard.DGIOptions
			for _, e := range encrypt {
				n, err := strconv.ParseUint(e, 16, 16)
				if err != nil || len(e) != 4 {
					return usagef("--encrypt %q: want 4-digit hex DGI identifiers, e.g. 8101", e)
				}
				o.Encrypt = append(o.Encrypt, uint16(n))
			}
			var dgis []command.DGI
			out := personalizeJSON{AID: hexUpper(aid)}
			for _, id := range o.Encrypt {
				out.Encrypted = append(out.Encrypted, fmt.Sprintf("%04X", id))
			}
			for _, arg := range args[1:] {
				d, err := parseDGI(arg)
				if err != nil {
					return err
				}
				dgis = append(dgis, d)
				out.DGIs = append(out.DGIs, fmt.Sprintf("%04X", d.ID))
			}
			s, err := a.open(c.Context(), nil)
			if err != nil {
				return err
			}
			defer s.Close()
			if _, err := s.PersonalizeWith(c.Context(), aid, dgis, o); err != nil {
				return err
			}
			return a.emit(out, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Personalised %s with DGI %s\n", out.AID, strings.Join(out.DGIs, ", "))
				if err == nil && len(out.Encrypted) > 0 {
					_, err = fmt.Fprintf(w, "Encrypted under the session DEK: DGI %s\n", strings.Join(out.Encrypted, ", "))
				}
				return err
			})
		},
	}
	c.Flags().StringSliceVar(&encrypt, "encrypt", nil, "DGI identifiers (hex, comma-separated) to encrypt under the session DEK")
	return c
}

// parseDGI parses "ID=HEX" with a 2-byte hex DGI identifier.
func parseDGI(s string) (command.DGI, error) {
	id, v, ok := strings.Cut(s, "=")
	n, err := strconv.ParseUint(id, 16, 16)
	if !ok || err != nil || len(id) != 4 {
		return command.DGI{}, usagef("DGI %q: want ID=HEX with a 4-digit hex ID, e.g. 0101=A0B1", s)
	}
	b, err := parseHex("DGI "+id, v)
	if err != nil {
		return command.DGI{}, err
	}
	return command.DGI{ID: uint16(n), Value: b}, nil
}

// orNone prints "(none)" for an empty value.
func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
