// Package quotastoretest checks that an hss.QuotaStore keeps the promises
// of the interface, so every store (memory, quotafile, redisquota) is held
// to the same rules by one suite.
package quotastoretest

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hsskit/hss"
)

// Run checks the store newStore returns. Stores that newStore returns for
// one test must share their data (as two quotafile stores on one path do),
// so that the suite can check atomicity across them too. A store that
// expires keys on a clock of its own should expire them within a second of
// the ttl.
func Run(t *testing.T, newStore func(t *testing.T) hss.QuotaStore) {
	t.Run("SwapEmpty", func(t *testing.T) { testSwapEmpty(t, newStore(t)) })
	t.Run("Conflict", func(t *testing.T) { testConflict(t, newStore(t)) })
	t.Run("KeysApart", func(t *testing.T) { testKeysApart(t, newStore(t)) })
	t.Run("Expiry", func(t *testing.T) { testExpiry(t, newStore(t)) })
	t.Run("ExpiredValueIsNothing", func(t *testing.T) { testExpiredValueIsNothing(t, newStore(t)) })
	t.Run("SwapRenewsTTL", func(t *testing.T) { testSwapRenewsTTL(t, newStore(t)) })
	t.Run("FailedSwapKeepsTTL", func(t *testing.T) { testFailedSwapKeepsTTL(t, newStore(t)) })
	t.Run("Shared", func(t *testing.T) { testShared(t, newStore(t), newStore(t)) })
	t.Run("Limits", func(t *testing.T) { testLimits(t, newStore(t)) })
	t.Run("NoAliasing", func(t *testing.T) { testNoAliasing(t, newStore(t)) })
	t.Run("CanceledContext", func(t *testing.T) { testCanceled(t, newStore(t)) })
	t.Run("Atomic", func(t *testing.T) { testAtomic(t, newStore(t), newStore(t)) })
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func key(t *testing.T, name string) string {
	return fmt.Sprintf("hss-quotastoretest/%s/%d/%s", t.Name(), time.Now().UnixNano(), name)
}

func cas(t *testing.T, s hss.QuotaStore, k string, old, next []byte, ttl time.Duration) ([]byte, bool) {
	t.Helper()
	cur, ok, err := s.CompareAndSwap(ctx(t), k, old, next, ttl)
	if err != nil {
		t.Fatalf("CompareAndSwap(%q): %v", k, err)
	}
	if ok && cur != nil {
		t.Fatalf("CompareAndSwap(%q) swapped and returned a value %q; want nil", k, cur)
	}
	return cur, ok
}

func testSwapEmpty(t *testing.T, s hss.QuotaStore) {
	k := key(t, "a")
	if _, ok := cas(t, s, k, nil, []byte("one"), time.Minute); !ok {
		t.Fatal("a nil old did not swap on an empty key")
	}
	cur, ok := cas(t, s, k, nil, []byte("two"), time.Minute)
	if ok || string(cur) != "one" {
		t.Fatalf("a nil old on a key holding %q: got %q, swapped %v; want %q, false", "one", cur, ok, "one")
	}
	if _, ok := cas(t, s, k, []byte("one"), []byte("two"), time.Minute); !ok {
		t.Fatal("the right old did not swap")
	}
	cur, ok = cas(t, s, k, []byte("one"), []byte("three"), time.Minute)
	if ok || string(cur) != "two" {
		t.Fatalf("a stale old: got %q, swapped %v; want %q, false", cur, ok, "two")
	}
}

func testConflict(t *testing.T, s hss.QuotaStore) {
	k := key(t, "a")
	cas(t, s, k, nil, []byte("value"), time.Minute)
	for _, old := range [][]byte{[]byte("valu"), []byte("value "), []byte("VALUE"), {}} {
		cur, ok := cas(t, s, k, old, []byte("other"), time.Minute)
		if ok || string(cur) != "value" {
			t.Fatalf("old %q against %q: got %q, swapped %v", old, "value", cur, ok)
		}
	}
	// A non-nil empty old is not "nothing stored".
	k2 := key(t, "b")
	if cur, ok := cas(t, s, k2, []byte{}, []byte("x"), time.Minute); ok || cur != nil {
		t.Fatalf("an empty non-nil old on an empty key: got %q, swapped %v; want nil, false", cur, ok)
	}
}

func testKeysApart(t *testing.T, s hss.QuotaStore) {
	a, b := key(t, "a"), key(t, "b")
	cas(t, s, a, nil, []byte("for a"), time.Minute)
	if _, ok := cas(t, s, b, nil, []byte("for b"), time.Minute); !ok {
		t.Fatal("a write to one key filled another")
	}
	if cur, _ := cas(t, s, a, []byte("nope"), []byte("x"), time.Minute); string(cur) != "for a" {
		t.Fatalf("key a holds %q", cur)
	}
	// A key that extends another is another key.
	if _, ok := cas(t, s, a+"/more", nil, []byte("longer"), time.Minute); !ok {
		t.Fatal("a key extending another was taken for it")
	}
	if cur := holds(t, s, a); string(cur) != "for a" {
		t.Fatalf("writing a key extending key a changed a: holds %q", cur)
	}
}

// probe is an old value the suite never stores: a CompareAndSwap with it
// reads a key without changing it.
var probe = []byte("\x00quotastoretest: never stored")

// holds returns what k holds, changing nothing.
func holds(t *testing.T, s hss.QuotaStore, k string) []byte {
	t.Helper()
	cur, ok := cas(t, s, k, probe, []byte("x"), time.Minute)
	if ok {
		t.Fatalf("key %q held the probe value", k)
	}
	return cur
}

// waitExpired waits until k holds nothing, for at most 5 seconds.
func waitExpired(t *testing.T, s hss.QuotaStore, k string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for holds(t, s, k) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("key %q still held %q 5s later", k, holds(t, s, k))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func testExpiry(t *testing.T, s hss.QuotaStore) {
	k := key(t, "a")
	cas(t, s, k, nil, []byte("short-lived"), 50*time.Millisecond)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, ok := cas(t, s, k, nil, []byte("fresh"), time.Minute); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a key with a 50ms ttl still held its value 5s later")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A long ttl keeps the value: checked at once.
	k2 := key(t, "b")
	cas(t, s, k2, nil, []byte("kept"), time.Hour)
	if cur, ok := cas(t, s, k2, nil, []byte("x"), time.Hour); ok || string(cur) != "kept" {
		t.Fatalf("a key with a 1h ttl: got %q, swapped %v", cur, ok)
	}
}

// testExpiredValueIsNothing: an expired key holds nothing, so the value it
// held no longer matches.
func testExpiredValueIsNothing(t *testing.T, s hss.QuotaStore) {
	k := key(t, "a")
	cas(t, s, k, nil, []byte("gone"), 50*time.Millisecond)
	waitExpired(t, s, k)
	if cur, ok := cas(t, s, k, []byte("gone"), []byte("back"), time.Minute); ok || cur != nil {
		t.Fatalf("the expired value as old: got %q, swapped %v; want nil, false", cur, ok)
	}
}

// testSwapRenewsTTL: each swap sets the key's ttl anew, also when it
// stores the value already there.
func testSwapRenewsTTL(t *testing.T, s hss.QuotaStore) {
	ttl := 200 * time.Millisecond
	for range 5 {
		k, control := key(t, "renewed"), key(t, "control")
		cas(t, s, k, nil, []byte("same"), ttl)
		cas(t, s, control, nil, []byte("control"), ttl) // expires after k's first ttl
		if _, ok := cas(t, s, k, []byte("same"), []byte("same"), time.Hour); !ok {
			ttl *= 2 // k expired before it was written again: a busy machine
			continue
		}
		waitExpired(t, s, control)
		if cur := holds(t, s, k); string(cur) != "same" {
			t.Fatalf("a key written again with a 1h ttl expired with its first ttl: holds %q", cur)
		}
		return
	}
	t.Fatalf("could not write a key again within its ttl of %s", ttl/2)
}

// testFailedSwapKeepsTTL: a CompareAndSwap that does not swap changes
// nothing, not even the ttl.
func testFailedSwapKeepsTTL(t *testing.T, s hss.QuotaStore) {
	k := key(t, "a")
	cas(t, s, k, nil, []byte("short-lived"), 100*time.Millisecond)
	cas(t, s, k, []byte("not it"), []byte("x"), time.Hour)
	waitExpired(t, s, k)
}

// testShared: what one store writes, another that shares its data reads
// and changes.
func testShared(t *testing.T, s1, s2 hss.QuotaStore) {
	k := key(t, "a")
	cas(t, s1, k, nil, []byte("from s1"), time.Minute)
	if _, ok := cas(t, s2, k, []byte("from s1"), []byte("from s2"), time.Minute); !ok {
		t.Fatalf("the second store did not see the first's value: holds %q", holds(t, s2, k))
	}
	if cur := holds(t, s1, k); string(cur) != "from s2" {
		t.Fatalf("the first store did not see the second's value: holds %q", cur)
	}
}

func testLimits(t *testing.T, s hss.QuotaStore) {
	k := "hss/" + strings.Repeat("k", hss.MaxQuotaKeyLen-len("hss/"))
	k = k[:hss.MaxQuotaKeyLen-len(t.Name())] + t.Name()
	v := bytes.Repeat([]byte{0, 1, 0xff, '\n'}, hss.MaxQuotaValueLen/4)
	if _, ok := cas(t, s, k, nil, v, time.Minute); !ok {
		// The key may survive from an earlier run: start over from it.
		cur, _ := cas(t, s, k, nil, v, time.Minute)
		if _, ok := cas(t, s, k, cur, v, time.Minute); !ok {
			t.Fatal("could not store a value of the largest size under the longest key")
		}
	}
	cur, ok := cas(t, s, k, []byte("x"), v, time.Minute)
	if ok || !bytes.Equal(cur, v) {
		t.Fatalf("binary value of %d bytes came back as %d bytes (equal %v)", len(v), len(cur), bytes.Equal(cur, v))
	}
}

func testNoAliasing(t *testing.T, s hss.QuotaStore) {
	k := key(t, "a")
	next := []byte("original")
	cas(t, s, k, nil, next, time.Minute)
	copy(next, "XXXXXXXX") // the caller reuses its buffer
	cur, _ := cas(t, s, k, nil, []byte("x"), time.Minute)
	if string(cur) != "original" {
		t.Fatalf("the store kept the caller's slice: holds %q", cur)
	}
	copy(cur, "YYYYYYYY") // the caller writes to what it got
	again, _ := cas(t, s, k, nil, []byte("x"), time.Minute)
	if string(again) != "original" {
		t.Fatalf("the store returned a slice it still uses: holds %q", again)
	}
}

func testCanceled(t *testing.T, s hss.QuotaStore) {
	c, cancel := context.WithCancel(context.Background())
	cancel()
	if _, ok, err := s.CompareAndSwap(c, key(t, "a"), nil, []byte("x"), time.Minute); err == nil && ok {
		t.Fatal("a canceled context still wrote")
	}
}

// testAtomic runs increments through two stores that share their data:
// every one must count once.
func testAtomic(t *testing.T, s1, s2 hss.QuotaStore) {
	k := key(t, "counter")
	const goroutines, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		s := s1
		if g%2 == 1 {
			s = s2
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var old []byte
			for i := 0; i < each; {
				n := uint64(0)
				if old != nil {
					n = binary.BigEndian.Uint64(old)
				}
				next := binary.BigEndian.AppendUint64(nil, n+1)
				cur, ok, err := s.CompareAndSwap(context.Background(), k, old, next, time.Minute)
				if err != nil {
					errs <- err
					return
				}
				if ok {
					old = next
					i++
					continue
				}
				old = cur
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	cur, _ := cas(t, s1, k, nil, []byte("x"), time.Minute)
	if got := binary.BigEndian.Uint64(cur); got != goroutines*each {
		t.Fatalf("%d increments counted %d times", goroutines*each, got)
	}
}
