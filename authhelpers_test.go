package hss

import (
	"context"
	"encoding/hex"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// authClock is a fake Clock for the authentication tests: Now stands still
// until advance or Sleep moves it, and Sleep never waits.
type authClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func newAuthClock(t time.Time) *authClock { return &authClock{t: t} }

func (c *authClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *authClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.sleeps = append(c.sleeps, d)
	c.mu.Unlock()
	return ctx.Err()
}

func (c *authClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// authEpoch is the fake clocks' starting time, far from the wall clock so a
// signature dated by the wrong clock fails verification.
var authEpoch = time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)

func mustParseURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}

// assertNoSecrets fails when s holds any non-empty secret, as is or
// hex-encoded (as %x of a string would print it).
func assertNoSecrets(t *testing.T, s string, secrets ...string) {
	t.Helper()
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		assert.NotContains(t, s, sec, "a secret leaked")
		assert.NotContains(t, strings.ToLower(s), hex.EncodeToString([]byte(sec)), "a secret leaked hex-encoded")
	}
}
