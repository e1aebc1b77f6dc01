package hss

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/internal/secret"
)

// QuotaStore keeps what Clients learn about the gateway's quotas where
// several Clients can read and change it: Clients in one process, processes
// on one host (package quotafile), or hosts (module
// github.com/hsskit/hss/redisquota). Every Client given stores that share
// their data, for the same endpoint, project, credentials identity and
// route, paces its calls as one Client would, instead of finding the quota
// by collision. See WithQuotaStore.
//
// A store only keeps small opaque values; the Clients run the quota's
// logic themselves, reading and changing a value with CompareAndSwap.
type QuotaStore interface {
	// CompareAndSwap stores next under key when the value stored there
	// is old, byte for byte, and reports true; a nil old stands for a key
	// that holds nothing (never written, or expired). The key then expires
	// ttl after this write unless it is written again. When the stored
	// value is not old, it changes nothing and returns the value stored
	// (nil when the key holds nothing) and false.
	//
	// It must be atomic with respect to every other CompareAndSwap on the
	// same key through any store that shares its data, and it should honour
	// ctx, which ends QuotaStoreTimeout after the call: the Client waits no
	// longer (a call that ignores ctx goes on in a goroutine of its own,
	// one per key at most, and its late answer is dropped) and, on an
	// error or no answer, goes on with its own in-memory quota for a while.
	// Keys are printable ASCII without '{' or '}' of at most 512 bytes, and
	// values at most 512 bytes; next is never empty. A store must not keep
	// next or return a slice it still writes to.
	CompareAndSwap(ctx context.Context, key string, old, next []byte, ttl time.Duration) (current []byte, swapped bool, err error)
}

// Limits of what a Client stores, for QuotaStore implementations.
const (
	// MaxQuotaKeyLen is the longest key a Client uses.
	MaxQuotaKeyLen = 512
	// MaxQuotaValueLen is the longest value a Client stores.
	MaxQuotaValueLen = 512
)

// QuotaStoreTimeout bounds each QuotaStore call of a Client.
const QuotaStoreTimeout = 100 * time.Millisecond

// WithQuotaStore shares the gateway's quotas, as the Client learns them,
// through store: every Client whose store shares data with it, and which
// calls the same endpoint and project with the same credentials identity,
// waits for the quota and paces its calls as if they were one Client.
//
// A key names each quota: the endpoint's host, the project, the identity
// the gateway counts (the access key, or a SHA-256 hash of the token: never
// a secret in clear) and the route (method and path template, its braces
// escaped), within MaxQuotaKeyLen bytes (parts that would make it longer
// are replaced by their SHA-256 hash). Without this option each Client
// keeps its quotas in its own memory.
//
// A store that fails, or takes longer than QuotaStoreTimeout (even one
// that ignores its context), never fails a call nor holds it longer: the
// Client goes on with its own in-memory quota, logs a warning at most once
// a minute through WithLogger, and tries the store again a second later. A nil store, or a nil pointer in store, is a
// *ValidationError.
func WithQuotaStore(store QuotaStore) Option {
	return func(c *config) error {
		if isNil(store) {
			return &ValidationError{Field: "WithQuotaStore", Reason: "must not be nil"}
		}
		c.quotaStore, c.newSharing = store, newQuotaLink
		return nil
	}
}

// NewMemoryQuotaStore returns a QuotaStore in this process's memory, for
// Clients of one process that share a quota (several Clients for one
// project, say), and for tests. Keys expire as the interface says. Its
// CompareAndSwap refuses a nil ctx with a *ValidationError, as quotafile's
// Store refuses one.
func NewMemoryQuotaStore() QuotaStore {
	return &memoryQuotaStore{entries: make(map[string]memoryQuotaEntry)}
}

// memoryQuotaStore is the QuotaStore of NewMemoryQuotaStore.
type memoryQuotaStore struct {
	mu      sync.Mutex
	entries map[string]memoryQuotaEntry
	writes  int // expired entries are swept every 1024 writes
}

type memoryQuotaEntry struct {
	value   []byte
	expires time.Time
}

// CompareAndSwap implements QuotaStore. Expiry is measured on the wall
// clock.
func (s *memoryQuotaStore) CompareAndSwap(ctx context.Context, key string, old, next []byte, ttl time.Duration) ([]byte, bool, error) {
	if ctx == nil {
		return nil, false, &ValidationError{Field: "ctx", Reason: "must not be nil; use context.Background()"}
	}
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[key]
	if ok && !now.Before(e.expires) {
		delete(s.entries, key)
		ok = false
	}
	var current []byte
	if ok {
		current = e.value
	}
	if (old == nil) != (current == nil) || !bytes.Equal(old, current) {
		return bytes.Clone(current), false, nil
	}
	s.entries[key] = memoryQuotaEntry{value: bytes.Clone(next), expires: now.Add(ttl)}
	if s.writes++; s.writes%1024 == 0 {
		for k, e := range s.entries {
			if !now.Before(e.expires) {
				delete(s.entries, k)
			}
		}
	}
	return nil, true, nil
}

// quotaStoreKey names the quota of route, for the credentials identity id,
// in a QuotaStore: "hss/1/<host>/<project>/<id>/<route>", printable ASCII
// of at most MaxQuotaKeyLen bytes. The project and the id come
// path-escaped; in the route, '%', '{', '}' and bytes that are not
// printable ASCII are percent-escaped, so that no key holds a brace (Redis
// Cluster would read "{project_id}" as a hash tag and put every quota on
// one slot). A key that would be longer has its longest parts, one after
// the other, replaced by '#' and a SHA-256 hash of the part, until it fits:
// every Client computes the same key from the same parts, short keys stay
// readable, and no part is ever a secret in clear.
func quotaStoreKey(host, projectEsc, id, route string) string {
	const prefix = "hss/1/"
	parts := [...]string{keyEscape(strings.ToLower(host)), projectEsc, id, keyEscape(route)}
	size := func() int {
		n := len(prefix) + len(parts) - 1 // the slashes between the parts
		for _, p := range parts {
			n += len(p)
		}
		return n
	}
	for size() > MaxQuotaKeyLen {
		longest := 0
		for i, p := range parts {
			if len(p) >= len(parts[longest]) {
				longest = i
			}
		}
		sum := sha256.Sum256([]byte(parts[longest]))
		parts[longest] = "#" + hex.EncodeToString(sum[:16])
	}
	return prefix + strings.Join(parts[:], "/")
}

// keyEscape percent-escapes, in a part of a store key, '%', '{', '}' and
// every byte that is not printable ASCII; the rest, '/' and spaces
// included, stays as it is, readable.
func keyEscape(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if keyEscaped(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		if c := s[i]; keyEscaped(c) {
			b = append(b, '%', hexDigit[c>>4], hexDigit[c&15])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

// keyEscaped reports whether keyEscape escapes c.
func keyEscaped(c byte) bool { return c < 0x20 || c > 0x7e || c == '%' || c == '{' || c == '}' }

const hexDigit = "0123456789ABCDEF"

// quotaIdentity names the identity the gateway counts calls by: the access
// key, or a hash of the token, never a secret in clear.
func quotaIdentity(v credentials.Value) string {
	if v.AccessKey != "" {
		return "ak:" + url.PathEscape(v.AccessKey)
	}
	sum := sha256.Sum256([]byte(v.Token))
	return "token:" + hex.EncodeToString(sum[:16])
}

// quotaStoreTTL is how long a key a Client wrote lives without another
// write: long enough for a fleet's next call, short enough that a quota
// nobody uses is learned anew.
func quotaStoreTTL(window time.Duration) time.Duration {
	return max(10*time.Minute, 4*window)
}

// quotaSharing keeps a Client's route quotas in its QuotaStore. It is an
// interface, set by WithQuotaStore, so that a program that never shares a
// quota does not link the store's code.
type quotaSharing interface {
	// key names the quota of route at host for project (escaped) and the
	// credentials creds gives the call, "" when they cannot be had.
	key(ctx context.Context, creds credentials.Provider, host, projectEsc, route string) string
	// apply runs fn on the stored state of q; see quotaLink.apply.
	apply(q *routeQuota, sc quotaScope, now time.Time, fn func(*quotaState)) bool
}

// newQuotaLink is the quotaSharing of a Client with store.
func newQuotaLink(store QuotaStore, logger *slog.Logger) quotaSharing {
	return &quotaLink{store: store, logger: logger}
}

// key implements quotaSharing.
func (l *quotaLink) key(ctx context.Context, creds credentials.Provider, host, projectEsc, route string) string {
	v, err := creds.Retrieve(ctx)
	if err != nil || (v.Token == "" && v.AccessKey == "") {
		return ""
	}
	return quotaStoreKey(host, projectEsc, quotaIdentity(v), route)
}

// apply runs fn on q's state in the store, and reports false when the
// store is not to be asked (it failed a moment ago) or did not take the
// change: the caller then runs fn on the Client's own state. fn may run
// more than once (when another Client wrote first); the last run is the
// one that counts. q.mu is held.
func (l *quotaLink) apply(q *routeQuota, sc quotaScope, now time.Time, fn func(*quotaState)) bool {
	if !l.usable(now) {
		return false
	}
	var old []byte
	if q.cachedKey == sc.key {
		old = q.cached
	}
	for range maxQuotaSwaps {
		st, ok := decodeQuota(old, now)
		if !ok {
			// Nothing shared yet, or nothing readable: start from what this
			// Client knows, and a fleet that has not met the quota yet
			// starts slowly.
			st = q.st
			if st.share == 0 && st.slow.limit == 0 && st.lastPass.IsZero() {
				st.slow.limit = 1
			}
		}
		st.lastPass = later(st.lastPass, q.ownPass) // this Client's calls that got through count as the fleet's
		fn(&st)
		next := encodeQuota(&st, now)
		if ok && sameQuota(next, old) {
			q.st = st // nothing changed: no need to write
			return true
		}
		cur, swapped, err := l.compareAndSwap(sc.ctx, sc.key, old, next, quotaStoreTTL(st.windowLen()))
		switch {
		case err != nil:
			// A store too slow to answer failed, whether or not the call's
			// context ended meanwhile; a call of the key still out but not
			// yet late is no failure, nor is the call's own end.
			if errors.Is(err, errQuotaStoreSlow) || sc.ctx.Err() == nil && !errors.Is(err, errQuotaStoreBusy) {
				l.failed(sc.ctx, now, err)
			}
			q.st, q.cachedKey = st, "" // go on from the state last seen
			return true
		case swapped:
			q.st, q.cached, q.cachedKey = st, next, sc.key
			return true
		}
		old = cur
	}
	return false // other Clients kept writing first: this once, on its own
}

// quotaLink is a Client's way to its QuotaStore: it bounds each call, and
// when the store fails it makes the Client use its own quotas for a while,
// saying so at most once a minute.
type quotaLink struct {
	store  QuotaStore
	logger *slog.Logger // may be nil

	mu      sync.Mutex
	downTo  time.Time            // the store failed: not asked again before this
	warned  time.Time            // the last warning
	pending map[string]time.Time // keys with a store call out, and when it started (wall clock)
}

// errQuotaStoreSlow is the error of a store call that did not answer
// within QuotaStoreTimeout (or of a key whose call has been out longer):
// the Client goes on without the store's answer.
var errQuotaStoreSlow = errors.New("the quota store did not answer within " + QuotaStoreTimeout.String())

// errQuotaStoreBusy is the error of a key whose last store call, begun
// less than QuotaStoreTimeout ago by a call whose context ended, is still
// out: this change is kept in the Client's memory.
var errQuotaStoreBusy = errors.New("the quota store has not answered the last call of this key yet")

// quotaStoreRetry is how long a Client does without a store that failed
// before it asks it again.
const quotaStoreRetry = time.Second

// usable reports whether the store may be asked at now.
func (l *quotaLink) usable(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !now.Before(l.downTo)
}

// failed records a store that failed at now.
func (l *quotaLink) failed(ctx context.Context, now time.Time, err error) {
	l.mu.Lock()
	l.downTo = now.Add(quotaStoreRetry)
	warn := l.warned.IsZero() || now.Sub(l.warned) >= time.Minute
	if warn {
		l.warned = now
	}
	l.mu.Unlock()
	if warn && l.logger != nil {
		l.logger.LogAttrs(ctx, slog.LevelWarn, "hss: the quota store failed; this Client paces on its own until it answers",
			slog.String("error", secret.Clean(err.Error(), 300)))
	}
}

// compareAndSwap calls the store within QuotaStoreTimeout of ctx, and
// waits for it no longer, even for a store that does not honour ctx: the
// call runs in a goroutine of its own, whose answer, when it comes late,
// is dropped (the next call reads the store anew). At most one call of a
// key is out: while one is, the key's calls return errQuotaStoreSlow (or
// errQuotaStoreBusy, within the bound of a call given up because its
// context ended), so a store that hangs holds one goroutine per key, not
// one per call.
func (l *quotaLink) compareAndSwap(ctx context.Context, key string, old, next []byte, ttl time.Duration) ([]byte, bool, error) {
	start := time.Now()
	l.mu.Lock()
	if since, out := l.pending[key]; out {
		l.mu.Unlock()
		if start.Sub(since) >= QuotaStoreTimeout {
			return nil, false, errQuotaStoreSlow
		}
		return nil, false, errQuotaStoreBusy
	}
	if l.pending == nil {
		l.pending = make(map[string]time.Time)
	}
	l.pending[key] = start
	l.mu.Unlock()

	sctx, cancel := context.WithTimeout(ctx, QuotaStoreTimeout)
	done := make(chan quotaSwap, 1) // never blocks the goroutine, whoever waits
	go func() {
		defer cancel()
		var r quotaSwap
		r.current, r.swapped, r.err = l.store.CompareAndSwap(sctx, key, old, next, ttl)
		l.mu.Lock()
		delete(l.pending, key)
		l.mu.Unlock()
		done <- r
	}()
	bound := time.NewTimer(QuotaStoreTimeout)
	defer bound.Stop()
	select {
	case r := <-done:
		return r.current, r.swapped, r.err
	case <-bound.C:
		return nil, false, errQuotaStoreSlow
	case <-ctx.Done():
		if time.Since(start) >= QuotaStoreTimeout {
			return nil, false, errQuotaStoreSlow // the bound came too
		}
		return nil, false, ctx.Err()
	}
}

// quotaSwap is what a store's CompareAndSwap returned.
type quotaSwap struct {
	current []byte
	swapped bool
	err     error
}
