package command

import (
	"bytes"
	"testing"
)

// Each segment starts a new block with its own P1 b7–b6 (GPCS 2.3.1 Table
// 11-89: 11 encrypted, 00 clear); block numbers run on; b8 marks the last
// block; empty segments send nothing; o.Encrypted is ignored.
func TestStoreDataSegments(t *testing.T) {
	segs := []StoreDataSegment{
		{Data: h(t, "8101 04 01020304 8102 01 05"), Encrypted: true},
		{},
		{Data: h(t, "0101 01 07")},
		{Data: h(t, "8103 02 0809"), Encrypted: true},
	}
	cs, err := StoreDataSegments(segs, 6, StoreDataOptions{Format: StoreDGI, Encrypted: false, ExpectResponse: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"80E2690006 8101 04 010203 00",
		"80E2690105 04 8102 01 05 00",
		"80E2090204 0101 01 07 00",
		"80E2E90305 8103 02 0809 00",
	}
	if len(cs) != len(want) {
		t.Fatalf("%d commands, want %d", len(cs), len(want))
	}
	for i, w := range want {
		if got := mustBytes(t, cs[i], nil); !bytes.Equal(got, h(t, w)) {
			t.Errorf("block %d: %X, want %s", i, got, w)
		}
	}
	// No data: one empty last block, encrypted as the first segment says.
	cs, err = StoreDataSegments([]StoreDataSegment{{Encrypted: true}}, 6, StoreDataOptions{Format: StoreDGI})
	if got := mustBytes(t, cs[0], err); len(cs) != 1 || !bytes.Equal(got, h(t, "80E2E800")) {
		t.Errorf("empty: %X", got)
	}
	if _, err := StoreDataSegments(segs, 0, StoreDataOptions{}); err == nil {
		t.Error("block size 0 accepted")
	}
	if _, err := StoreDataSegments([]StoreDataSegment{{Data: make([]byte, 257)}}, 1, StoreDataOptions{}); err == nil {
		t.Error("257 blocks accepted")
	}
}
