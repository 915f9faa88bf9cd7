package sim_test

import (
	"context"
	"fmt"

	"github.com/cardhost/cardhost/sim"
	"github.com/cardhost/cardhost/sim/profile"
)

// A simulated card in one line, used through its reader.Transport.
func Example() {
	t := sim.New(profile.Default()).Transport()
	defer t.Close()
	r, err := t.Transmit(context.Background(), []byte{0x00, 0xA4, 0x04, 0x00, 0x00})
	if err != nil {
		panic(err)
	}
	fmt.Printf("ISD FCI %X… SW %X\n", r[:12], r[len(r)-2:])
	// Output: ISD FCI 6F418408A000000151000000… SW 9000
}
