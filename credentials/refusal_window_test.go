// RefusalWindow: however often credentials are invalidated or refused, a source is asked at most once per window.
package credentials_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRefusalWindowIsThirtySeconds(t *testing.T) {
	assert.Equal(t, 30*time.Second, credentials.RefusalWindow)
}

// An Invalidate of a value fetched less than RefusalWindow ago is ignored:
// Retrieve keeps handing out that value, and nothing is fetched. Once the
// value is RefusalWindow old, Invalidate drops it.
func TestCacheInvalidateWithinRefusalWindow(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	src := newFakeSource(clk, time.Hour)
	c := credentials.NewCache(src, cacheOptions(clk))
	first := retrieve(t, c)

	for range 5 {
		c.Invalidate(first)
		assert.Equal(t, "AK1", ak(t, c))
	}
	clk.Advance(credentials.RefusalWindow - time.Millisecond)
	c.Invalidate(first)
	assert.Equal(t, "AK1", ak(t, c))
	assert.EqualValues(t, 1, src.calls.Load())

	clk.Advance(time.Millisecond)
	c.Invalidate(first)
	second := retrieve(t, c)
	assert.Equal(t, "AK2", second.AccessKey)

	// The window runs from the newer value's fetch.
	c.Invalidate(second)
	assert.Equal(t, "AK2", ak(t, c))
	clk.Advance(credentials.RefusalWindow)
	c.Invalidate(second)
	assert.Equal(t, "AK3", ak(t, c))
	assert.EqualValues(t, 3, src.calls.Load())
}

// While a fetch is under way, Invalidate drops the value whatever its age:
// callers wait for that fetch rather than use refused credentials, and no
// other fetch starts.
func TestCacheInvalidateDuringFetch(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	src := newFakeSource(clk, 40*time.Second)
	held := newGate()
	t.Cleanup(held.open)
	src.hold = func(n int) *gate {
		if n == 2 {
			return held
		}
		return nil
	}
	c := credentials.NewCache(src, cacheOptions(clk))
	first := retrieve(t, c)
	assert.Equal(t, 1, <-src.started)
	clk.Advance(20 * time.Second) // halfway through its life: a refresh is due
	assert.Equal(t, "AK1", ak(t, c))
	assert.Equal(t, 2, <-src.started, "the refresh is under way")

	c.Invalidate(first) // 20 seconds old, but a fetch is under way
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Retrieve(ended)
	assert.ErrorIs(t, err, context.Canceled, "the invalidated value is not handed out; callers wait for the fetch")

	held.open()
	assert.Equal(t, "AK2", ak(t, c))
	assert.EqualValues(t, 2, src.calls.Load())
}

// invalidateAndRetry does what a client does on 401 APIGW.0307, from n
// goroutines at once, rounds times each: it retrieves credentials,
// invalidates them as refused, and retrieves again. It returns the access
// key or token each retry got.
func invalidateAndRetry(t *testing.T, p interface {
	credentials.Provider
	credentials.Invalidator
}, n, rounds int) []string {
	t.Helper()
	var wg sync.WaitGroup
	got := make([]string, n*rounds)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				sent, err := p.Retrieve(context.Background())
				if !assert.NoError(t, err) {
					return
				}
				p.Invalidate(sent)
				retry, err := p.Retrieve(context.Background())
				if !assert.NoError(t, err) {
					return
				}
				got[i*rounds+r] = retry.AccessKey + retry.Token
			}
		}()
	}
	wg.Wait()
	return got
}

// A hundred goroutines that keep invalidating what they get cause at most
// one fetch per RefusalWindow; after the window, exactly one more.
func TestCacheConcurrentInvalidateOneFetchPerWindow(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	src := newFakeSource(clk, time.Hour)
	c := credentials.NewCache(src, cacheOptions(clk))
	retrieve(t, c)

	for _, k := range invalidateAndRetry(t, c, 100, 5) {
		assert.Equal(t, "AK1", k)
	}
	assert.EqualValues(t, 1, src.calls.Load(), "invalidated within the window: no fetch")

	clk.Advance(credentials.RefusalWindow)
	for _, k := range invalidateAndRetry(t, c, 100, 5) {
		assert.Equal(t, "AK2", k)
	}
	assert.EqualValues(t, 2, src.calls.Load(), "one fetch for the window, however many goroutines invalidate")

	clk.Advance(credentials.RefusalWindow - time.Millisecond)
	invalidateAndRetry(t, c, 100, 1)
	assert.EqualValues(t, 2, src.calls.Load())
	clk.Advance(time.Millisecond)
	for _, k := range invalidateAndRetry(t, c, 100, 1) {
		assert.Equal(t, "AK3", k)
	}
	assert.EqualValues(t, 3, src.calls.Load())
}

// A background refresh that the source refused is not asked again for
// RefusalWindow, even when the still-valid value is then invalidated.
func TestCacheInvalidateKeepsRefusalWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := hsstest.NewClock(epoch)
		src := newFakeSource(clk, time.Hour)
		refusal := &credentials.Error{Source: "fake", StatusCode: http.StatusUnauthorized, Code: "IAM.0004"}
		src.fail = func(n int) error {
			if n > 1 {
				return refusal
			}
			return nil
		}
		c := credentials.NewCache(src, cacheOptions(clk))
		first := retrieve(t, c)
		clk.Advance(50 * time.Minute) // a refresh is due
		assert.Equal(t, "AK1", ak(t, c))
		synctest.Wait() // the refresh has been refused
		require.EqualValues(t, 2, src.calls.Load())

		c.Invalidate(first)
		assert.Equal(t, "AK1", ak(t, c), "within the window, the valid value is kept")
		clk.Advance(credentials.RefusalWindow - time.Millisecond)
		c.Invalidate(first)
		assert.Equal(t, "AK1", ak(t, c))
		assert.EqualValues(t, 2, src.calls.Load())

		clk.Advance(time.Millisecond)
		c.Invalidate(first)
		_, err := c.Retrieve(context.Background())
		require.ErrorIs(t, err, refusal)
		assert.EqualValues(t, 3, src.calls.Load())
		for range 3 {
			c.Invalidate(first)
			_, err = c.Retrieve(context.Background())
			require.ErrorIs(t, err, refusal)
		}
		clk.Advance(credentials.RefusalWindow - time.Millisecond)
		_, err = c.Retrieve(context.Background())
		require.ErrorIs(t, err, refusal)
		assert.EqualValues(t, 3, src.calls.Load())
		clk.Advance(time.Millisecond)
		_, err = c.Retrieve(context.Background())
		require.ErrorIs(t, err, refusal)
		assert.EqualValues(t, 4, src.calls.Load())
	})
}

// A persistent 401 APIGW.0307: 500 calls from 100 goroutines, each
// invalidating the token it sent and asking again, cause no login while the
// token is younger than RefusalWindow, and one login per window after. The
// retry gets back the token that failed, which tells the client that no new
// one came.
func TestTokenSourcePersistentRevocationOneLoginPerWindow(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	is := newIAMServer(t, clk)
	ts := is.tokenSource(t)
	assert.Equal(t, "iam-token-secret-1", token(t, ts))

	for _, tok := range invalidateAndRetry(t, ts, 100, 5) {
		assert.Equal(t, "iam-token-secret-1", tok)
	}
	assert.EqualValues(t, 1, is.logins.Load())

	for want := 2; want <= 4; want++ {
		clk.Advance(credentials.RefusalWindow)
		for _, tok := range invalidateAndRetry(t, ts, 100, 5) {
			assert.Equal(t, fmt.Sprintf("iam-token-secret-%d", want), tok)
		}
		assert.EqualValues(t, want, is.logins.Load())
	}
}

// A wrong password is not sent again for RefusalWindow, however many
// goroutines invalidate the token they hold.
func TestTokenSourceWrongPasswordNotResentOnInvalidate(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	is := newIAMServer(t, clk)
	is.answer = func(n int, w http.ResponseWriter, r *http.Request) bool {
		if n == 1 {
			return false // the first login works; then the password is changed
		}
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":{"code":"IAM.0004","message":"The username or password is wrong."}}`))
		return true
	}
	ts := is.tokenSource(t)
	revoked := retrieve(t, ts)
	clk.Advance(credentials.RefusalWindow)

	refusedAll := func() {
		t.Helper()
		var wg sync.WaitGroup
		for range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ts.Invalidate(revoked)
				_, err := ts.Retrieve(context.Background())
				var ce *credentials.Error
				if assert.ErrorAs(t, err, &ce) {
					assert.True(t, ce.Refused())
				}
			}()
		}
		wg.Wait()
	}
	refusedAll()
	assert.EqualValues(t, 2, is.logins.Load(), "one login after the token was invalidated")

	clk.Advance(credentials.RefusalWindow - time.Millisecond)
	refusedAll()
	assert.EqualValues(t, 2, is.logins.Load(), "the wrong password is not sent again within the window")

	clk.Advance(time.Millisecond)
	refusedAll()
	assert.EqualValues(t, 3, is.logins.Load())
}
