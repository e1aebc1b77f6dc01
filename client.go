// Package hss is a small, typed client for Huawei Cloud Host Security
// Service (HSS). See the README for a tour.
package hss

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Version is the SDK version sent in the default User-Agent.
const Version = "0.1.0"

// defaultUserAgent is sent on every request, after any WithUserAgent prefix.
const defaultUserAgent = "hss-go/" + Version

// Default limits, overridable with options.
const (
	// DefaultAttemptTimeout bounds one attempt (connect, headers and body)
	// when the caller's http.Client sets no Timeout of its own.
	DefaultAttemptTimeout = 30 * time.Second
	// DefaultMaxBodyBytes caps a success body; a longer one is an error
	// wrapping ErrBodyTooLarge. A full page of 200 registries is ~25 KiB.
	DefaultMaxBodyBytes = 16 << 20
)

// Client calls the HSS API of one project. Create it with NewClient; it is
// safe for concurrent use and its configuration never changes after
// NewClient returns.
type Client struct {
	endpoint   *url.URL // scheme, host and path prefix (no trailing slash)
	prefixPath string   // endpoint path, unescaped, no trailing slash
	prefixRaw  string   // endpoint path, escaped, no trailing slash
	projectID  string
	projectEsc string // projectID path-escaped once

	hc             *http.Client // our own copy of the caller's client
	creds          Credentials
	userAgent      string
	retry          RetryPolicy
	clock          Clock
	logger         *slog.Logger
	limiter        *rateLimiter
	maxBody        int64
	attemptTimeout time.Duration
	allowHTTP      bool
	userRedirect   func(*http.Request, []*http.Request) error
}

// Option configures a Client in NewClient. An option that gets a bad value
// makes NewClient return an error naming it.
type Option func(*Client) error

// NewClient returns a Client for the HSS endpoint (for example
// "https://hss.cn-north-4.myhuaweicloud.com", see RegionEndpoint) and the
// project whose resources it reads.
//
// The endpoint may carry a path prefix ("https://gw.example.com/hss"); it is
// kept in front of /v5/.... It must use https unless its host is loopback or
// WithInsecureHTTP is given. Credentials are required: pass WithToken,
// WithAKSK, WithTemporaryAKSK or WithCredentials.
func NewClient(endpoint, projectID string, opts ...Option) (*Client, error) {
	c := &Client{
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
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	if err := c.setEndpoint(endpoint); err != nil {
		return nil, err
	}
	if err := checkPathID("project_id", projectID, 256); err != nil {
		return nil, err
	}
	c.projectID = projectID
	c.projectEsc = url.PathEscape(projectID)
	if c.creds == nil {
		return nil, errors.New("hss: no credentials: pass WithToken, WithAKSK, WithTemporaryAKSK or WithCredentials")
	}
	if b, ok := c.creds.(clockBinder); ok {
		b.bindClock(c.clock)
	}
	c.userRedirect = c.hc.CheckRedirect
	c.hc.CheckRedirect = c.checkRedirect
	return c, nil
}

// clockBinder is implemented by credentials the Client built itself (from
// WithAKSK and friends) so that they sign with the Client's clock.
type clockBinder interface {
	bindClock(Clock)
}

func (c *Client) setEndpoint(endpoint string) error {
	bad := func(reason string) error { return &ValidationError{Field: "endpoint", Reason: reason} }
	if endpoint == "" {
		return bad("must not be empty; see RegionEndpoint")
	}
	if hasControl(endpoint) {
		return bad("must not contain control characters")
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return bad("not a URL")
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return bad(fmt.Sprintf("scheme must be https (or http for loopback), got %q", u.Scheme))
	case u.Host == "":
		return bad("has no host")
	case u.User != nil:
		return bad("must not carry user info; pass credentials with an option")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return bad("must not carry a query or fragment")
	}
	if u.Scheme == "http" && !c.allowHTTP && !isLoopback(u.Hostname()) {
		return bad("plain http is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); use https or pass WithInsecureHTTP()")
	}
	c.prefixPath = strings.TrimRight(u.Path, "/")
	c.prefixRaw = strings.TrimRight(u.EscapedPath(), "/")
	c.endpoint = &url.URL{Scheme: u.Scheme, Host: u.Host}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// errNotConstructed is returned by a Client that NewClient did not make
// (a zero value or nil pointer), instead of a nil-pointer panic.
var errNotConstructed = errors.New("hss: Client not created by NewClient")

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

// Format prints the endpoint and project only, never credentials, for
// every fmt verb. Its value receiver covers a dereferenced Client too,
// which fmt would otherwise dump field by field, credentials included.
func (c Client) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "hss.Client{endpoint: %s, project_id: %s}", c.Endpoint(), c.projectID)
}

// WithHTTPClient sends requests through a copy of hc; hc itself is never
// modified. Its Transport, Timeout and Jar are used as they are. When hc has
// a Timeout, it replaces the default per-attempt timeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return &ValidationError{Field: "http_client", Reason: "must not be nil"}
		}
		cp := *hc
		c.hc = &cp
		return nil
	}
}

// WithUserAgent puts ua in front of the default User-Agent
// ("hss-go/<version>"), so the service's logs name the calling product.
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		if hasControl(ua) {
			return &ValidationError{Field: "User-Agent", Reason: "must not contain control characters"}
		}
		if ua = strings.TrimSpace(ua); ua != "" {
			c.userAgent = ua + " " + defaultUserAgent
		}
		return nil
	}
}

// WithInsecureHTTP allows a plain-http endpoint on a non-loopback host, such
// as a gateway inside a trusted network. Credentials then cross the network
// in clear text; loopback endpoints never need this option.
func WithInsecureHTTP() Option {
	return func(c *Client) error {
		c.allowHTTP = true
		return nil
	}
}

// WithMaxBodyBytes caps how much of a success body is read (default
// DefaultMaxBodyBytes). A longer body is an error wrapping ErrBodyTooLarge.
func WithMaxBodyBytes(n int64) Option {
	return func(c *Client) error {
		if n < 1024 {
			return &ValidationError{Field: "max_body_bytes", Reason: fmt.Sprintf("must be at least 1024, got %d", n)}
		}
		c.maxBody = n
		return nil
	}
}

// WithAttemptTimeout bounds each attempt (default DefaultAttemptTimeout)
// when the http.Client has no Timeout of its own. An attempt that runs out
// of time is retried; the caller's context bounds the whole call. Zero turns
// the per-attempt bound off.
func WithAttemptTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d < 0 {
			return &ValidationError{Field: "attempt_timeout", Reason: fmt.Sprintf("must not be negative, got %s", d)}
		}
		c.attemptTimeout = d
		return nil
	}
}

// WithLogger logs every attempt at debug level (method, path, redacted
// query, status, attempt, duration, request id) and every retry at info
// level. Secrets are never logged. Logging is off by default.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		c.logger = l
		return nil
	}
}

// RedirectError is returned when the service redirects to another host or
// from https to http: the SDK refuses, so credentials never leave the
// endpoint the caller chose.
type RedirectError struct {
	From, To string // scheme://host of each side
}

// Error names both hosts.
func (e *RedirectError) Error() string {
	return "hss: refused redirect from " + e.From + " to " + e.To + " (credentials are only sent to the configured endpoint)"
}

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	if req.URL.Host != first.Host || (first.Scheme == "https" && req.URL.Scheme != "https") {
		return &RedirectError{From: first.Scheme + "://" + first.Host, To: req.URL.Scheme + "://" + req.URL.Host}
	}
	if c.userRedirect != nil {
		return c.userRedirect(req, via)
	}
	if len(via) >= 10 {
		return errors.New("hss: stopped after 10 redirects")
	}
	return nil
}
