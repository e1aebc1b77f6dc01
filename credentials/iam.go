package credentials

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hsskit/hss/internal/check"
	"github.com/hsskit/hss/internal/region"
	"github.com/hsskit/hss/internal/secret"
)

const (
	// DefaultTokenRefreshBefore is how long before its expiry a TokenSource
	// fetches a new token. IAM tokens live 24 hours.
	DefaultTokenRefreshBefore = time.Hour
	// iamTimeout bounds one IAM request.
	iamTimeout = 30 * time.Second
	// maxIAMBody caps the token answer read; with nocatalog the body is a
	// few KiB.
	maxIAMBody = 1 << 20
	// maxPasswordLen bounds the password accepted (IAM allows 32
	// characters; the margin is for other identity back ends).
	maxPasswordLen = 1024
)

const iamSource = "IAM"

// PasswordConfig says how a TokenSource obtains IAM user tokens with a
// password. It prints, marshals and logs Password as REDACTED.
type PasswordConfig struct {
	// DomainName is the account (domain) the IAM user belongs to. Required.
	DomainName string
	// UserName is the IAM user's name. Required.
	UserName string
	// Password is the IAM user's password. Required; never printed.
	Password string
	// ProjectID is the project the token is scoped to. Required.
	ProjectID string
	// Region selects the IAM endpoint https://iam.{Region}.myhuaweicloud.com.
	// Required when IAMEndpoint is empty; not used when it is set.
	Region string
	// IAMEndpoint replaces the endpoint derived from Region, for example
	// the global "https://iam.myhuaweicloud.com"; empty means Region's. It
	// must use https unless its host is loopback: the password travels in
	// the body.
	IAMEndpoint string
	// HTTPClient sends the IAM requests; nil means a client with a
	// 30-second timeout. It is copied, never modified; redirects are never
	// followed, so the password is never sent anywhere else.
	HTTPClient *http.Client
	// RefreshBefore is how long before expiry a new token is fetched; zero
	// means DefaultTokenRefreshBefore (1 hour), and a negative value is a
	// *ConfigError. A token that lives less than twice as long is
	// refreshed halfway through its life instead.
	RefreshBefore time.Duration
	// Now tells the time for expiry decisions; nil means time.Now.
	Now func() time.Time
}

// view is what a PasswordConfig shows of itself.
func (c PasswordConfig) view() []slog.Attr {
	return []slog.Attr{
		slog.String("domain", c.DomainName), slog.String("user", c.UserName),
		slog.String("password", secret.Redacted), slog.String("project_id", c.ProjectID),
		slog.String("region", c.Region), slog.String("iam_endpoint", c.IAMEndpoint),
	}
}

// Format prints the configuration with the password REDACTED, for every
// fmt verb.
func (c PasswordConfig) Format(f fmt.State, _ rune) {
	formatAttrs(f, "credentials.PasswordConfig", c.view())
}

// MarshalJSON writes the configuration with the password REDACTED.
func (c PasswordConfig) MarshalJSON() ([]byte, error) { return marshalAttrs(c.view()) }

// LogValue shows the configuration with the password REDACTED.
func (c PasswordConfig) LogValue() slog.Value { return slog.GroupValue(c.view()...) }

// formatAttrs prints name{key: value, ...} for fmt.
func formatAttrs(f fmt.State, name string, attrs []slog.Attr) {
	var b strings.Builder
	b.WriteString(name)
	b.WriteByte('{')
	for i, a := range attrs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.Key)
		b.WriteString(": ")
		b.WriteString(a.Value.String())
	}
	b.WriteByte('}')
	fmt.Fprint(f, b.String())
}

// marshalAttrs writes attrs as a JSON object of strings.
func marshalAttrs(attrs []slog.Attr) ([]byte, error) {
	m := make(map[string]string, len(attrs))
	for _, a := range attrs {
		m[a.Key] = a.Value.String()
	}
	return json.Marshal(m)
}

// TokenSource obtains IAM user tokens with a password, caches them, and
// fetches a new one ahead of expiry (see Cache), by one IAM request however
// many goroutines need a token. It is a Provider and an Invalidator: a
// client that gets 401 APIGW.0307 makes it log in again, at most once per
// RefusalWindow however often the service refuses. A wrong password is not
// sent again for RefusalWindow either, so a loop of calls cannot lock the
// IAM user. One TokenSource may serve several clients of the same project.
// It is safe for concurrent use.
//
// Printing, marshalling or logging a TokenSource never shows a secret:
// fmt, encoding/json and log/slog do not reach the password or the token.
type TokenSource struct {
	*tokenSource // shared by the copies of a TokenSource
}

// tokenSource is a TokenSource's state.
type tokenSource struct {
	tokenURL string // IAM endpoint + /v3/auth/tokens, without query
	hc       *http.Client
	body     sealed[[]byte]           // the request body; holds the password
	scrub    sealed[*secret.Scrubber] // finds the password in what IAM answers
	cache    *Cache

	mu   sync.Mutex
	last sealed[string] // the token handed out last
}

// NewPasswordTokenSource returns a TokenSource that logs in as an IAM user
// with a password. No request is sent until a token is needed. A bad
// configuration gives a *ConfigError that never quotes the password.
func NewPasswordTokenSource(cfg PasswordConfig) (*TokenSource, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	endpoint := cfg.IAMEndpoint
	if endpoint == "" {
		endpoint = region.Endpoint("iam", cfg.Region)
	}
	u, err := checkIAMEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	body, err := passwordAuthBody(cfg)
	if err != nil {
		return nil, err
	}
	ahead := cfg.RefreshBefore
	if ahead == 0 {
		ahead = DefaultTokenRefreshBefore
	}
	ts := &tokenSource{
		tokenURL: u.String() + "/v3/auth/tokens",
		hc:       noRedirects(cfg.HTTPClient, func() *http.Client { return &http.Client{Timeout: iamTimeout} }),
		body:     seal(body),
		scrub:    seal(secret.NewScrubber(cfg.Password)),
	}
	ts.cache = NewCache(providerFunc(ts.fetch), &CacheOptions{RefreshBefore: ahead, FetchTimeout: iamTimeout, Now: cfg.Now})
	return &TokenSource{ts}, nil
}

func (c *PasswordConfig) validate() error {
	bad := func(field, reason string) error {
		return &ConfigError{Source: "PasswordConfig", Field: field, Reason: reason}
	}
	for _, n := range []struct{ field, v string }{
		{"DomainName", c.DomainName}, {"UserName", c.UserName}, {"ProjectID", c.ProjectID},
	} {
		if reason := check.PathID(n.v, 256); reason != "" {
			return bad(n.field, reason)
		}
	}
	if n := utf8.RuneCountInString(c.Password); n == 0 || n > maxPasswordLen {
		return bad("Password", fmt.Sprintf("must be 1-%d characters, got %d", maxPasswordLen, n))
	}
	if !utf8.ValidString(c.Password) {
		return bad("Password", "must be valid UTF-8")
	}
	switch {
	case c.IAMEndpoint == "" && c.Region == "":
		return bad("Region", "must be set when IAMEndpoint is empty")
	case c.IAMEndpoint == "" && !region.Valid(c.Region):
		return bad("Region", fmt.Sprintf("must look like cn-north-4, got %q", c.Region))
	case c.RefreshBefore < 0:
		return bad("RefreshBefore", fmt.Sprintf("must not be negative, got %s", c.RefreshBefore))
	}
	return nil
}

// checkIAMEndpoint applies the client's endpoint rules: the password
// travels in the body, so plain http is only for loopback test servers.
func checkIAMEndpoint(endpoint string) (*url.URL, error) {
	bad := func(reason string) error {
		return &ConfigError{Source: "PasswordConfig", Field: "IAMEndpoint", Reason: reason}
	}
	if check.HasControl(endpoint) {
		return nil, bad("must not contain control characters")
	}
	u, err := url.Parse(endpoint)
	switch {
	case err != nil:
		return nil, bad("not a URL")
	case u.Hostname() == "":
		return nil, bad("has no host")
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || strings.Contains(endpoint, "#"):
		return nil, bad("must be scheme://host[/path] only")
	case u.Scheme == "https":
	case u.Scheme == "http" && check.Loopback(u.Hostname()):
	default:
		return nil, bad("must use https (plain http only for loopback hosts)")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// passwordAuthBody is the POST /v3/auth/tokens body for a password login
// scoped to a project.
func passwordAuthBody(cfg PasswordConfig) ([]byte, error) {
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
		return nil, &ConfigError{Source: "PasswordConfig", Reason: "encoding the IAM request failed"}
	}
	return b, nil
}

// Retrieve returns a valid token, logging in first when needed.
func (ts *TokenSource) Retrieve(ctx context.Context) (Value, error) {
	if ts == nil || ts.tokenSource == nil {
		return Value{}, &ConfigError{Source: iamSource, Reason: "TokenSource must be created with NewPasswordTokenSource"}
	}
	return ts.cache.Retrieve(ctx)
}

// Token returns a valid token, for code that needs one for another API.
func (ts *TokenSource) Token(ctx context.Context) (string, error) {
	v, err := ts.Retrieve(ctx)
	return v.Token, err
}

// Invalidate drops the cached token when it is failed and was obtained at
// least RefusalWindow ago: the next Retrieve logs in again. A token
// obtained less than RefusalWindow ago is kept, and Retrieve goes on
// returning it; see Cache.Invalidate.
func (ts *TokenSource) Invalidate(failed Value) {
	if ts != nil && ts.tokenSource != nil {
		ts.cache.Invalidate(failed)
	}
}

// tokenAnswer is the part of the 201 body a TokenSource reads.
type tokenAnswer struct {
	Token struct {
		ExpiresAt string `json:"expires_at"`
	} `json:"token"`
}

// fetch asks IAM for a new token.
func (ts *tokenSource) fetch(ctx context.Context) (Value, error) {
	fail := func(err error) (Value, error) {
		return Value{}, &Error{Source: iamSource, URL: ts.tokenURL, Err: err}
	}
	// nocatalog keeps the service catalog, tens of KiB, out of the answer.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.tokenURL+"?nocatalog=true", bytes.NewReader(ts.body.get()))
	if err != nil {
		return fail(errors.New("the IAM URL is not a valid URL"))
	}
	req.Header.Set("Content-Type", "application/json;charset=utf8")
	req.Header.Set("Accept", "application/json")
	// IAM does not echo the password or a token, but whatever sits in
	// front of it might, escaped or cut short.
	scrub := ts.scrub.get().With(ts.lastToken())
	resp, body, err := ask(ctx, ts.hc, req, maxIAMBody, scrub)
	if err != nil {
		return fail(err)
	}
	tok := resp.Header.Get("X-Subject-Token")
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Value{}, answerError(iamSource, ts.tokenURL, resp, body, scrub.With(tok), ts.cache.now())
	}
	if tok == "" {
		return fail(errors.New("answer has no X-Subject-Token header"))
	}
	if check.Token(tok) != "" {
		return fail(errors.New("X-Subject-Token is not a usable token (empty, too long, with control characters or surrounding spaces)"))
	}
	var ans tokenAnswer
	if err := json.Unmarshal(body, &ans); err != nil {
		return fail(errors.New("answer is not the token JSON document"))
	}
	exp, err := time.Parse(time.RFC3339Nano, ans.Token.ExpiresAt)
	if err != nil {
		return fail(errors.New("token.expires_at is missing or not an RFC 3339 time"))
	}
	ts.mu.Lock()
	ts.last = seal(tok)
	ts.mu.Unlock()
	return Value{Token: tok, Expires: exp, Source: iamSource}, nil
}

// lastToken returns the token IAM handed out last, to scrub from answers.
func (ts *tokenSource) lastToken() string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.last.get()
}
