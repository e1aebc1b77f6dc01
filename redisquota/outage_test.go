//go:build unix

// A Store whose server goes away: a killed server fails each call at once, a stopped one within the call's context, and a server back on the same port is used again.
package redisquota_test

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hsskit/hss/redisquota"
)

// TestKilledServerFailsFastThenRecovers: with the server killed, a call
// with a minute to go fails on its own (connection refused), long before
// its context ends; once a server is back on the same port, calls work
// again through the same client.
func TestKilledServerFailsFastThenRecovers(t *testing.T) {
	srv := startServer(t)
	s := redisquota.New(srv.client(), prefix)
	if _, ok, err := s.CompareAndSwap(t.Context(), "k", nil, []byte("v"), time.Minute); err != nil || !ok {
		t.Fatalf("before the kill: swapped %v, %v", ok, err)
	}
	srv.kill()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, ok, err := s.CompareAndSwap(ctx, "k", []byte("v"), []byte("w"), time.Minute)
	if ok || err == nil || ctx.Err() != nil {
		t.Fatalf("with the server killed: swapped %v, %v (context: %v); want a failure before the context ends", ok, err, ctx.Err())
	}

	back := startServerOn(t, srv.port)
	if back == nil {
		t.Fatalf("no server could start again on port %d", srv.port)
	}
	// The pool's connections to the old server are dead; go-redis finds
	// out and dials again.
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, ok, err = s.CompareAndSwap(ctx, "k", nil, []byte("fresh"), time.Minute)
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server is back, and calls still fail: %v", err)
		}
	}
	if !ok {
		t.Fatal("the new server (no persistence) held the old key")
	}
}

// TestStoppedServerBoundedByContext: a server that takes connections but
// never answers (stopped with SIGSTOP) holds a call no longer than its
// context, even with a client that would wait an hour.
func TestStoppedServerBoundedByContext(t *testing.T) {
	srv := startServer(t)
	rdb := srv.client(func(o *redis.Options) {
		o.ContextTimeoutEnabled = false
		o.ReadTimeout, o.WriteTimeout = time.Hour, time.Hour
		o.MaxRetries = -1
	})
	s := redisquota.New(rdb, prefix)
	if _, _, err := s.CompareAndSwap(t.Context(), "k", nil, []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := srv.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.cmd.Process.Signal(syscall.SIGCONT) })

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, ok, err := s.CompareAndSwap(ctx, "k", []byte("v"), []byte("w"), time.Minute); ok || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("with the server stopped: swapped %v, %v; want context.DeadlineExceeded", ok, err)
	}
}
