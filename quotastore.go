package hss

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
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
	// ctx, which ends at most QuotaStoreTimeout after the Client's operation
	// began (a read of the store's clock and the earlier tries of the same
	// change share that bound, so a call may get less): the Client waits no
	// longer (a call that ignores ctx goes on in a goroutine of its own,
	// one per key at most, and its late answer is dropped) and, on an
	// error or no answer, goes on with its own in-memory quota for a while.
	// Keys are printable ASCII without '{' or '}' of at most 512 bytes, and
	// values at most 512 bytes; next is never empty. A store must not keep
	// next or return a slice it still writes to.
	CompareAndSwap(ctx context.Context, key string, old, next []byte, ttl time.Duration) (current []byte, swapped bool, err error)
}

// QuotaStoreClock is an optional upgrade of a QuotaStore whose Clients run
// on several hosts: Now tells the time of the store's own clock (Redis's
// TIME, say). The Clients of a store keep times in the values they share
// (when a window opened, when the next call may go), and the clocks of two
// hosts differ; a Client whose store has a clock measures its own clock's
// offset from it (about once a minute, one call, within
// QuotaStoreTimeout; once, for a Client given its own Clock with
// WithClock, which need not run at the wall clock's pace) and keeps the
// times it shares on the store's clock, so that every host reads them
// alike. Without it the times are each
// writer's own, which is right for Clients of one host (package
// quotafile, NewMemoryQuotaStore). redisquota's Store implements it.
type QuotaStoreClock interface {
	// Now returns the store's time; it should honour ctx, which ends at
	// most QuotaStoreTimeout after the call (the bound of the operation it
	// begins). An error, or no answer, counts as a failure of the store.
	Now(ctx context.Context) (time.Time, error)
}

// Limits of what a Client stores, for QuotaStore implementations.
const (
	// MaxQuotaKeyLen is the longest key a Client uses.
	MaxQuotaKeyLen = 512
	// MaxQuotaValueLen is the longest value a Client stores.
	MaxQuotaValueLen = 512
)

// QuotaStoreTimeout bounds each operation of a Client on its QuotaStore:
// the read of the store's clock (when due) and every try of one change,
// all told.
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

// quotaStoreTTL is how long a key holding st, written at now, lives
// without another write: long enough for a fleet's next call, and past its
// gate (a Retry-After may name a day, and Clients that wait for it do not
// write), short enough that a quota nobody uses is learned anew.
func quotaStoreTTL(st *quotaState, now time.Time) time.Duration {
	w := st.windowLen()
	return max(10*time.Minute, 4*w, st.gate.Sub(now)+w)
}

// quotaSharing keeps a Client's route quotas in its QuotaStore. It is an
// interface, set by WithQuotaStore, so that a program that never shares a
// quota does not link the store's code.
type quotaSharing interface {
	// key names the quota of route at the endpoint for project (escaped)
	// and the credentials creds gives the call, "" when they cannot be
	// had.
	key(ctx context.Context, creds credentials.Provider, endpoint *url.URL, projectEsc, route string) string
	// apply runs fn on the stored state of q; see quotaLink.apply.
	apply(q *routeQuota, sc quotaScope, now time.Time, fn func(*quotaState)) bool
}

// newQuotaLink is the quotaSharing of a Client with store, whose clock is
// clk.
func newQuotaLink(store QuotaStore, logger *slog.Logger, clk Clock) quotaSharing {
	l := &quotaLink{store: store, logger: logger, clock: clk}
	l.storeClock, _ = store.(QuotaStoreClock)
	_, wall := clk.(realClock)
	l.offsetOnce = !wall
	return l
}

// key implements quotaSharing.
func (l *quotaLink) key(ctx context.Context, creds credentials.Provider, endpoint *url.URL, projectEsc, route string) string {
	v, err := creds.Retrieve(ctx)
	if err != nil || (v.Token == "" && v.AccessKey == "") {
		return ""
	}
	return quotaStoreKey(quotaHost(endpoint), projectEsc, quotaIdentity(v), route)
}

// quotaHost is the endpoint's host as the gateway's quota knows it, one
// spelling for one host: lower case, without a trailing dot or the
// scheme's default port ("https://GW.example.com.:443" and
// "https://gw.example.com" share a quota).
func quotaHost(u *url.URL) string {
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	port := u.Port()
	if port == "" || u.Scheme == "https" && port == "443" || u.Scheme == "http" && port == "80" {
		if strings.Contains(host, ":") {
			return "[" + host + "]"
		}
		return host
	}
	return net.JoinHostPort(host, port)
}

// apply runs fn on q's state in the store, and reports false when the
// store is not to be asked (it failed a moment ago) or did not take the
// change: the caller then runs fn on the Client's own state. fn may run
// more than once (when another Client wrote first); the last run is the
// one that counts. q.mu is held.
//
// The loop of reads and writes takes QuotaStoreTimeout at most, however
// many calls it makes; a store that keeps refusing a change (or answers
// what no Client wrote) counts as failed.
func (l *quotaLink) apply(q *routeQuota, sc quotaScope, now time.Time, fn func(*quotaState)) bool {
	usable, trusted := l.usable(now)
	if !usable {
		return false
	}
	bound := time.Now().Add(QuotaStoreTimeout) // for the clock's read and every try, all told
	offset, ok := l.offset(sc.ctx, now, bound)
	if !ok {
		return false
	}
	var old []byte
	if q.cachedKey == sc.key {
		old = q.cached
	}
	why := errQuotaStoreSlow // when the clock's read left no time to try
	for range maxQuotaSwaps {
		if !time.Now().Before(bound) {
			break
		}
		why = errQuotaStoreRefuses
		st, ok := decodeQuota(old, now.Add(offset))
		if ok {
			st.shift(-offset) // the store's clock to this Client's
		}
		if ok && !trusted {
			// The store failed within the last minute: what it holds was
			// written by Clients that were on it while this one was not,
			// and mixing the two makes a fleet pace as neither. This
			// Client's own state goes in its place, until the store has
			// answered for a minute.
			own := q.st
			own.lastPass = later(own.lastPass, st.lastPass)
			st = own
		}
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
		shared := st
		shared.shift(offset)
		next := encodeQuota(&shared, now.Add(offset))
		if ok && sameQuota(next, old) {
			q.st = st // nothing changed: no need to write
			return true
		}
		cur, swapped, err := l.compareAndSwap(sc.ctx, bound, sc.key, old, next, quotaStoreTTL(&st, now))
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
			l.succeeded(now)
			q.st, q.cached, q.cachedKey = st, next, sc.key
			return true
		}
		old = cur
	}
	l.failed(sc.ctx, now, why)
	return false // this once, on its own
}

// errQuotaStoreRefuses is the failure of a store that took no change
// within QuotaStoreTimeout or maxQuotaSwaps tries: other Clients kept
// writing first, or the store answers what no Client wrote.
var errQuotaStoreRefuses = errors.New("the quota store took no change within 100ms") // QuotaStoreTimeout

// offset returns how far the store's clock is ahead of this Client's, at
// now on the Client's clock: 0 for a store without a QuotaStoreClock,
// else measured at most a minute before (once, for a Clock given with
// WithClock, which need not run at the wall clock's pace: a fake one that
// leaps ahead would make every measure move the shared times by its leap) (or, while a new measure is out,
// the last one). ok is false when there is no measure to go by: the
// store's clock could not be read before bound (the store then counts as
// failed, unless the caller's context ended), or its first read is still
// out.
func (l *quotaLink) offset(ctx context.Context, now, bound time.Time) (time.Duration, bool) {
	if l.storeClock == nil {
		return 0, true
	}
	l.mu.Lock()
	off, at, outSince, read := l.clockOffset, l.offsetAt, l.clockOut, l.clockRead
	fresh := !at.IsZero() && (l.offsetOnce || now.Sub(at) < quotaClockRefresh && now.Sub(at) >= 0)
	if !fresh && outSince.IsZero() {
		l.clockOut, l.clockRead = time.Now(), make(chan struct{})
	}
	l.mu.Unlock()
	switch {
	case fresh:
		return off, true
	case !outSince.IsZero() && !at.IsZero():
		return off, true // the last measure, while a new one is out
	case !outSince.IsZero():
		// One read of the store's clock is out at most, even for a store
		// that ignores its context: the first one is waited for, within
		// the operation's bound; a read out longer than that is a store
		// that failed.
		timer := time.NewTimer(time.Until(bound))
		defer timer.Stop()
		select {
		case <-read:
		case <-timer.C:
		case <-ctx.Done():
			return 0, false
		}
		l.mu.Lock()
		off, at = l.clockOffset, l.offsetAt
		l.mu.Unlock()
		if at.IsZero() && time.Since(outSince) >= QuotaStoreTimeout {
			l.failed(ctx, now, errQuotaStoreSlow)
		}
		return off, !at.IsZero()
	}
	off, err := l.measureOffset(ctx, now, bound)
	if err != nil {
		if ctx.Err() == nil || errors.Is(err, errQuotaStoreSlow) {
			l.failed(ctx, now, err)
		}
		return 0, false
	}
	return off, true
}

// quotaClockRefresh is how often a Client measures its offset from the
// store's clock.
const quotaClockRefresh = time.Minute

// measureOffset reads the store's clock until bound or ctx's end, and
// waits for it no longer, even when the store ignores ctx: the read runs in
// a goroutine of its own, which keeps the offset it measured (at now on
// the Client's clock), late or not, and marks the read over (clockOut,
// clockRead) for the callers that wait for it.
func (l *quotaLink) measureOffset(ctx context.Context, now, bound time.Time) (time.Duration, error) {
	type answer struct {
		off time.Duration
		err error
	}
	sctx, cancel := context.WithDeadline(ctx, bound)
	done := make(chan answer, 1) // never blocks the goroutine, whoever waits
	go func() {
		defer cancel()
		before := l.clock.Now()
		t, err := l.storeClock.Now(sctx)
		after := l.clock.Now()
		if err == nil && t.IsZero() {
			err = errors.New("the quota store's clock read zero")
		}
		var off time.Duration
		l.mu.Lock()
		if err == nil {
			// The store read its clock about halfway through the round trip.
			off = t.Sub(before.Add(after.Sub(before) / 2))
			l.clockOffset, l.offsetAt = off, now
		}
		l.clockOut = time.Time{}
		close(l.clockRead)
		l.mu.Unlock()
		done <- answer{off, err}
	}()
	timer := time.NewTimer(time.Until(bound))
	defer timer.Stop()
	select {
	case a := <-done:
		return a.off, a.err
	case <-timer.C:
		return 0, errQuotaStoreSlow
	case <-ctx.Done():
		if !time.Now().Before(bound) {
			return 0, errQuotaStoreSlow // the bound came too
		}
		return 0, ctx.Err()
	}
}

// quotaLink is a Client's way to its QuotaStore: it bounds each call, and
// when the store fails it makes the Client use its own quotas for a while,
// saying so at most once a minute.
type quotaLink struct {
	store      QuotaStore
	storeClock QuotaStoreClock // nil: the store has none
	logger     *slog.Logger    // may be nil
	clock      Clock           // the Client's

	mu          sync.Mutex
	downTo      time.Time            // the store failed: not asked again before this
	failures    int                  // failures since the store was last trusted
	trustFrom   time.Time            // after failures: when the store, answering since, is trusted again
	warned      time.Time            // the last warning
	pending     map[string]time.Time // keys with a store call out, and when it started (wall clock)
	clockOffset time.Duration        // the store's clock minus this Client's
	offsetAt    time.Time            // when clockOffset was measured (zero: never)
	clockOut    time.Time            // when the read of the store's clock that is out began (zero: none)
	clockRead   chan struct{}        // closed when that read is over
	offsetOnce  bool                 // the Client's Clock is its own (WithClock): the offset is measured once
}

// errQuotaStoreSlow is the error of a store call that did not answer
// within QuotaStoreTimeout (or of a key whose call has been out longer):
// the Client goes on without the store's answer.
var errQuotaStoreSlow = errors.New("the quota store did not answer within 100ms") // QuotaStoreTimeout

// errQuotaStoreBusy is the error of a key whose last store call, begun
// less than QuotaStoreTimeout ago by a call whose context ended, is still
// out: this change is kept in the Client's memory.
var errQuotaStoreBusy = errors.New("the quota store has not answered the last call of this key yet")

// quotaStoreRetry is how long a Client does without a store that failed
// before it asks it again; after a second failure before the store was
// trusted again it does without it for maxQuotaStoreRetry: a store that
// fails now and then, and answers between, would otherwise have the Client
// switch between its own quota and the store's, each staler than the
// other, every few calls.
const (
	quotaStoreRetry    = time.Second
	maxQuotaStoreRetry = time.Minute
)

// usable reports whether the store may be asked at now, and whether what
// it holds may be read (trusted: it has not failed, or it has answered
// every call for a minute since).
func (l *quotaLink) usable(now time.Time) (usable, trusted bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !now.Before(l.downTo), l.failures == 0
}

// succeeded records a store that answered at now. After failures, it is
// trusted again once it has answered for a minute.
func (l *quotaLink) succeeded(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.failures == 0:
	case l.trustFrom.IsZero():
		l.trustFrom = now.Add(time.Minute)
	case !now.Before(l.trustFrom):
		l.failures, l.trustFrom = 0, time.Time{}
	}
}

// failed records a store that failed at now.
func (l *quotaLink) failed(ctx context.Context, now time.Time, err error) {
	l.mu.Lock()
	l.failures++
	l.trustFrom = time.Time{}
	wait := quotaStoreRetry
	if l.failures > 1 {
		wait = maxQuotaStoreRetry
	}
	l.downTo = now.Add(wait)
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

// compareAndSwap calls the store until bound (at most QuotaStoreTimeout
// from the operation's start) or ctx's end, and waits for it no longer,
// even for a store that does not honour ctx: the call runs in a goroutine
// of its own, whose answer, when it comes late, is dropped (the next call
// reads the store anew). At most one call of a key is out: while one is,
// the key's calls return errQuotaStoreSlow (or errQuotaStoreBusy, within
// the bound of a call given up because its context ended), so a store
// that hangs holds one goroutine per key, not one per call.
func (l *quotaLink) compareAndSwap(ctx context.Context, bound time.Time, key string, old, next []byte, ttl time.Duration) ([]byte, bool, error) {
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

	sctx, cancel := context.WithDeadline(ctx, bound)
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
	timer := time.NewTimer(bound.Sub(start))
	defer timer.Stop()
	select {
	case r := <-done:
		return r.current, r.swapped, r.err
	case <-timer.C:
		return nil, false, errQuotaStoreSlow
	case <-ctx.Done():
		if !time.Now().Before(bound) {
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
