package vpcd

import (
	"net"
	"syscall"
)

// quickAck sets TCP_QUICKACK, which Linux clears again after some ACKs, so it
// is renewed after every header read (tcp(7)).
func quickAck(conn net.Conn) {
	tc, ok := conn.(*net.TCPConn)
	if !ok {
		return
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return
	}
	_ = raw.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1)
	})
}
