package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestInstall_APDUCount checks that install sends exactly 1 SELECT, 2
// authentication commands, 1 INSTALL [for load], ceil(payload / block)
// LOAD and 1 INSTALL [for install and make selectable], counted on the
// --trace lines.
func TestInstall_APDUCount(t *testing.T) {
	c := newCLI(t)
	var info struct {
		LoadFileSize int `json:"load_file_size"`
	}
	if err := json.Unmarshal([]byte(c.ok("cap", "info", "--json", "big.cap").out), &info); err != nil {
		t.Fatal(err)
	}
	// LOAD payload: C4, a 3-byte BER length (82 hi lo) for 256..65535 bytes,
	// the load file (GPCS 2.3.1 Table 11-58). The default card announces
	// 255 bytes (FCI 9F65) and SCP02 C-MAC takes 8: blocks of 247 bytes.
	payload := info.LoadFileSize + 4
	const block = 255 - 8
	blocks := (payload + block - 1) / block
	if blocks < 3 {
		t.Fatalf("big.cap makes %d blocks; the test wants several", blocks)
	}

	res := c.ok("--reader", "sim:card.img", "-d", "--json", "install", "big.cap")
	var out installJSON
	if err := json.Unmarshal([]byte(res.out), &out); err != nil {
		t.Fatal(err)
	}
	if out.Load.Bytes != payload || out.Load.BlockSize != block || out.Load.Blocks != blocks {
		t.Errorf("load = %+v, want %d bytes in %d blocks of %d", *out.Load, payload, blocks, block)
	}
	var sent []string
	for _, l := range strings.Split(res.stderr, "\n") {
		if cmd, ok := strings.CutPrefix(l, ">> "); ok {
			sent = append(sent, cmd)
		}
	}
	want := []string{"00A40400", "80500000", "84820100", "84E60200"}
	for i := range blocks {
		p1 := "00"
		if i == blocks-1 {
			p1 = "80"
		}
		want = append(want, "84E8"+p1+strings.ToUpper(hexUpperByte(byte(i))))
	}
	want = append(want, "84E60C00")
	if len(sent) != 1+2+1+blocks+1 || len(sent) != len(want) {
		t.Fatalf("install sent %d APDUs, want %d:\n%s", len(sent), len(want), res.stderr)
	}
	for i, w := range want {
		if !strings.HasPrefix(sent[i], w) {
			t.Errorf("APDU %d = %s, want header %s", i+1, sent[i], w)
		}
	}
}

// TestCommands_APDUCounts pins the number of APDUs of the other commands
// on the default card (1 SELECT, 2 for authentication, then the work).
func TestCommands_APDUCounts(t *testing.T) {
	c := newCLI(t)
	g := []string{"--reader", "sim:card.img", "-d"}
	for _, tc := range []struct {
		args []string
		n    int
	}{
		{[]string{"info"}, 1 + 8},                         // SELECT, GET DATA 9F7F 42 45 E0 67 C1 FF21 CF
		{[]string{"list"}, 3 + 3},                         // GET STATUS 80, 40, 10
		{[]string{"install", "hello.cap"}, 3 + 1 + 2 + 1}, // 272 bytes: 2 LOAD blocks
		{[]string{"put-key", "--new-kvn", "01", "--new-key", keyV1}, 3 + 1},
		{[]string{"--key", keyV1, "create-ssd", ssdAID, "--ssd-key", keySSD}, 3 + 1 + 2}, // INSTALL, INSTALL [perso], 1 STORE DATA
		{[]string{"--key", keyV1, "lock", helloApp}, 3 + 1},
		{[]string{"--key", keyV1, "unlock", helloApp}, 3 + 1},
		{[]string{"--key", keyV1, "delete", "--related", helloPkg}, 3 + 1},
		{[]string{"--key", keyV1, "card-state", "secure"}, 3 + 1},
		{[]string{"apdu", "00A4040000"}, 1},
	} {
		res := c.ok(append(g, tc.args...)...)
		if n := strings.Count(res.stderr, ">> "); n != tc.n {
			t.Errorf("%v: %d APDUs, want %d:\n%s", tc.args, n, tc.n, res.stderr)
		}
	}
}
