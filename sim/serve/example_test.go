package serve_test

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/cardhost/cardhost/sim/profile"
	"github.com/cardhost/cardhost/sim/serve"
)

// Serving four SCP03 cards to the system pcscd's vpcd readers until
// interrupted, as `gpcard sim serve --cards 4 --dir cards --profile p.json`
// does (the system's vpcd has two readers by default: 35963 and 35964; more
// need more reader.conf entries).
func Example() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	p, err := profile.Embedded("gp231-scp03-i70") // or profile.Load(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	if err := serve.Run(ctx, serve.Options{Dir: "cards", Cards: 4, Profile: p, BasePort: serve.DefaultBasePort}); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
}
