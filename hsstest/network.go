package hsstest

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
)

// WithInMemoryNetwork makes the server listen on an in-memory network
// instead of a loopback TCP port: only HTTPClient, and the hss Clients of
// Client and NewClient, reach it (URL still names a loopback address, for
// the SDK's rules). Every connection is a net.Pipe, so a goroutine waiting
// on it is durably blocked in the sense of testing/synctest: inside a
// synctest bubble, the bubble's fake time advances while requests are in
// flight, and a test can overlap many Clients over hours of simulated time
// on the real clock code (start the server inside the bubble, and Close it
// before the bubble ends).
func WithInMemoryNetwork() Option {
	return func(c *config) { c.inMemory = true }
}

// memoryListener is a net.Listener whose connections are net.Pipes made by
// its dial.
type memoryListener struct {
	addr   memoryAddr
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newMemoryListener(port uint64) *memoryListener {
	return &memoryListener{
		addr:   memoryAddr("127.0.0.1:" + strconv.FormatUint(port, 10)),
		conns:  make(chan net.Conn),
		closed: make(chan struct{}),
	}
}

// errListenerClosed is what Accept and dial return once the listener is
// closed.
var errListenerClosed = errors.New("hsstest: in-memory listener closed")

// Accept waits for the next connection.
func (l *memoryListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, errListenerClosed
	}
}

// Close stops Accept and dial; connections already made stay open.
func (l *memoryListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

// Addr is the loopback address URL names.
func (l *memoryListener) Addr() net.Addr { return l.addr }

// dial connects to the listener, whatever address it is given.
func (l *memoryListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.closed:
	case <-ctx.Done():
		client.Close()
		server.Close()
		return nil, ctx.Err()
	}
	client.Close()
	server.Close()
	return nil, errListenerClosed
}

// memoryAddr is the address of a memoryListener.
type memoryAddr string

func (a memoryAddr) Network() string { return "tcp" }
func (a memoryAddr) String() string  { return string(a) }
