// Package redisquota keeps the quotas that hss Clients learn in Redis, so
// that Clients on many hosts (a fleet of workers, several services of one
// account) pace their calls as one Client would:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379", ContextTimeoutEnabled: true})
//	client, err := hss.NewClient(endpoint, projectID, hss.WithToken(token),
//		hss.WithQuotaStore(redisquota.New(rdb, "hss:quota:")))
//
// Each quota is one Redis string at the prefix followed by the Client's key,
// which expires when no Client has written it for its ttl. A
// CompareAndSwap is one Lua script, run with EVALSHA (and with EVAL, once,
// when the server does not hold it yet): one round trip, atomic on the
// server, whether it swaps or returns the current value. It works with a
// single server, Sentinel, Cluster or a Ring (each script touches one key).
//
// The keys hss Clients make hold no '{' or '}' (the braces of a route's
// "{project_id}" are percent-escaped), so Redis Cluster reads no hash tag
// in them and spreads the quotas over its slots by the whole key: a quota
// needs no other key on its slot, and one busy project does not load one
// node. A prefix with a hash tag of its own ("{hss}:quota:") puts every
// quota on that tag's slot, which nothing here needs.
//
// It lives in a module of its own, so that the hss module does not depend
// on go-redis.
package redisquota

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hsskit/hss"
)

// maxTTL bounds a key's time to live, well within what Redis takes.
const maxTTL = 10 * 365 * 24 * time.Hour

// compareAndSwap is the script of CompareAndSwap. KEYS[1] is the key;
// ARGV[1] is "1" when an old value is given and "0" for nothing; ARGV[2]
// the old value, ARGV[3] the next one, ARGV[4] the ttl in milliseconds,
// ARGV[5] the longest value a Client stores. It replies 1 when it swapped,
// 0 when it did not and the key holds nothing, the value the key holds
// when it did not swap, and -1 for a value longer than a Client stores,
// which it does not send.
var compareAndSwap = redis.NewScript(`
local current = redis.call('GET', KEYS[1])
if current and string.len(current) > tonumber(ARGV[5]) then
	return -1
end
if ARGV[1] == '1' then
	if current ~= ARGV[2] then
		return current or 0
	end
elseif current then
	return current
end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
return 1
`)

// Store is an hss.QuotaStore in Redis. Stores with the same prefix on the
// same Redis share their quotas. It is safe for concurrent use.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
}

var (
	_ hss.QuotaStore      = (*Store)(nil)
	_ hss.QuotaStoreClock = (*Store)(nil)
)

// New returns a Store that keeps each quota at prefix followed by the
// Client's key (a prefix such as "hss:quota:" keeps them apart from other
// data). Give rdb ContextTimeoutEnabled, so that go-redis bounds its reads
// and writes by the Client's context; without it CompareAndSwap still
// returns when the context ends, while go-redis waits up to its
// ReadTimeout for the answer.
func New(rdb redis.UniversalClient, prefix string) *Store {
	return &Store{rdb: rdb, prefix: prefix}
}

// Prefix returns the prefix of the Store's keys.
func (s *Store) Prefix() string {
	if s == nil {
		return ""
	}
	return s.prefix
}

// reply is the outcome of the script.
type reply struct {
	value any
	err   error
}

// CompareAndSwap implements hss.QuotaStore in one round trip: it stores
// next at the key, expiring ttl from now (rounded up to a whole
// millisecond, at least one, at most ten years), when the key holds old,
// and returns what it holds otherwise. It returns ctx's error as soon as
// ctx ends, even when go-redis waits on. A key over hss.MaxQuotaKeyLen
// bytes, a next that is empty or over hss.MaxQuotaValueLen bytes, a nil
// ctx or a Store without a client return an *ArgumentError; a key holding
// something no Client stores (a value over hss.MaxQuotaValueLen bytes,
// which is not read) a *ReplyError; and a failure of Redis, go-redis's
// error, wrapped.
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, next []byte, ttl time.Duration) ([]byte, bool, error) {
	switch {
	case ctx == nil:
		return nil, false, &ArgumentError{Field: "ctx", Reason: "must not be nil"}
	case s == nil || s.rdb == nil:
		return nil, false, &ArgumentError{Field: "rdb", Reason: "the Store has no Redis client: make it with New"}
	case len(key) > hss.MaxQuotaKeyLen:
		return nil, false, &ArgumentError{Field: "key", Reason: fmt.Sprintf("must be at most %d bytes, got %d", hss.MaxQuotaKeyLen, len(key))}
	case len(next) == 0 || len(next) > hss.MaxQuotaValueLen:
		return nil, false, &ArgumentError{Field: "next", Reason: fmt.Sprintf("must be 1-%d bytes, got %d", hss.MaxQuotaValueLen, len(next))}
	}
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	given := "0"
	if old != nil {
		given = "1"
	}
	key = s.prefix + key
	args := []any{given, old, next, ttlMillis(ttl), hss.MaxQuotaValueLen}
	done := make(chan reply, 1)
	go func() {
		v, err := compareAndSwap.Run(ctx, s.rdb, []string{key}, args...).Result()
		done <- reply{v, err}
	}()
	var r reply
	select {
	case r = <-done:
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
	if r.err != nil {
		return nil, false, fmt.Errorf("redisquota: %w", r.err)
	}
	switch v := r.value.(type) {
	case int64:
		switch v {
		case 1:
			return nil, true, nil
		case 0:
			return nil, false, nil
		case -1:
			return nil, false, &ReplyError{Key: key, Reason: fmt.Sprintf("it holds a value longer than %d bytes, which no Client stores", hss.MaxQuotaValueLen)}
		}
	case string:
		if len(v) > 0 && len(v) <= hss.MaxQuotaValueLen {
			return []byte(v), false, nil
		}
	}
	return nil, false, &ReplyError{Key: key, Reason: fmt.Sprintf("the script replied %T, which it never does", r.value)}
}

// Now implements hss.QuotaStoreClock: the time of the Redis server (TIME),
// in one round trip, so that Clients on hosts whose clocks differ keep the
// times they share on one clock. (On Redis Cluster, any node answers; the
// nodes' clocks should agree, as NTP keeps them.) It returns ctx's error as
// soon as ctx ends. A nil ctx or a Store without a client return an
// *ArgumentError, and a failure of Redis, go-redis's error, wrapped.
func (s *Store) Now(ctx context.Context) (time.Time, error) {
	switch {
	case ctx == nil:
		return time.Time{}, &ArgumentError{Field: "ctx", Reason: "must not be nil"}
	case s == nil || s.rdb == nil:
		return time.Time{}, &ArgumentError{Field: "rdb", Reason: "the Store has no Redis client: make it with New"}
	}
	type answer struct {
		t   time.Time
		err error
	}
	done := make(chan answer, 1)
	go func() {
		t, err := s.rdb.Time(ctx).Result()
		done <- answer{t, err}
	}()
	select {
	case a := <-done:
		if a.err != nil {
			return time.Time{}, fmt.Errorf("redisquota: %w", a.err)
		}
		return a.t, nil
	case <-ctx.Done():
		return time.Time{}, ctx.Err()
	}
}

// ttlMillis is ttl in whole milliseconds, rounded up, from 1 to maxTTL.
func ttlMillis(ttl time.Duration) int64 {
	ttl = min(max(ttl, time.Millisecond), maxTTL)
	return int64((ttl + time.Millisecond - 1) / time.Millisecond)
}
