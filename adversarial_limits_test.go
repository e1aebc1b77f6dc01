package hss_test

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// advCancelOnWait is an hsstest.Clock that cancels the context of the call
// in progress the moment that call starts to wait, as a caller that gives
// up (a closed HTTP handler, a ^C) would while the call waits for its slot.
type advCancelOnWait struct {
	*hsstest.Clock
	mu     sync.Mutex
	cancel context.CancelFunc
}

func (c *advCancelOnWait) arm(cancel context.CancelFunc) {
	c.mu.Lock()
	c.cancel = cancel
	c.mu.Unlock()
}

func (c *advCancelOnWait) fire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancel != nil {
		c.cancel()
		c.cancel = nil
	}
}

func (c *advCancelOnWait) Sleep(ctx context.Context, d time.Duration) error {
	c.fire()
	return c.Clock.Sleep(ctx, d)
}

func (c *advCancelOnWait) SleepUntil(ctx context.Context, t time.Time) error {
	c.fire()
	return c.Clock.SleepUntil(ctx, t)
}

// TestAdversarialRateLimitCancelledWaitsGiveSlotsBack: a call cancelled
// while it waits for WithRateLimit keeps the send slot it reserved, though
// it never sends. Five such calls push the bucket five intervals into the
// future, so the next caller waits six intervals (here 6 minutes at one
// call a minute) with nothing sent meanwhile. A wait refused because of
// the deadline does give its slot back; a cancelled one must too.
func TestAdversarialRateLimitCancelledWaitsGiveSlotsBack(t *testing.T) {
	clk := &advCancelOnWait{Clock: hsstest.NewClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))}
	srv := hsstest.NewServer(hsstest.WithNow(clk.Now), hsstest.WithSeed("task", 1))
	defer srv.Close()
	client := srv.Client(t, hss.WithClock(clk), hss.WithRateLimit(1.0/60, 1))

	_, err := client.ListSyncTaskRegistries(context.Background(), "task", nil)
	require.NoError(t, err, "the burst lets the first call go at once")
	for range 5 {
		ctx, cancel := context.WithCancel(context.Background())
		clk.arm(cancel)
		_, err := client.ListSyncTaskRegistries(ctx, "task", nil)
		require.ErrorIs(t, err, context.Canceled)
		cancel()
	}
	require.Len(t, srv.Requests(), 1, "the cancelled calls sent nothing")
	require.Empty(t, clk.Sleeps(), "the cancelled calls waited for nothing")

	_, err = client.ListSyncTaskRegistries(context.Background(), "task", nil)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{time.Minute}, clk.Sleeps(),
		"one call a minute, one call sent a minute ago: the next waits one minute")
}

// TestAdversarialDeclaredContentLengthNotPreallocated: an answer that
// declares a body as long as the cap (16 MiB by default, up to 1 GiB with
// WithMaxBodyBytes) and sends a few bytes costs memory for the bytes
// received, not the bytes promised: otherwise 100 goroutines facing such a
// server would hold 1.6 GiB.
func TestAdversarialDeclaredContentLengthNotPreallocated(t *testing.T) {
	srv := hsstest.NewServer()
	defer srv.Close()
	// hsstest's handlers cannot declare a Content-Length they do not send.
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return false
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16777216\r\n\r\n{\"total_num\":")
		_ = buf.Flush()
		return true
	})
	client := srv.Client(t, hss.WithRetryPolicy(hss.NoRetries()))
	_, _ = client.ListSyncTaskRegistries(context.Background(), "task", nil) // warm up connections and pools

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := client.ListSyncTaskRegistries(context.Background(), "task", nil)
	runtime.ReadMemStats(&after)
	require.Error(t, err, "the body broke off")
	allocated := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, allocated, uint64(4<<20), "allocated %d bytes for a 13-byte body", allocated)
}

// TestAdversarialTransportErrorTextBounded: a malformed header line or
// status line is quoted whole by net/http (up to its 10 MiB header
// limit); the Client cuts that text, as it cuts request ids, codes and
// messages from the server, in the error and in every attempt's debug log
// line.
func TestAdversarialTransportErrorTextBounded(t *testing.T) {
	srv := hsstest.NewServer()
	defer srv.Close()
	junk := strings.Repeat("A", 1<<20)
	for name, answer := range map[string]string{
		"header line without a colon": "HTTP/1.1 200 OK\r\nX-Junk" + junk + "\r\n\r\n",
		"status code":                 "HTTP/1.1 2" + junk + " OK\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			// Bytes that are not HTTP: hsstest's handlers always answer well-formed.
			srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
				conn, buf, err := http.NewResponseController(w).Hijack()
				if err != nil {
					return false
				}
				defer conn.Close()
				_, _ = buf.WriteString(answer)
				_ = buf.Flush()
				return true
			})
			var logs secLog
			client := srv.Client(t, hss.WithLogger(logs.logger()), hss.WithRetryPolicy(hss.NoRetries()))
			_, err := client.ListSyncTaskRegistries(context.Background(), "task", nil)
			require.Error(t, err)
			assert.Less(t, len(err.Error()), 4096, "the error holds %d bytes", len(err.Error()))
			assert.Less(t, len(logs.take()), 16384, "the log lines hold the junk")
		})
	}
}
