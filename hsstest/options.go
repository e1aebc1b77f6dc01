package hsstest

import (
	"errors"
	"time"
)

// Option configures a Server in NewServer, NewTLSServer or Start. An
// option given an empty value (an empty id, a nil clock) leaves the default
// in place. An option given a value it would have to cut short (WithSeed
// past MaxSeed) makes Start return an *ArgError, and NewServer and
// NewTLSServer panic with it.
type Option func(*config)

// config is what the options set; it never changes once the server runs,
// so the handler reads it without locking.
type config struct {
	projectID   string
	token       string
	tokenAuth   bool             // X-Auth-Token is accepted
	now         func() time.Time // the server's clock: the configured one plus clockOffset
	clock       *Clock
	clockOffset time.Duration
	keys        map[string]accessKey // AK -> key
	quota       Quota
	seeds       []seed
	settle      time.Duration
	errs        []error // values the options refused, for Start to return
	inMemory    bool    // WithInMemoryNetwork
}

// accessKey is one AK/SK pair the server accepts.
type accessKey struct {
	sk            string
	securityToken string // non-empty for temporary keys: X-Security-Token must match
}

// seed is a WithSeed request, applied when the server starts.
type seed struct {
	taskID string
	n      int
}

// newConfig applies opts to the defaults; the error joins every value an
// option refused.
func newConfig(opts []Option) (config, error) {
	c := config{
		projectID: DefaultProjectID,
		token:     DefaultToken,
		tokenAuth: true,
		now:       time.Now,
		keys:      make(map[string]accessKey),
	}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if off, configured := c.clockOffset, c.now; off != 0 {
		c.now = func() time.Time { return configured().Add(off) }
	}
	if len(c.errs) == 1 {
		return c, c.errs[0] // the *ArgError itself, for the panic's value
	}
	return c, errors.Join(c.errs...)
}

// WithProjectID makes the server accept project id instead of
// DefaultProjectID. An empty id is ignored.
func WithProjectID(id string) Option {
	return func(c *config) {
		if id != "" {
			c.projectID = id
		}
	}
}

// WithToken makes the server accept token in X-Auth-Token instead of
// DefaultToken. An empty token is ignored.
func WithToken(token string) Option {
	return func(c *config) {
		if token != "" {
			c.token = token
		}
	}
}

// WithNow replaces the wall clock the server uses for the quota's windows,
// the X-Sdk-Date check of signed requests, settling (WithSettle) and
// RecordedRequest.Time. Pass the Now method of the clock the client uses to
// keep both sides on one time line. nil is ignored.
func WithNow(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithClock puts the server on clk (as WithNow(clk.Now)) and makes
// NewClient and Client give their hss.Client the same clock, so a test
// needs to wire its fake clock once. nil is ignored.
func WithClock(clk *Clock) Option {
	return func(c *config) {
		if clk != nil {
			c.clock, c.now = clk, clk.Now
		}
	}
}

// WithClockOffset makes the server's clock read d ahead (d < 0: behind) of
// the clock WithClock or WithNow gave it (else the wall clock), as an API
// Gateway whose clock differs from the client's: the X-Sdk-Date check of
// signed requests, the Date header of every answer, the quota's windows,
// settling and RecordedRequest.Time all read it. NewClient and Client
// still give their hss.Client the configured clock, so a test sees the
// client's clock d away from the server's. The option may come before or
// after WithClock; given twice, the last one counts.
func WithClockOffset(d time.Duration) Option {
	return func(c *config) { c.clockOffset = d }
}

// WithAKSK makes the server accept requests signed (SDK-HMAC-SHA256) with
// the access key ak and secret key sk. Give it once per key. An empty ak or
// sk is ignored.
func WithAKSK(ak, sk string) Option {
	return func(c *config) {
		if ak != "" && sk != "" {
			c.keys[ak] = accessKey{sk: sk}
		}
	}
}

// WithTemporaryAKSK is WithAKSK for temporary credentials: a request signed
// with ak must also carry X-Security-Token equal to securityToken, as the
// real gateway requires. An empty argument is ignored.
func WithTemporaryAKSK(ak, sk, securityToken string) Option {
	return func(c *config) {
		if ak != "" && sk != "" && securityToken != "" {
			c.keys[ak] = accessKey{sk: sk, securityToken: securityToken}
		}
	}
}

// WithoutTokenAuth makes the server refuse X-Auth-Token (401 APIGW.0301),
// so that only signed requests get through: a test can prove its code signs.
func WithoutTokenAuth() Option {
	return func(c *config) { c.tokenAuth = false }
}

// WithThrottle answers 429 APIGW.0308, with Retry-After, past limit calls in
// each window; see Quota. HSS documents 600 calls a minute per API and 5 a
// minute per user or IP: WithThrottle(5, time.Minute) mimics the latter. A
// limit or window below 1 turns throttling off.
func WithThrottle(limit int, window time.Duration) Option {
	return WithQuota(Quota{Limit: limit, Window: window})
}

// WithQuota sets the gateway's quota; see Quota and SetQuota.
func WithQuota(q Quota) Option {
	return func(c *config) { c.quota = q }
}

// WithSeed adds task taskID with n generated registries when the server
// starts; see SeedRegistries. n must be 0-MaxSeed (0 creates the task
// empty): any other count makes Start fail with an *ArgError, such as
// "hsstest: WithSeed("big", 300000): n must be 0-100000 (MaxSeed)".
func WithSeed(taskID string, n int) Option {
	return func(c *config) {
		if err := checkSeed("WithSeed", taskID, n); err != nil {
			c.errs = append(c.errs, err)
			return
		}
		c.seeds = append(c.seeds, seed{taskID: taskID, n: n})
	}
}

// WithSettle makes running registries settle d after they were added, on
// the server's clock: a running registry with a FailedReason becomes failed,
// any other finished. A test of a wait loop (such as hss.Client.WaitSyncTask) sees
// a task progress without touching the server. d below 1 turns it off.
func WithSettle(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.settle = d
		}
	}
}
