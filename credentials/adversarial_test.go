package credentials_test

import (
	"context"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
)

// TestAdversarialSourceProtocolErrorsBounded: an IAM or metadata endpoint
// (or a proxy in front of it) that answers a malformed status line gets the
// whole line, up to net/http's 10 MiB header limit, quoted into the
// *credentials.Error, and from there into every hss error and log line. A
// malformed header line is replaced by a fixed text; a malformed status
// code is not. Server-supplied text in an error is cut to a few hundred
// characters everywhere else (codes, messages, request ids).
func TestAdversarialSourceProtocolErrorsBounded(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	junk := strings.Repeat("A", 1<<20)
	// Bytes that are not HTTP: no handler can send them.
	malformed := func(w http.ResponseWriter) bool {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return false
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 2" + junk + " Created\r\n\r\n")
		_ = buf.Flush()
		return true
	}

	t.Run("IAM", func(t *testing.T) {
		is := newIAMServer(t, clk)
		is.answer = func(_ int, w http.ResponseWriter, _ *http.Request) bool { return malformed(w) }
		_, err := is.tokenSource(t).Retrieve(context.Background())
		var ce *credentials.Error
		require.ErrorAs(t, err, &ce)
		assert.Less(t, len(err.Error()), 4096, "the error holds %d bytes", len(err.Error()))
	})
	t.Run("ECS metadata", func(t *testing.T) {
		ms := newMetadataServer(t, clk)
		ms.answer = func(_ int, w http.ResponseWriter, _ *http.Request) bool { return malformed(w) }
		_, err := credentials.NewMetadata(ms.config()).Retrieve(context.Background())
		var ce *credentials.Error
		require.ErrorAs(t, err, &ce)
		assert.Less(t, len(err.Error()), 4096, "the error holds %d bytes", len(err.Error()))
	})
}

// advCaller tags the context of a Retrieve, so that the provider sees
// which caller started a fetch (Cache detaches the fetch from the caller's
// cancellation, not from its values).
type advCaller struct{}

// TestAdversarialHugeRefreshBeforeDoesNotRefreshEveryCall: a RefreshBefore
// of 2^62 ns (146 years) or more validates (it is not negative), but
// 2*RefreshBefore overflows in Cache.run, so the "refresh halfway through
// a short life" rule never applies and refreshAt lands centuries before
// the value's expiry: every Retrieve starts a background fetch, one IAM
// login per call, for a token with 24 hours to live.
// PasswordConfig.RefreshBefore takes the same path.
func TestAdversarialHugeRefreshBeforeDoesNotRefreshEveryCall(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	var mu sync.Mutex
	var startedBy []int
	provider := advProviderFunc(func(ctx context.Context) (credentials.Value, error) {
		mu.Lock()
		defer mu.Unlock()
		startedBy = append(startedBy, ctx.Value(advCaller{}).(int))
		return credentials.Value{Token: "tok-" + strings.Repeat("x", len(startedBy)), Expires: clk.Now().Add(24 * time.Hour), Source: "test"}, nil
	})
	cache := credentials.NewCache(provider, &credentials.CacheOptions{RefreshBefore: math.MaxInt64, Now: clk.Now})
	call := func(n int) credentials.Value {
		v, err := cache.Retrieve(context.WithValue(context.Background(), advCaller{}, n))
		require.NoError(t, err)
		return v
	}

	first := call(1) // fetches: nothing cached yet
	call(2)          // the cached token has 24 hours left: no fetch is due
	// Drop the first token, old enough for Invalidate to take it, and ask
	// again: this waits for a fetch, either the one call 3 starts or one
	// already in flight, so once it returns every fetch call 2 may have
	// started has reached the provider.
	clk.Advance(credentials.RefusalWindow)
	cache.Invalidate(first)
	call(3)

	mu.Lock()
	defer mu.Unlock()
	assert.NotContains(t, startedBy, 2, "call 2 started a refresh of a token with 24 hours to live (fetches started by calls %v)", startedBy)
}

type advProviderFunc func(ctx context.Context) (credentials.Value, error)

func (f advProviderFunc) Retrieve(ctx context.Context) (credentials.Value, error) { return f(ctx) }
