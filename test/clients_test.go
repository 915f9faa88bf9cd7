package test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cardhost/cardhost/reader"
	"github.com/cardhost/cardhost/sim/simtest"
)

// What the default simulated card answers (GPCS 2.3.1 §11.9.3 FCI with Card
// Recognition Data and 9F65; CPLC of the default profile), as sim's own tests
// state them.
const (
	simISDFCI = "6F41" + "8408A000000151000000" + "A535" +
		"732F" + "06072A864886FC6B01" + "600C060A2A864886FC6B02020301" + "630906072A864886FC6B03" + "640B06092A864886FC6B040215" +
		"9F6501FF"
	simCPLC = "9F7F2A" + "4790" + "0503" + "8211" + "6351" + "0101" + "6100" + "00000001" + "0001" +
		"000000000000000000000000000000000000000000000000"
)

// clientCases are the exchanges every third-party client must see.
var clientCases = []struct {
	name, capdu, want string
}{
	{"SELECT ISD by empty AID", "00A4040000", simISDFCI + "9000"},
	{"SELECT ISD by AID", "00A4040008A000000151000000", simISDFCI + "9000"},
	{"GET DATA CPLC", "80CA9F7F00", simCPLC + "9000"},
	{"unknown INS", "80FF000000", "6D00"},
}

// tool returns the path of a client program, failing the test with the
// Debian package to install when it is missing.
func tool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found (%v): install the Debian package %s (make deps)", name, err, debianPackage)
	}
	return path
}

// runClient runs a client against the private pcscd and returns its output.
func runClient(t *testing.T, stdin string, path string, args ...string) string {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Env = append(cmd.Environ(), daemon.Env())
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", path, args, err, out)
	}
	return string(out)
}

func hexEqual(t *testing.T, got []byte, want string) bool {
	t.Helper()
	w, err := hex.DecodeString(want)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(got, w)
}

// TestScriptor_SeesSimulatedCard drives pcsc-tools' scriptor (APDUs on
// stdin, -r READER) against a simulated card in a vpcd reader.
func TestScriptor_SeesSimulatedCard(t *testing.T) {
	scriptor := tool(t, "scriptor", "pcsc-tools")
	card, _ := simtest.NewCard(t)
	names := simtest.ServeVPCD(t, daemon, card)
	var script strings.Builder
	for _, c := range clientCases {
		script.WriteString(c.capdu + "\n")
	}
	out := runClient(t, script.String(), scriptor, "-r", names[0])
	if !strings.Contains(out, "Using T=1 protocol") {
		t.Errorf("scriptor did not connect with T=1:\n%s", out)
	}
	got := parseScriptor(t, out)
	if len(got) != len(clientCases) {
		t.Fatalf("scriptor printed %d exchanges, want %d:\n%s", len(got), len(clientCases), out)
	}
	for i, c := range clientCases {
		if !hexEqual(t, got[i].capdu, c.capdu) || !hexEqual(t, got[i].rapdu, c.want) {
			t.Errorf("%s: scriptor printed > %X < %X, want > %s < %s", c.name, got[i].capdu, got[i].rapdu, c.capdu, c.want)
		}
	}
	if got[0].meaning != "Normal processing." || got[3].meaning != "Instruction code not supported or invalid." {
		t.Errorf("status meanings %q, %q", got[0].meaning, got[3].meaning)
	}
}

// scriptorExchange is one "> C-APDU" / "< R-APDU : meaning" pair of
// scriptor's output; the R-APDU may span lines (16 bytes each).
type scriptorExchange struct {
	capdu, rapdu []byte
	meaning      string
}

func parseScriptor(t *testing.T, out string) []scriptorExchange {
	t.Helper()
	var ex []scriptorExchange
	var resp *strings.Builder
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "> "):
			ex = append(ex, scriptorExchange{capdu: spacedHex(t, line[2:])})
		case strings.HasPrefix(line, "< ") && len(ex) > 0:
			resp = new(strings.Builder)
			line = line[2:]
			fallthrough
		case resp != nil:
			body, meaning, last := strings.Cut(line, " : ")
			resp.WriteString(body + " ")
			if last {
				ex[len(ex)-1].rapdu, ex[len(ex)-1].meaning = spacedHex(t, resp.String()), meaning
				resp = nil
			}
		}
	}
	return ex
}

func spacedHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("not hex: %q", s)
	}
	return b
}

// TestOpenscTool_SeesSimulatedCard sends each APDU with opensc's
// `opensc-tool --reader N --send-apdu` to a simulated card in a vpcd reader.
func TestOpenscTool_SeesSimulatedCard(t *testing.T) {
	openscTool := tool(t, "opensc-tool", "opensc")
	card, _ := simtest.NewCard(t)
	names := simtest.ServeVPCD(t, daemon, card)
	pc, err := reader.NewContext()
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	all, err := pc.Readers()
	if err != nil {
		t.Fatal(err)
	}
	index := slices.Index(all, names[0]) // opensc numbers readers in pcscd's order
	if index < 0 {
		t.Fatalf("reader %q not among %q", names[0], all)
	}
	for _, c := range clientCases {
		out := runClient(t, "", openscTool, "--reader", strconv.Itoa(index), "--send-apdu", c.capdu)
		got, ok := parseOpenscTool(t, out)
		if !ok || !hexEqual(t, got, c.want) {
			t.Errorf("%s: opensc-tool received %X, want %s:\n%s", c.name, got, c.want, out)
		}
	}
}

// parseOpenscTool reads the response of `opensc-tool --send-apdu`:
// "Received (SW1=0x90, SW2=0x00):" then a hex dump of the data, 16 bytes a
// line followed by their ASCII. It returns data ‖ SW1 SW2.
func parseOpenscTool(t *testing.T, out string) ([]byte, bool) {
	t.Helper()
	_, after, ok := strings.Cut(out, "Received (SW1=0x")
	if !ok || len(after) < len("90, SW2=0x00)") {
		return nil, false
	}
	var sw1, sw2 byte
	if _, err := fmt.Sscanf(after, "%02X, SW2=0x%02X)", &sw1, &sw2); err != nil {
		return nil, false
	}
	var data []byte
	for _, l := range strings.Split(after, "\n")[1:] {
		if l = strings.TrimRight(l, "\r"); l == "" {
			continue
		}
		data = append(data, spacedHex(t, l[:min(len(l), 48)])...) // 16 × "XX ", then ASCII
	}
	return append(data, sw1, sw2), true
}
