// A real redis-server for the tests, started on a free loopback port with a temporary directory and no persistence.
package redisquota_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// requireServerEnv, set to 1 (as .ci/run does), turns a missing
// redis-server from a skip into a failure.
const requireServerEnv = "REDISQUOTA_REQUIRE_SERVER"

// server is a redis-server the test started.
type server struct {
	t      testing.TB
	port   int
	cmd    *exec.Cmd
	log    *strings.Builder
	exited chan struct{} // closed when the process has exited
}

// startServer starts a redis-server on a free loopback port; it is killed
// when the test ends. Without redis-server on PATH the test skips.
func startServer(t testing.TB) *server {
	t.Helper()
	for range 5 { // another process may take the free port first
		if s := startServerOn(t, freePort(t)); s != nil {
			return s
		}
	}
	t.Fatal("redis-server did not start on any of 5 free ports")
	return nil
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startServerOn starts a redis-server on port and waits until it answers;
// it returns nil when the server exits first (the port was taken).
func startServerOn(t testing.TB, port int) *server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv(requireServerEnv) == "1" {
			t.Fatalf("redis-server is not installed and $%s=1: apt-get install -y redis-server", requireServerEnv)
		}
		t.Skip("redis-server is not installed; to run these tests: apt-get install -y redis-server")
	}
	s := &server{t: t, port: port, log: &strings.Builder{}}
	s.cmd = exec.Command(bin,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--protected-mode", "yes",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir(), "--daemonize", "no", "--loglevel", "warning")
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		_ = s.cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = s.cmd.Process.Kill()
		<-exited
	})
	rdb := redis.NewClient(&redis.Options{Addr: s.addr(), MaxRetries: -1, DialTimeout: time.Second})
	defer rdb.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-exited:
			return nil
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			s.exited = exited
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on port %d did not answer within 30s: %v\n%s", port, err, s.log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// addr is the server's address.
func (s *server) addr() string { return fmt.Sprintf("127.0.0.1:%d", s.port) }

// client returns a go-redis client of the server, closed when the test
// ends.
func (s *server) client(opts ...func(*redis.Options)) *redis.Client {
	o := &redis.Options{Addr: s.addr(), ContextTimeoutEnabled: true}
	for _, f := range opts {
		f(o)
	}
	rdb := redis.NewClient(o)
	s.t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// kill kills the server (SIGKILL) and waits for it to exit.
func (s *server) kill() {
	s.t.Helper()
	if err := s.cmd.Process.Kill(); err != nil {
		s.t.Fatal(err)
	}
	<-s.exited
}
