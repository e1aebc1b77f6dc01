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
