package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"time"
)

// DefaultMetadataURL is where an ECS instance reads the temporary access
// keys of its agency from the OpenStack metadata service.
const DefaultMetadataURL = "http://169.254.169.254/openstack/latest/securitykey"

const (
	// metadataTimeout bounds one metadata request: the service is on the
	// host's own link, so a slow answer means there is none.
	metadataTimeout = 3 * time.Second
	// maxMetadataBody caps the metadata answer; a real one is ~3 KiB.
	maxMetadataBody = 64 << 10
)

const metadataSource = "ECS metadata"

// MetadataConfig says how to reach the metadata service. The zero value
// takes every default.
type MetadataConfig struct {
	// URL replaces DefaultMetadataURL (tests point it at a local server);
	// empty means DefaultMetadataURL. It must be an http or https URL with
	// a host, or every Retrieve fails with a *ConfigError.
	URL string
	// HTTPClient sends the requests; nil means a client that bypasses any
	// HTTP proxy (the service is on the instance's own link) and gives up
	// after 3 seconds. It is copied, never modified; redirects are never
	// followed.
	HTTPClient *http.Client
	// Now tells the time for expiry decisions; nil means time.Now.
	Now func() time.Time
}

// Metadata hands out the temporary access keys the ECS metadata service
// gives the instance (its agency's keys). They are fetched on first use,
// cached, and fetched again 15 minutes before they expire, in the
// background while the old ones are still valid (see Cache). Create it with
// NewMetadata; it is safe for concurrent use. It is an Invalidator.
//
// Printing, marshalling or logging a Metadata never shows a secret: fmt,
// encoding/json and log/slog do not reach the cached keys.
type Metadata struct {
	*metadata // shared by the copies of a Metadata
}

// metadata is a Metadata's state.
type metadata struct {
	url   string
	bad   error // a *ConfigError for a URL that cannot work
	hc    *http.Client
	cache *Cache
}

// NewMetadata returns a Metadata provider. No request is sent until keys
// are needed. A cfg that cannot work makes every Retrieve fail with a
// *ConfigError (see MetadataConfig).
func NewMetadata(cfg MetadataConfig) *Metadata {
	m := &metadata{url: cfg.URL, bad: cfg.check(), hc: noRedirects(cfg.HTTPClient, metadataHTTPClient)}
	if m.url == "" {
		m.url = DefaultMetadataURL
	}
	m.cache = NewCache(providerFunc(m.fetch), &CacheOptions{FetchTimeout: metadataTimeout, Now: cfg.Now})
	return &Metadata{m}
}

// check returns a *ConfigError when cfg cannot work.
func (cfg MetadataConfig) check() error {
	if cfg.URL == "" {
		return nil
	}
	bad := func(reason string) error {
		return &ConfigError{Source: "MetadataConfig", Field: "URL", Reason: reason}
	}
	u, err := url.Parse(cfg.URL)
	switch {
	case err != nil:
		return bad("not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return bad("must be an http or https URL")
	case u.Host == "":
		return bad("has no host")
	}
	return nil
}

// providerFunc adapts a fetch function to Provider.
type providerFunc func(context.Context) (Value, error)

func (f providerFunc) Retrieve(ctx context.Context) (Value, error) { return f(ctx) }

// metadataHTTPClient talks to the link-local metadata service directly.
func metadataHTTPClient() *http.Client {
	return &http.Client{
		Timeout: metadataTimeout,
		Transport: &http.Transport{
			Proxy:                 nil, // a proxy cannot reach the instance's link-local address
			DialContext:           (&net.Dialer{Timeout: metadataTimeout}).DialContext,
			ResponseHeaderTimeout: metadataTimeout,
			MaxIdleConns:          1,
			IdleConnTimeout:       30 * time.Second,
		},
	}
}

// Retrieve returns the current temporary keys, fetching them first when
// needed.
func (m *Metadata) Retrieve(ctx context.Context) (Value, error) {
	if m == nil || m.metadata == nil {
		return Value{}, &ConfigError{Source: metadataSource, Reason: "Metadata must be created with NewMetadata"}
	}
	if m.bad != nil {
		return Value{}, m.bad
	}
	return m.cache.Retrieve(ctx)
}

// Invalidate drops the cached keys when they are failed and were obtained
// at least RefusalWindow ago, so the next Retrieve fetches new ones; see
// Cache.Invalidate.
func (m *Metadata) Invalidate(failed Value) {
	if m != nil && m.metadata != nil {
		m.cache.Invalidate(failed)
	}
}

// URL returns where the keys are read from; "" for a Metadata not created
// with NewMetadata.
func (m *Metadata) URL() string {
	if m == nil || m.metadata == nil {
		return ""
	}
	return m.url
}

// metadataAnswer is the securitykey document.
type metadataAnswer struct {
	Credential *struct {
		Access        string `json:"access"`
		Secret        string `json:"secret"`
		SecurityToken string `json:"securitytoken"`
		ExpiresAt     string `json:"expires_at"`
	} `json:"credential"`
}

// fetch asks the metadata service for the current keys.
func (m *metadata) fetch(ctx context.Context) (Value, error) {
	fail := func(err error) (Value, error) {
		return Value{}, &Error{Source: metadataSource, URL: m.url, Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.url, nil)
	if err != nil {
		return fail(errors.New("the metadata URL is not a valid URL"))
	}
	req.Header.Set("Accept", "application/json")
	resp, body, err := ask(ctx, m.hc, req, maxMetadataBody, nil)
	if err != nil {
		return fail(err)
	}
	if resp.StatusCode != http.StatusOK {
		return Value{}, answerError(metadataSource, m.url, resp, body, nil, m.cache.now())
	}
	var ans metadataAnswer
	// Fixed messages: a half-valid answer may hold the keys.
	if err := json.Unmarshal(body, &ans); err != nil {
		return fail(errors.New("answer is not the securitykey JSON document"))
	}
	c := ans.Credential
	if c == nil || c.Access == "" || c.Secret == "" || c.SecurityToken == "" {
		return fail(errors.New("answer lacks credential.access, secret or securitytoken"))
	}
	exp, err := time.Parse(time.RFC3339Nano, c.ExpiresAt)
	if err != nil {
		return fail(errors.New("credential.expires_at is not an RFC 3339 time"))
	}
	v := Value{AccessKey: c.Access, SecretKey: c.Secret, SecurityToken: c.SecurityToken, Expires: exp, Source: metadataSource}
	if err := v.Validate(); err != nil {
		return fail(err)
	}
	return v, nil
}
