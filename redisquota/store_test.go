// The Store against a real redis-server: the promises of hss.QuotaStore (the conformance suite), the keys' ttl, one round trip per call, and what it refuses.
package redisquota_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/hsskit/hss/internal/quotastoretest"
	"github.com/hsskit/hss/redisquota"
)

const prefix = "hss-test:quota:"

// TestConformance: Stores with one prefix on one server, each with its
// own client, share their data and keep every promise of hss.QuotaStore.
func TestConformance(t *testing.T) {
	srv := startServer(t)
	quotastoretest.Run(t, func(*testing.T) hss.QuotaStore { return redisquota.New(srv.client(), prefix) })
}

// TestKeysExpireWhenIdle: each key is the prefix and the Client's key, and
// carries the ttl of its last swap, in milliseconds; a call that does not
// swap leaves it.
func TestKeysExpireWhenIdle(t *testing.T) {
	srv := startServer(t)
	rdb := srv.client()
	s := redisquota.New(rdb, prefix)
	ctx := t.Context()
	swap := func(old, next string, ttl time.Duration) bool {
		t.Helper()
		var o []byte
		if old != "" {
			o = []byte(old)
		}
		_, ok, err := s.CompareAndSwap(ctx, "route", o, []byte(next), ttl)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	pttl := func() time.Duration {
		t.Helper()
		d, err := rdb.PTTL(ctx, prefix+"route").Result()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	swap("", "v1", time.Minute)
	if got, err := rdb.Get(ctx, prefix+"route").Result(); err != nil || got != "v1" {
		t.Fatalf("GET %sroute: %q, %v; want v1", prefix, got, err)
	}
	if d := pttl(); d <= 50*time.Second || d > time.Minute {
		t.Fatalf("PTTL after a swap with a 1m ttl: %s", d)
	}
	swap("v1", "v2", 2*time.Minute)
	if d := pttl(); d <= time.Minute || d > 2*time.Minute {
		t.Fatalf("PTTL after a swap with a 2m ttl: %s", d)
	}
	if swap("not it", "v3", time.Hour) {
		t.Fatal("a stale old swapped")
	}
	if d := pttl(); d > 2*time.Minute {
		t.Fatalf("PTTL after a call that did not swap: %s; want the 2m ttl left", d)
	}
	// Less than a millisecond is a millisecond, not a key without expiry.
	swap("v2", "v4", time.Microsecond)
	if d := pttl(); d == -1 || d > time.Millisecond { // -1: no expiry; -2: gone
		t.Fatalf("PTTL after a swap with a 1µs ttl: %d", d)
	}
}

// roundTrips counts what a client sends: commands through its process
// hook, and writes on its connections; and the bytes it reads.
type roundTrips struct {
	commands, writes, read atomic.Int64
}

func (r *roundTrips) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &countingConn{Conn: conn, writes: &r.writes, read: &r.read}, nil
	}
}

func (r *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		r.commands.Add(1)
		return next(ctx, cmd)
	}
}

func (r *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		r.commands.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

// count returns the commands and writes since the last count.
func (r *roundTrips) count() (commands, writes int64) {
	return r.commands.Swap(0), r.writes.Swap(0)
}

type countingConn struct {
	net.Conn
	writes, read *atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// TestOneRoundTrip: once the server holds the script, every call is one
// command (EVALSHA) in one write, whether it swaps or not; a server that
// lost the script costs one EVAL more, once.
func TestOneRoundTrip(t *testing.T) {
	srv := startServer(t)
	rdb := srv.client(func(o *redis.Options) { o.PoolSize = 1 })
	trips := &roundTrips{}
	rdb.AddHook(trips)
	s := redisquota.New(rdb, prefix)
	ctx := t.Context()
	call := func(name string, old, next []byte, wantSwap bool, wantCommands int64) {
		t.Helper()
		trips.count()
		_, ok, err := s.CompareAndSwap(ctx, "route", old, next, time.Minute)
		if err != nil || ok != wantSwap {
			t.Fatalf("%s: swapped %v, %v; want %v", name, ok, err, wantSwap)
		}
		if commands, writes := trips.count(); commands != wantCommands || writes != wantCommands {
			t.Fatalf("%s: %d commands in %d writes; want %d", name, commands, writes, wantCommands)
		}
	}
	// The first call connects and loads the script: not counted.
	if _, _, err := s.CompareAndSwap(ctx, "warm-up", nil, []byte("x"), time.Minute); err != nil {
		t.Fatal(err)
	}
	call("a swap on an empty key", nil, []byte("v1"), true, 1)
	call("a swap", []byte("v1"), []byte("v2"), true, 1)
	call("a stale old", []byte("v1"), []byte("v3"), false, 1)
	call("nothing for a key that holds a value", nil, []byte("v3"), false, 1)

	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	call("after SCRIPT FLUSH", []byte("v2"), []byte("v3"), true, 2) // NOSCRIPT, then EVAL
	call("the call after", []byte("v3"), []byte("v4"), true, 1)
}

// TestForeignValues: a key holding what no Store writes is an error, and a
// value too long is never sent.
func TestForeignValues(t *testing.T) {
	srv := startServer(t)
	rdb := srv.client()
	trips := &roundTrips{}
	rdb.AddHook(trips)
	s := redisquota.New(rdb, prefix)
	ctx := t.Context()
	huge := strings.Repeat("x", 8<<20)
	if err := rdb.Set(ctx, prefix+"huge", huge, time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	trips.read.Store(0)
	_, ok, err := s.CompareAndSwap(ctx, "huge", nil, []byte("v"), time.Minute)
	var re *redisquota.ReplyError
	if ok || !errors.As(err, &re) || re.Key != prefix+"huge" {
		t.Fatalf("an 8 MiB value: swapped %v, %v; want a *redisquota.ReplyError", ok, err)
	}
	if read := trips.read.Load(); read == 0 || read > 64<<10 {
		t.Fatalf("the call read %d bytes of an 8 MiB value", read)
	}
	if err := rdb.HSet(ctx, prefix+"hash", "field", "value").Err(); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.CompareAndSwap(ctx, "hash", nil, []byte("v"), time.Minute); ok || err == nil || !strings.Contains(err.Error(), "WRONGTYPE") {
		t.Fatalf("a hash at the key: swapped %v, %v; want Redis's WRONGTYPE error", ok, err)
	}
}

// TestArgumentsRefused: what a Store does not take is an
// *ArgumentError naming it, and nothing is sent.
func TestArgumentsRefused(t *testing.T) {
	trips := &roundTrips{}
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // never reached
	defer rdb.Close()
	rdb.AddHook(trips)
	s := redisquota.New(rdb, prefix)
	ctx := context.Background()
	for _, c := range []struct {
		field string
		s     *redisquota.Store
		ctx   context.Context
		key   string
		next  []byte
	}{
		{"key", s, ctx, strings.Repeat("k", hss.MaxQuotaKeyLen+1), []byte("v")},
		{"next", s, ctx, "k", nil},
		{"next", s, ctx, "k", make([]byte, hss.MaxQuotaValueLen+1)},
		{"ctx", s, nil, "k", []byte("v")},
		{"rdb", redisquota.New(nil, prefix), ctx, "k", []byte("v")},
		{"rdb", nil, ctx, "k", []byte("v")},
	} {
		_, ok, err := c.s.CompareAndSwap(c.ctx, c.key, nil, c.next, time.Minute)
		var ae *redisquota.ArgumentError
		if ok || !errors.As(err, &ae) || ae.Field != c.field {
			t.Errorf("%s: swapped %v, %v; want an *ArgumentError for %s", c.field, ok, err, c.field)
		}
	}
	if commands, _ := trips.count(); commands != 0 {
		t.Fatalf("%d commands sent", commands)
	}
}

// TestClientKeysHoldNoHashTag: the keys a Client writes hold no '{' or
// '}', so that Redis Cluster hashes each whole key and spreads the quotas
// over its slots, instead of reading "{project_id}" as a hash tag and
// putting every quota of every project on one slot.
func TestClientKeysHoldNoHashTag(t *testing.T) {
	srv := startServer(t)
	rdb := srv.client()
	api := hsstest.NewServer(hsstest.WithSeed("task", 3))
	defer api.Close()
	if err := api.HandleFunc(http.MethodGet, "/v5/{project_id}/image/image-sync/tasks", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"total_num":0,"data_list":[]}`))
	}); err != nil {
		t.Fatal(err)
	}
	client := api.Client(t, hss.WithQuotaStore(redisquota.New(rdb, prefix)))
	ctx := t.Context()
	if _, err := client.ListSyncTaskRegistries(ctx, "task", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Do(ctx, http.MethodGet, "/v5/{project_id}/image/image-sync/tasks", nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	keys, err := rdb.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 {
		t.Fatalf("keys %q; want one per route", keys)
	}
	for _, k := range keys {
		if strings.ContainsAny(k, "{}") {
			t.Errorf("key %q holds a brace: Redis Cluster reads a hash tag in it", k)
		}
	}
}

// TestNow: the Store tells the Redis server's time (TIME) in one round
// trip, so that Clients on hosts with differing clocks share times on one
// clock; it refuses what CompareAndSwap refuses.
func TestNow(t *testing.T) {
	srv := startServer(t)
	rdb := srv.client()
	trips := &roundTrips{}
	rdb.AddHook(trips)
	s := redisquota.New(rdb, prefix)
	if _, err := s.Now(t.Context()); err != nil { // the connection's handshake
		t.Fatal(err)
	}
	trips.count()
	before := time.Now()
	got, err := s.Now(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// The server runs on this host: its clock is this one's, to the
	// second TIME gives at least.
	if got.Before(before.Add(-time.Second)) || got.After(time.Now().Add(time.Second)) {
		t.Fatalf("Now = %v, this host's clock %v", got, before)
	}
	if commands, _ := trips.count(); commands != 1 {
		t.Fatalf("%d commands, want 1", commands)
	}
	var ae *redisquota.ArgumentError
	//lint:ignore SA1012 a nil ctx is what this checks
	if _, err := s.Now(nil); !errors.As(err, &ae) || ae.Field != "ctx" {
		t.Errorf("nil ctx: %v", err)
	}
	if _, err := (*redisquota.Store)(nil).Now(t.Context()); !errors.As(err, &ae) || ae.Field != "rdb" {
		t.Errorf("nil Store: %v", err)
	}
}
