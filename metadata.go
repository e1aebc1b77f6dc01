package hss

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// DefaultMetadataURL is where an ECS instance reads the temporary access
// keys of its agency from the OpenStack metadata service.
const DefaultMetadataURL = "http://169.254.169.254/openstack/latest/securitykey"

const (
	// metadataTimeout bounds one metadata request: the service is on the
	// host's own link, so a slow answer means there is none.
	metadataTimeout = 3 * time.Second
	// metadataRefreshAhead renews temporary keys this long before they
	// expire, well outside the gateway's 15-minute clock skew.
	metadataRefreshAhead = 15 * time.Minute
	// maxMetadataBody caps the metadata answer; a real one is ~3 KiB.
	maxMetadataBody = 64 << 10
)

const metadataSource = "ECS metadata"

// MetadataCredentials sign requests with the temporary access keys the ECS
// metadata service hands the instance (its agency's keys). The keys are
// fetched on first use, cached, and fetched again 15 minutes before they
// expire, by one request however many calls need them. Create them with
// NewMetadataCredentials; they are safe for concurrent use.
type MetadataCredentials struct {
	// The state sits behind a pointer so that printing a copied value
	// shows an address, not the cached keys.
	*metadataCredentials
}

// metadataCredentials is a MetadataCredentials' state.
type metadataCredentials struct {
	url   string
	hc    *http.Client
	cache refresher[*akskCredentials]
}

// NewMetadataCredentials returns credentials that read temporary access
// keys from DefaultMetadataURL. hc sends the metadata requests; nil means a
// client that bypasses any HTTP proxy (the metadata service is on the
// instance's own link) and gives up after 3 seconds. Signatures are dated
// by the wall clock.
func NewMetadataCredentials(hc *http.Client) *MetadataCredentials {
	return newMetadataCredentials(DefaultMetadataURL, hc, realClock{})
}

func newMetadataCredentials(url string, hc *http.Client, clk Clock) *MetadataCredentials {
	if hc == nil {
		hc = metadataHTTPClient()
	}
	m := &MetadataCredentials{&metadataCredentials{url: url, hc: hc}}
	m.cache = refresher[*akskCredentials]{
		fetch:   m.fetch,
		ahead:   metadataRefreshAhead,
		timeout: metadataTimeout,
		clock:   clk,
	}
	return m
}

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
		// The metadata service does not redirect; following one could send
		// the request somewhere else.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Authenticate signs req with the current temporary keys, fetching them
// first when needed.
func (m *MetadataCredentials) Authenticate(ctx context.Context, req *http.Request) error {
	if m == nil || m.metadataCredentials == nil {
		return &ValidationError{Field: "credentials", Reason: "MetadataCredentials must be created with NewMetadataCredentials"}
	}
	cr, err := m.cache.get(ctx)
	if err != nil {
		return err
	}
	return cr.Authenticate(ctx, req)
}

// Invalidate drops the cached keys, so the next request fetches new ones.
func (m *MetadataCredentials) Invalidate() {
	if m != nil && m.metadataCredentials != nil {
		m.cache.invalidate()
	}
}

// Format names the metadata URL and nothing secret, for every fmt verb.
// Its value receiver covers a dereferenced MetadataCredentials too.
func (m MetadataCredentials) Format(f fmt.State, _ rune) {
	if m.metadataCredentials == nil {
		fmt.Fprint(f, "hss.MetadataCredentials{}")
		return
	}
	fmt.Fprintf(f, "hss.MetadataCredentials{url: %s}", m.url)
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
func (m *MetadataCredentials) fetch(ctx context.Context) (*akskCredentials, time.Time, error) {
	fail := func(err error) (*akskCredentials, time.Time, error) {
		return nil, time.Time{}, &CredentialsError{Source: metadataSource, URL: m.url, Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.url, nil)
	if err != nil {
		return fail(err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := m.hc.Do(req)
	if err != nil {
		return fail(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadataBody+1))
	if err != nil {
		return fail(err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, time.Time{}, credentialsErrorFrom(metadataSource, m.url, resp, body)
	}
	if len(body) > maxMetadataBody {
		return fail(fmt.Errorf("answer is longer than %d bytes", maxMetadataBody))
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
	cr, err := newAKSK(c.Access, c.Secret, c.SecurityToken, m.cache.clock)
	if err != nil {
		return fail(err)
	}
	return cr, exp, nil
}
