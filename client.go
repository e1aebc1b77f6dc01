package hss

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/internal/check"
)

// Version is the SDK version sent in the default User-Agent.
const Version = "0.2.0"

// defaultUserAgent is sent on every request, after any WithUserAgent prefix.
const defaultUserAgent = "hss-go/" + Version

// Default limits, changed with options.
const (
	// DefaultAttemptTimeout bounds one attempt (connect, headers and body)
	// unless WithAttemptTimeout sets another bound, or the caller's
	// http.Client sets a Timeout of its own, which then replaces it.
	DefaultAttemptTimeout = 30 * time.Second
	// DefaultMaxBodyBytes caps a success body; a longer one is an error
	// wrapping ErrBodyTooLarge. A full page of 200 registries is ~25 KiB.
	DefaultMaxBodyBytes = 16 << 20
	// maxBodyBytesLimit is the largest WithMaxBodyBytes accepts.
	maxBodyBytesLimit = 1 << 30
)

// Client calls the HSS API of one project. Create it with NewClient or
// NewClientFromEnv; it is safe for concurrent use, and its configuration
// never changes once created.
type Client struct {
	endpoint   *url.URL // scheme and host
	prefixPath string   // endpoint path, decoded, no trailing slash
	prefixRaw  string   // endpoint path, escaped, no trailing slash
	projectID  string
	projectEsc string // projectID path-escaped once
	cfg        config
	static     bool                              // the credentials were checked when the Client was made
	quotas     *quotas                           // the gateway's quotas, learned per route
	budget     *retryBudget                      // tokens retries draw on
	scrubs     *scrubCache                       // scrubbers for the credentials last used
	obs        Observer                          // WithObserver and WithLogger's log; nil when neither
	signer     keySigner                         // signs with access keys; nil for a token Client
	validated  atomic.Pointer[credentials.Value] // the credentials last checked
}

// config is what the options set.
type config struct {
	hc             *http.Client // our own copy of the caller's client
	creds          credentials.Provider
	userAgent      string
	retry          RetryPolicy
	clock          Clock
	logger         *slog.Logger
	limiter        *rateLimiter
	maxBody        int64
	attemptTimeout time.Duration
	// attemptTimeoutSet: WithAttemptTimeout was given, so that
	// attemptTimeout applies beside an http.Client's Timeout.
	attemptTimeoutSet bool
	allowHTTP         bool
	observers         []Observer // WithObserver's, in the order given
	quotaStore        QuotaStore
	newSharing        func(QuotaStore, *slog.Logger, Clock) quotaSharing // set with quotaStore, so that only its users link it
	logObserver       Observer                                           // WithLogger's log
	tell              telling                                            // set with observers and logObserver, so that only their users link it
	getenv            func(string) string                                // NewClientFromEnv only
	// signer makes the signer of access keys; set by the options that can
	// hand out one.
	signer func(*slog.Logger) keySigner
}

// Option configures a Client in NewClient or NewClientFromEnv. An option
// given a bad value makes the constructor return a *ValidationError naming
// it. Options may come in any order.
//
// Given more than once, WithObserver adds: every Observer given is told,
// in the order given. Of every other option the last one given wins: of
// the credential options taken together (WithToken, WithAKSK,
// WithTemporaryAKSK, WithCredentials), and of each of WithHTTPClient,
// WithUserAgent, WithRetryPolicy, WithRateLimit, WithAttemptTimeout,
// WithMaxBodyBytes, WithLogger (so WithLogger(nil) turns an earlier log
// off), WithClock, WithQuotaStore and WithGetenv. WithInsecureHTTP twice is
// WithInsecureHTTP once.
type Option func(*config) error

// newConfig applies opts over the defaults.
func newConfig(opts []Option) (config, error) {
	cfg := config{
		retry:          DefaultRetryPolicy(),
		clock:          realClock{},
		maxBody:        DefaultMaxBodyBytes,
		attemptTimeout: DefaultAttemptTimeout,
		userAgent:      defaultUserAgent,
		hc:             &http.Client{},
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&cfg); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// NewClient returns a Client for the HSS endpoint (for example
// "https://hss.cn-north-4.myhuaweicloud.com", see RegionEndpoint) and the
// project whose resources it reads.
//
// The endpoint may carry a path prefix ("https://gw.example.com/hss"); it is
// kept in front of /v5/.... It must use https unless its host is loopback
// or WithInsecureHTTP is given, and its host must be ASCII (give the
// punycode form of an internationalised name). Credentials are required:
// WithToken, WithAKSK, WithTemporaryAKSK or WithCredentials.
func NewClient(endpoint, projectID string, opts ...Option) (*Client, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if cfg.getenv != nil {
		return nil, &ValidationError{Field: "WithGetenv", Reason: "is an option of NewClientFromEnv: NewClient reads no environment"}
	}
	return newClient(endpoint, projectID, cfg)
}

// newClient builds the Client once every option is known.
func newClient(endpoint, projectID string, cfg config) (*Client, error) {
	var share quotaSharing
	if cfg.newSharing != nil {
		share = cfg.newSharing(cfg.quotaStore, cfg.logger, cfg.clock)
	}
	c := &Client{cfg: cfg, quotas: newQuotas(share), budget: newRetryBudget(cfg.retry.RetryBudget), scrubs: &scrubCache{}}
	if err := c.setEndpoint(endpoint); err != nil {
		return nil, err
	}
	if reason := check.PathID(projectID, 256); reason != "" {
		return nil, &ValidationError{Field: "project_id", Reason: reason}
	}
	c.projectID = projectID
	c.projectEsc = url.PathEscape(projectID)
	if c.cfg.creds == nil {
		return nil, &ValidationError{Field: "credentials", Reason: "none given: pass WithToken, WithAKSK, WithTemporaryAKSK or WithCredentials, or use NewClientFromEnv"}
	}
	_, c.static = c.cfg.creds.(*credentials.Static)
	c.obs = newObserver(c.cfg.logObserver, c.cfg.observers)
	if c.cfg.signer != nil {
		c.signer = c.cfg.signer(c.cfg.logger)
	}
	userRedirect := c.cfg.hc.CheckRedirect
	c.cfg.hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := checkRedirect(req, via, userRedirect); err != nil {
			return err
		}
		return c.resign(req)
	}
	return c, nil
}

// setEndpoint validates the endpoint and keeps its parts.
func (c *Client) setEndpoint(endpoint string) error {
	bad := func(reason string) error { return &ValidationError{Field: "endpoint", Reason: reason} }
	if endpoint == "" {
		return bad("must not be empty; see RegionEndpoint")
	}
	if check.HasControl(endpoint) {
		return bad("must not contain control characters")
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return bad("not a URL")
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return bad(fmt.Sprintf("scheme must be https (or http for loopback), got %q", u.Scheme))
	case u.Hostname() == "":
		return bad("has no host")
	case u.User != nil:
		return bad("must not carry user info; pass credentials with an option")
	case u.RawQuery != "" || u.ForceQuery || strings.Contains(endpoint, "#"):
		return bad("must not carry a query or fragment")
	case !isASCII(u.Host):
		return bad("host must be ASCII; give the punycode (xn--) form of the name")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return bad("port must be 1-65535")
		}
	}
	if u.Scheme == "http" && !c.cfg.allowHTTP && !check.Loopback(u.Hostname()) {
		return bad("plain http is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); use https or pass WithInsecureHTTP()")
	}
	c.prefixPath = strings.TrimRight(u.Path, "/")
	c.prefixRaw = strings.TrimRight(u.EscapedPath(), "/")
	c.endpoint = &url.URL{Scheme: u.Scheme, Host: u.Host}
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// maxRedirects is the most redirects one attempt follows.
const maxRedirects = 10

// checkRedirect refuses a redirect to another host, from https to http, or
// past the tenth, then lets the caller's own policy decide.
func checkRedirect(req *http.Request, via []*http.Request, user func(*http.Request, []*http.Request) error) error {
	first := via[0].URL
	from, to := first.Scheme+"://"+first.Host, req.URL.Scheme+"://"+req.URL.Host
	switch {
	case req.URL.Host != first.Host || (first.Scheme == "https" && req.URL.Scheme != "https"):
		return &RedirectError{From: from, To: to}
	case len(via) >= maxRedirects:
		return &RedirectError{From: from, To: to, Loop: true}
	case user != nil:
		if err := user(req, via); err != nil && !errors.Is(err, http.ErrUseLastResponse) {
			return &RedirectError{From: from, To: to, Err: err}
		} else if err != nil {
			return err
		}
	}
	return nil
}

// usable reports whether c was made by a constructor.
func (c *Client) usable() bool { return c != nil && c.endpoint != nil && c.cfg.creds != nil }

// Endpoint returns the endpoint the Client sends to, with its path prefix.
func (c *Client) Endpoint() string {
	if c == nil || c.endpoint == nil {
		return ""
	}
	return c.endpoint.Scheme + "://" + c.endpoint.Host + c.prefixRaw
}

// ProjectID returns the project the Client reads.
func (c *Client) ProjectID() string {
	if c == nil {
		return ""
	}
	return c.projectID
}

// WithHTTPClient sends requests through a copy of hc; hc itself is never
// modified. Its Transport, Timeout and Jar are used as they are, and its
// CheckRedirect is asked after the Client's own redirect rules. When hc has
// a Timeout, it bounds each attempt in place of DefaultAttemptTimeout; given
// WithAttemptTimeout too, both bounds apply and the shorter ends the
// attempt.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return &ValidationError{Field: "WithHTTPClient", Reason: "must not be nil"}
		}
		cp := *hc
		c.hc = &cp
		return nil
	}
}

// WithUserAgent puts ua, without its surrounding white space, in front of
// the default User-Agent ("hss-go/<version>"), so the service's logs name
// the calling product. An empty or all-white-space ua, or one with
// control characters, is a *ValidationError.
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		if check.HasControl(ua) {
			return &ValidationError{Field: "User-Agent", Reason: "must not contain control characters"}
		}
		if ua = strings.TrimSpace(ua); ua == "" {
			return &ValidationError{Field: "User-Agent", Reason: "must not be empty or white space only"}
		}
		c.userAgent = ua + " " + defaultUserAgent
		return nil
	}
}

// WithInsecureHTTP allows a plain-http endpoint on a non-loopback host, such
// as a gateway inside a trusted network. Credentials then cross the network
// in clear text; loopback endpoints never need this option.
func WithInsecureHTTP() Option {
	return func(c *config) error {
		c.allowHTTP = true
		return nil
	}
}

// WithMaxBodyBytes caps how much of a success body is read (default
// DefaultMaxBodyBytes; 1 KiB to 1 GiB). A longer body is an error wrapping
// ErrBodyTooLarge.
func WithMaxBodyBytes(n int64) Option {
	return func(c *config) error {
		if n < 1024 || n > maxBodyBytesLimit {
			return &ValidationError{Field: "WithMaxBodyBytes", Reason: fmt.Sprintf("must be 1024 to %d, got %d", maxBodyBytesLimit, n)}
		}
		c.maxBody = n
		return nil
	}
}

// WithAttemptTimeout bounds each attempt (default DefaultAttemptTimeout).
// An http.Client given with WithHTTPClient that has a Timeout of its own
// bounds each attempt too: the shorter of the two ends it. An attempt that
// runs out of time is retried; the caller's context bounds the whole call.
// Zero turns the Client's per-attempt bound off (an http.Client's Timeout
// still applies).
func WithAttemptTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return &ValidationError{Field: "WithAttemptTimeout", Reason: fmt.Sprintf("must not be negative, got %s", d)}
		}
		c.attemptTimeout, c.attemptTimeoutSet = d, true
		return nil
	}
}

// WithLogger logs every attempt at debug level (method, path, redacted
// query, status, attempt, duration, request id), and every retry and every
// wait of a second or more at info level ("hss: throttled; waiting",
// wait=42s). NewClientFromEnv also warns through it about a credentials
// file others may read. Secrets are never logged. Logging is off by
// default.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		c.logObserver = nil
		if l != nil {
			c.logObserver, c.tell = logObserver{l}, tell{}
		}
		return nil
	}
}
