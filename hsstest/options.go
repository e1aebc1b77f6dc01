package hsstest

import "time"

// Option configures a Server in NewServer or NewTLSServer. Options given a
// value they cannot use (an empty id, a negative count) leave the default
// in place rather than fail, so a test never panics on setup.
type Option func(*config)

// config is what the options set; it never changes once the server runs,
// so the handler reads it without locking.
type config struct {
	projectID      string
	token          string
	now            func() time.Time
	keys           map[string]accessKey // AK -> key
	throttleLimit  int
	throttleWindow time.Duration
	seeds          []seed
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

func newConfig(opts []Option) config {
	c := config{
		projectID: DefaultProjectID,
		token:     DefaultToken,
		now:       time.Now,
		keys:      make(map[string]accessKey),
	}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
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

// WithNow replaces the wall clock the server uses for the throttling window,
// the X-Sdk-Date check of signed requests and RecordedRequest.Time, so tests
// can move time without sleeping. Pass the Now method of the hss.Clock the
// client uses to keep both sides on one clock. nil is ignored.
func WithNow(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
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

// WithThrottle answers 429 APIGW.0308 to authenticated calls past limit in
// each window, measured on the server's clock (WithNow), with a Retry-After
// of the seconds left in the window. HSS documents 600 calls a minute per
// API and 5 a minute per user or IP; WithThrottle(5, time.Minute) mimics the
// latter. A limit or window below 1 turns throttling off.
func WithThrottle(limit int, window time.Duration) Option {
	return func(c *config) {
		if limit < 1 || window <= 0 {
			c.throttleLimit, c.throttleWindow = 0, 0
			return
		}
		c.throttleLimit, c.throttleWindow = limit, window
	}
}

// WithSeed adds task taskID with n generated registries when the server
// starts; see SeedRegistries.
func WithSeed(taskID string, n int) Option {
	return func(c *config) {
		c.seeds = append(c.seeds, seed{taskID: taskID, n: n})
	}
}
