package hss

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	// DefaultTokenRefreshBefore is how long before its expiry a TokenSource
	// fetches a new token. IAM tokens live 24 hours.
	DefaultTokenRefreshBefore = time.Hour
	// iamTimeout bounds one IAM request when the HTTP client has no Timeout.
	iamTimeout = 30 * time.Second
	// maxIAMBody caps the token answer read; with nocatalog the body is a
	// few KiB, with a service catalog some tens of KiB.
	maxIAMBody = 1 << 20
	// maxPasswordLen bounds the password accepted (IAM allows 32 characters;
	// the margin is for other identity back ends).
	maxPasswordLen = 1024
)

const iamSource = "IAM"

// PasswordTokenConfig says how a TokenSource obtains IAM user tokens with a
// password. Its Format method keeps Password out of fmt output.
type PasswordTokenConfig struct {
	// DomainName is the account (domain) the IAM user belongs to. Required.
	DomainName string
	// UserName is the IAM user's name. Required.
	UserName string
	// Password is the IAM user's password. Required; never printed.
	Password string
	// ProjectID is the project the token is scoped to; use the Client's
	// project. Required.
	ProjectID string
	// Region selects the IAM endpoint https://iam.{Region}.myhuaweicloud.com
	// (the same domain as RegionEndpoint uses) when IAMEndpoint is empty.
	Region string
	// IAMEndpoint replaces the endpoint derived from Region, for example
	// the global "https://iam.myhuaweicloud.com". It must use https unless
	// its host is loopback.
	IAMEndpoint string
	// HTTPClient sends the IAM requests; nil means a client with a
	// 30-second timeout. It is used as is, never modified.
	HTTPClient *http.Client
	// RefreshBefore is how long before expiry a new token is fetched; zero
	// means DefaultTokenRefreshBefore.
	RefreshBefore time.Duration
	// Clock tells the time for expiry decisions; nil means the wall clock.
	Clock Clock
}

// Format prints the configuration with the password redacted, for every
// fmt verb.
func (c PasswordTokenConfig) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "hss.PasswordTokenConfig{domain: %s, user: %s, password: %s, project_id: %s, region: %s, iam_endpoint: %s}",
		c.DomainName, c.UserName, redacted, c.ProjectID, c.Region, c.IAMEndpoint)
}

// TokenSource obtains IAM user tokens, caches them, and fetches a new one
// ahead of expiry (DefaultTokenRefreshBefore), by a single IAM request
// however many calls need it. It implements Credentials (sending the token
// as X-Auth-Token) and Invalidator (a 401 APIGW.0307 answer makes the
// Client fetch a new token and retry once). Pass it to WithCredentials; one
// TokenSource may serve several Clients of the same project. It is safe for
// concurrent use.
type TokenSource struct {
	// The state sits behind a pointer so that printing a copied
	// TokenSource value shows an address, not the password or the token.
	*tokenSource
}

// tokenSource is a TokenSource's state.
type tokenSource struct {
	tokenURL string // IAM endpoint + /v3/auth/tokens, without query
	hc       *http.Client
	body     []byte // the request body; holds the password
	password string // to scrub it from IAM's messages
	domain   string
	user     string
	project  string
	cache    refresher[string]
}

// NewPasswordTokenSource returns a TokenSource that authenticates as an IAM
// user with a password. No request is sent until a token is needed. A bad
// configuration gives a *ValidationError that never quotes the password.
func NewPasswordTokenSource(cfg PasswordTokenConfig) (*TokenSource, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	endpoint := cfg.IAMEndpoint
	if endpoint == "" {
		hssEndpoint, err := RegionEndpoint(cfg.Region)
		if err != nil {
			return nil, err
		}
		endpoint = strings.Replace(hssEndpoint, "://hss.", "://iam.", 1)
	}
	u, err := checkIAMEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	body, err := passwordAuthBody(cfg)
	if err != nil {
		return nil, err
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: iamTimeout}
	}
	ahead := cfg.RefreshBefore
	if ahead == 0 {
		ahead = DefaultTokenRefreshBefore
	}
	clk := cfg.Clock
	if clk == nil {
		clk = realClock{}
	}
	ts := &TokenSource{&tokenSource{
		tokenURL: u.String() + "/v3/auth/tokens",
		hc:       hc,
		body:     body,
		password: cfg.Password,
		domain:   cfg.DomainName,
		user:     cfg.UserName,
		project:  cfg.ProjectID,
	}}
	ts.cache = refresher[string]{fetch: ts.fetch, ahead: ahead, timeout: iamTimeout, clock: clk}
	return ts, nil
}

func (c *PasswordTokenConfig) validate() error {
	names := []struct{ field, v string }{
		{"domain_name", c.DomainName}, {"user_name", c.UserName}, {"project_id", c.ProjectID},
	}
	for _, n := range names {
		if err := checkPathID(n.field, n.v, 256); err != nil {
			return err
		}
	}
	if n := utf8.RuneCountInString(c.Password); n == 0 || n > maxPasswordLen {
		return &ValidationError{Field: "password", Reason: fmt.Sprintf("must be 1-%d characters, got %d", maxPasswordLen, n)}
	}
	if !utf8.ValidString(c.Password) {
		return &ValidationError{Field: "password", Reason: "must be valid UTF-8"}
	}
	if c.IAMEndpoint == "" && c.Region == "" {
		return &ValidationError{Field: "region", Reason: "must be set when IAMEndpoint is empty"}
	}
	if c.RefreshBefore < 0 {
		return &ValidationError{Field: "refresh_before", Reason: fmt.Sprintf("must not be negative, got %s", c.RefreshBefore)}
	}
	return nil
}

// checkIAMEndpoint applies the Client's endpoint rules: the password
// travels in the body, so plain http is only for loopback test servers.
func checkIAMEndpoint(endpoint string) (*url.URL, error) {
	bad := func(reason string) error { return &ValidationError{Field: "iam_endpoint", Reason: reason} }
	if hasControl(endpoint) {
		return nil, bad("must not contain control characters")
	}
	u, err := url.Parse(endpoint)
	switch {
	case err != nil:
		return nil, bad("not a URL")
	case u.Host == "":
		return nil, bad("has no host")
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, bad("must be scheme://host[/path] only")
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return nil, bad("must use https (plain http only for loopback hosts)")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// passwordAuthBody is the POST /v3/auth/tokens body for a password login
// scoped to a project.
func passwordAuthBody(cfg PasswordTokenConfig) ([]byte, error) {
	type name struct {
		Name string `json:"name"`
	}
	var body struct {
		Auth struct {
			Identity struct {
				Methods  []string `json:"methods"`
				Password struct {
					User struct {
						Name     string `json:"name"`
						Password string `json:"password"`
						Domain   name   `json:"domain"`
					} `json:"user"`
				} `json:"password"`
			} `json:"identity"`
			Scope struct {
				Project struct {
					ID string `json:"id"`
				} `json:"project"`
			} `json:"scope"`
		} `json:"auth"`
	}
	id := &body.Auth.Identity
	id.Methods = []string{"password"}
	id.Password.User.Name = cfg.UserName
	id.Password.User.Password = cfg.Password
	id.Password.User.Domain.Name = cfg.DomainName
	body.Auth.Scope.Project.ID = cfg.ProjectID
	b, err := json.Marshal(&body)
	if err != nil { // only strings: cannot happen, but never panic
		return nil, errors.New("hss: encoding the IAM request failed")
	}
	return b, nil
}

// Token returns a valid IAM token, fetching one first when needed. The
// caller owns what it does with it; the TokenSource never prints it.
func (ts *TokenSource) Token(ctx context.Context) (string, error) {
	if ts == nil || ts.tokenSource == nil {
		return "", errZeroTokenSource
	}
	if ctx == nil {
		return "", &ValidationError{Field: "ctx", Reason: "must not be nil; use context.Background()"}
	}
	return ts.cache.get(ctx)
}

// Authenticate sets X-Auth-Token to a valid token.
func (ts *TokenSource) Authenticate(ctx context.Context, req *http.Request) error {
	if req == nil {
		return &ValidationError{Field: "request", Reason: "must not be nil"}
	}
	tok, err := ts.Token(ctx)
	if err != nil {
		return err
	}
	if req.Header == nil {
		req.Header = make(http.Header, 1)
	}
	req.Header["X-Auth-Token"] = []string{tok}
	return nil
}

// Invalidate drops the cached token: the next request fetches a new one.
// The Client calls it when the service answers 401 APIGW.0307.
func (ts *TokenSource) Invalidate() {
	if ts != nil && ts.tokenSource != nil {
		ts.cache.invalidate()
	}
}

// errZeroTokenSource guards against a TokenSource not made by
// NewPasswordTokenSource, which has nothing to log in with.
var errZeroTokenSource = &ValidationError{Field: "credentials", Reason: "TokenSource must be created with NewPasswordTokenSource"}

// Format names the IAM endpoint, user and project, never the password or
// token, for every fmt verb. Its value receiver covers a dereferenced
// TokenSource too.
func (ts TokenSource) Format(f fmt.State, _ rune) {
	if ts.tokenSource == nil {
		fmt.Fprint(f, "hss.TokenSource{}")
		return
	}
	fmt.Fprintf(f, "hss.TokenSource{iam: %s, domain: %s, user: %s, project_id: %s, password: %s, token: %s}",
		ts.tokenURL, ts.domain, ts.user, ts.project, redacted, redacted)
}

// tokenAnswer is the part of the 201 body a TokenSource reads.
type tokenAnswer struct {
	Token struct {
		ExpiresAt string `json:"expires_at"`
	} `json:"token"`
}

// fetch asks IAM for a new token.
func (ts *TokenSource) fetch(ctx context.Context) (string, time.Time, error) {
	fail := func(err error) (string, time.Time, error) {
		return "", time.Time{}, &CredentialsError{Source: iamSource, URL: ts.tokenURL, Err: err}
	}
	// nocatalog keeps the service catalog, tens of KiB, out of the answer.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.tokenURL+"?nocatalog=true", bytes.NewReader(ts.body))
	if err != nil {
		return fail(err)
	}
	req.Header.Set("Content-Type", "application/json;charset=utf8")
	req.Header.Set("Accept", "application/json")
	resp, err := ts.hc.Do(req)
	if err != nil {
		// *url.Error names the URL with its query; ours holds no secret.
		return fail(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxIAMBody+1))
	if err != nil {
		return fail(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// IAM does not echo the password, but whatever sits in front of it
		// might.
		return "", time.Time{}, credentialsErrorFrom(iamSource, ts.tokenURL, resp, body, ts.password)
	}
	if len(body) > maxIAMBody {
		return fail(fmt.Errorf("answer is longer than %d bytes", maxIAMBody))
	}
	tok := resp.Header.Get("X-Subject-Token")
	if tok == "" {
		return fail(errors.New("answer has no X-Subject-Token header"))
	}
	if err := checkToken(tok); err != nil {
		return fail(errors.New("X-Subject-Token is not a usable token (empty, too long or with control characters)"))
	}
	var ans tokenAnswer
	if err := json.Unmarshal(body, &ans); err != nil {
		return fail(errors.New("answer is not the token JSON document"))
	}
	exp, err := time.Parse(time.RFC3339Nano, ans.Token.ExpiresAt)
	if err != nil {
		return fail(errors.New("token.expires_at is missing or not an RFC 3339 time"))
	}
	return tok, exp, nil
}
