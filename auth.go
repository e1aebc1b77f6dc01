package hss

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/internal/check"
	"github.com/hsskit/hss/internal/secret"
	"github.com/hsskit/hss/sign"
)

// WithToken authenticates every request with an IAM user token sent as
// X-Auth-Token. A token that is empty, longer than 32,768 bytes, not valid
// UTF-8, or with control characters or surrounding white space makes the
// constructor fail.
func WithToken(token string) Option {
	return func(c *config) error {
		if reason := check.Token(token); reason != "" {
			return &ValidationError{Field: "X-Auth-Token", Reason: reason}
		}
		return c.setStatic(credentials.Value{Token: token, Source: "WithToken"})
	}
}

// WithAKSK signs every request with a permanent access key (AK) and secret
// key (SK), on the gateway's clock as its answers tell it, for a local
// clock off by up to sign.MaxOffset (24 hours; see the package doc). Bad
// keys make the constructor fail with a *ValidationError that never quotes
// sk.
func WithAKSK(ak, sk string) Option {
	return func(c *config) error {
		return c.setKey(credentials.Value{AccessKey: ak, SecretKey: sk, Source: "WithAKSK"})
	}
}

// WithTemporaryAKSK signs every request with a temporary access key and
// sends its security token as X-Security-Token (signed too). The token is
// required; for permanent keys use WithAKSK. Temporary keys expire: for keys
// that renew themselves on an ECS, see credentials.NewMetadata.
func WithTemporaryAKSK(ak, sk, securityToken string) Option {
	return func(c *config) error {
		if securityToken == "" {
			return &ValidationError{Field: "X-Security-Token", Reason: "must not be empty for temporary keys; use WithAKSK for permanent ones"}
		}
		return c.setKey(credentials.Value{AccessKey: ak, SecretKey: sk, SecurityToken: securityToken, Source: "WithTemporaryAKSK"})
	}
}

// setKey checks an access key and makes it the credentials.
func (c *config) setKey(v credentials.Value) error {
	if err := v.Key().Validate(); err != nil {
		var ke *sign.KeyError
		if errors.As(err, &ke) {
			return &ValidationError{Field: keyFields[ke.Field], Reason: ke.Reason}
		}
		return err
	}
	c.signer = newKeySigner
	return c.setStatic(v)
}

// keySigner signs attempts with an access key, on the gateway's clock as
// learned from its answers. A Client gets one from the options that can
// hand out keys, so that a program that only ever uses WithToken links
// neither the signer nor the clock correction.
type keySigner interface {
	// sign signs req with the access key of v, at the gateway's time when
	// the Client's clock reads now, and returns the offset from the
	// Client's clock it signed with.
	sign(req *http.Request, v credentials.Value, now time.Time) (time.Duration, error)
	// learn reads the gateway's clock from an answer to a request signed
	// with offset used (body being the start of an error answer's body),
	// and logs a new offset once, at info. When the answer refused the
	// signature's date, again reports that the offset changed since, so
	// that signing again may get through; else why says why the Client
	// cannot correct its clock.
	learn(ctx context.Context, resp *http.Response, body []byte, now time.Time, used time.Duration) (again bool, why string)
	// attach puts v in req's context, so that a redirect the Client
	// follows is signed again (see Client.resign).
	attach(req *http.Request, v credentials.Value) *http.Request
}

// newKeySigner is the keySigner of a Client that logs to logger.
func newKeySigner(logger *slog.Logger) keySigner { return &skewedSigner{logger: logger} }

// skewedSigner is a keySigner on a sign.Skew. It keeps the sign.Signer of
// the key it signed with last, so that a key is checked once, when it
// comes, and not on every attempt.
type skewedSigner struct {
	skew   sign.Skew
	logger *slog.Logger // may be nil
	last   atomic.Pointer[signerEntry]
}

// signerEntry is the sign.Signer of a credentials value.
type signerEntry struct {
	v credentials.Value
	s *sign.Signer
}

func (s *skewedSigner) sign(req *http.Request, v credentials.Value, now time.Time) (time.Duration, error) {
	e := s.last.Load()
	if e == nil || e.v != v {
		signer, err := sign.NewSigner(v.Key())
		if err != nil {
			return 0, err
		}
		e = &signerEntry{v: v, s: signer}
		s.last.Store(e)
	}
	off := s.skew.Offset()
	return off, e.s.Sign(req, now.Add(off))
}

func (s *skewedSigner) learn(ctx context.Context, resp *http.Response, body []byte, now time.Time, used time.Duration) (bool, string) {
	if s.skew.Learn(now, resp, body) && s.logger != nil {
		s.logger.LogAttrs(ctx, slog.LevelInfo, "hss: the gateway's clock is off from this one; signing on the gateway's",
			slog.String("offset", s.skew.Offset().String()))
	}
	if !sign.SignatureExpired(resp, body) {
		return false, ""
	}
	if s.skew.Offset() != used {
		return true, ""
	}
	return false, uncorrectable(resp, body, now, used)
}

// uncorrectable says why a refusal of the signature's date that taught no
// new offset cannot be helped by signing again.
func uncorrectable(resp *http.Response, body []byte, now time.Time, used time.Duration) string {
	gw, ok := sign.GatewayTime(resp, body)
	if !ok {
		return fmt.Sprintf("the gateway refused the signature's date without telling its own time, so the SDK, which corrects a clock off by up to %s (sign.MaxOffset), cannot correct this one: check that it is right",
			sign.MaxOffset)
	}
	off := gw.Sub(now)
	if off.Abs() > sign.MaxOffset {
		side := "behind"
		if off < 0 {
			side = "ahead of"
		}
		return fmt.Sprintf("this machine's clock is %s %s the gateway's, more than the %s the SDK corrects (sign.MaxOffset): set it right",
			off.Abs().Round(time.Minute), side, sign.MaxOffset)
	}
	return fmt.Sprintf("the gateway refused a signature dated by its own clock as its answers tell it (%s from this machine's)", used)
}

func (s *skewedSigner) attach(req *http.Request, v credentials.Value) *http.Request {
	return req.WithContext(context.WithValue(req.Context(), credsKey{}, v))
}

// keyFields are the names a *ValidationError gives the parts of a key.
var keyFields = map[string]string{"AccessKey": "ak", "SecretKey": "sk", "SecurityToken": "X-Security-Token"}

func (c *config) setStatic(v credentials.Value) error {
	s, err := credentials.NewStatic(v)
	if err != nil {
		return err
	}
	c.creds = s
	return nil
}

// WithCredentials authenticates every request with what cr hands out: an
// IAM token (sent as X-Auth-Token) or an access key (the Client signs each
// attempt with SDK-HMAC-SHA256 on the gateway's clock). Every provider of
// package credentials is one; bring your own (a vault, a parent SDK's
// session) by implementing credentials.Provider. On 401 APIGW.0307 the
// Client calls cr's Invalidate, when it is a credentials.Invalidator, and
// retries once if cr then hands out other credentials. A nil cr, or a nil
// pointer in cr, is a *ValidationError.
func WithCredentials(cr credentials.Provider) Option {
	return func(c *config) error {
		if isNil(cr) {
			return &ValidationError{Field: "WithCredentials", Reason: "must not be nil"}
		}
		c.creds, c.signer = cr, newKeySigner
		return nil
	}
}

// WithGetenv makes NewClientFromEnv read variables through getenv instead of
// the process environment: a command-line tool lays its flags over the
// environment this way, and a test passes a map. The chain then reads
// nothing getenv does not give (see credentials.Chain): no home directory
// unless getenv gives HOME, no ECS metadata unless it gives
// HSS_NO_METADATA=false. It is an option of NewClientFromEnv only: given
// to NewClient, which reads no environment, it is a *ValidationError.
func WithGetenv(getenv func(key string) string) Option {
	return func(c *config) error {
		if getenv == nil {
			return &ValidationError{Field: "WithGetenv", Reason: "must not be nil"}
		}
		c.getenv = getenv
		return nil
	}
}

// NewClientFromEnv returns a Client configured from the environment, the
// way the official Huawei Cloud SDKs find their settings.
//
// Endpoint: $HSS_ENDPOINT, else RegionEndpoint of $HSS_REGION, else of
// $HUAWEICLOUD_SDK_REGION.
//
// Project: $HUAWEICLOUD_SDK_PROJECT_ID, else project_id in the credentials
// file.
//
// Credentials: the first source of a credentials.Chain that has them
// ($HSS_TOKEN; $HUAWEICLOUD_SDK_AK and _SK; the credentials file; ECS
// metadata, asked within ctx and at most 3 seconds). Options win: given
// WithToken, WithAKSK, WithTemporaryAKSK or WithCredentials, the chain is
// not searched. Options are applied once, in any order (of several
// credential options, the last wins).
//
// A missing endpoint or project is a *ValidationError naming the variables
// to set; a half-set source is a *credentials.ConfigError; when no source
// has credentials the error wraps credentials.ErrNoCredentials and names
// every place looked at. No error names a secret.
func NewClientFromEnv(ctx context.Context, opts ...Option) (*Client, error) {
	if ctx == nil {
		return nil, &ValidationError{Field: "ctx", Reason: "must not be nil; use context.Background()"}
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	getenv := cfg.getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	read := func(name string) string { return strings.TrimSpace(getenv(name)) }
	endpoint := read(credentials.EnvEndpoint)
	if endpoint == "" {
		for _, name := range []string{credentials.EnvRegion, credentials.EnvSDKRegion} {
			if r := read(name); r != "" {
				var ve *ValidationError
				if endpoint, err = RegionEndpoint(r); errors.As(err, &ve) {
					return nil, &ValidationError{Field: "$" + name, Reason: ve.Reason}
				}
				break
			}
		}
	}
	if endpoint == "" {
		return nil, &ValidationError{Field: "endpoint", Reason: fmt.Sprintf("not set: set $%s, $%s or $%s",
			credentials.EnvEndpoint, credentials.EnvRegion, credentials.EnvSDKRegion)}
	}
	// A bad endpoint is reported before credentials are looked for.
	if err := (&Client{cfg: cfg}).setEndpoint(endpoint); err != nil {
		return nil, err
	}
	chain := &credentials.Chain{Getenv: cfg.getenv, Metadata: credentials.MetadataConfig{Now: cfg.clock.Now}, Logger: cfg.logger}
	project := read(credentials.EnvProjectID)
	if project == "" {
		p, err := chain.Profile()
		if err != nil {
			return nil, err
		}
		if p != nil {
			project = p.ProjectID
		}
		if project == "" {
			return nil, &ValidationError{Field: "project_id", Reason: fmt.Sprintf("not set: set $%s or project_id in [basic] of %s",
				credentials.EnvProjectID, chain.ProfilePath())}
		}
	}
	if cfg.creds == nil {
		if cfg.creds, err = chain.Provider(ctx); err != nil {
			return nil, err
		}
		cfg.signer = newKeySigner
	}
	return newClient(endpoint, project, cfg)
}

// credentials returns what the Client's credentials source hands out,
// checked once per value: the source checked a static value when the
// Client was made.
func (c *Client) credentials(ctx context.Context) (credentials.Value, error) {
	v, err := c.cfg.creds.Retrieve(ctx)
	if err != nil {
		return credentials.Value{}, err
	}
	if !c.static {
		if last := c.validated.Load(); last == nil || *last != v {
			if err := v.Validate(); err != nil {
				return credentials.Value{}, err
			}
			c.validated.Store(&v)
		}
	}
	return v, nil
}

// authorize adds v to req: X-Auth-Token for a token, an SDK-HMAC-SHA256
// signature dated by the gateway's clock (the Client's, corrected by what
// answers told of the gateway's) for a key. It returns the offset from the
// Client's clock a signature was dated with.
func (c *Client) authorize(req *http.Request, v credentials.Value) (time.Duration, error) {
	if v.Token != "" {
		req.Header["X-Auth-Token"] = []string{v.Token}
		return 0, nil
	}
	if c.signer == nil { // a token Client never gets a key; say so if one comes
		return 0, &credentials.ConfigError{Source: v.Source, Reason: "an access key where a token was expected"}
	}
	return c.signer.sign(req, v, c.cfg.clock.Now())
}

// credsKey carries, in an attempt's context, the access key it was signed
// with, so that a redirect the Client follows is signed again.
type credsKey struct{}

// resign signs again a request that a redirect made from one the Client
// signed: its method, path and query are new.
func (c *Client) resign(req *http.Request) error {
	v, ok := req.Context().Value(credsKey{}).(credentials.Value)
	if !ok || c.signer == nil {
		return nil
	}
	req.Header.Del("Authorization")
	req.Header.Del(sign.HeaderDate)
	_, err := c.signer.sign(req, v, c.cfg.clock.Now())
	return err
}

// scrubCache keeps the scrubber of the credentials last used, so that an
// answer is checked for echoed secrets without rebuilding their forms on
// every call, and the idFilter of the credentials last used.
type scrubCache struct {
	last   atomic.Pointer[scrubEntry]
	filter atomic.Pointer[idFilter]
}

type scrubEntry struct {
	v credentials.Value
	s *secret.Scrubber
}

// renewCredentials drops failed, which the service refused as expired, and
// reports whether the Client's credentials source then hands out other
// credentials. A source that renews at most once in a while (see
// credentials.RefusalWindow) hands out the same ones, and the call stops.
func (c *Client) renewCredentials(ctx context.Context, failed credentials.Value) bool {
	inv, ok := c.cfg.creds.(credentials.Invalidator)
	if !ok {
		return false
	}
	inv.Invalidate(failed)
	fresh, err := c.cfg.creds.Retrieve(ctx)
	return err != nil || fresh != failed // an error is the next attempt's to report
}

// lastCredentials returns the credentials the Client used last, for
// scrubbing what it reports before an attempt.
func (c *Client) lastCredentials() credentials.Value {
	if s, ok := c.cfg.creds.(*credentials.Static); ok {
		v, _ := s.Retrieve(context.Background())
		return v
	}
	if v := c.validated.Load(); v != nil {
		return *v
	}
	return credentials.Value{}
}

// cleanRequestID scrubs and cleans a request id an answer gave. A request
// id is read from every answer, and a scrubber's index would cost more than
// the rest of a call's work on the answer, so one is built only when the
// id may hold a secret: the signature's (by full) when the id shares a
// piece with the signature, the credentials' when the idFilter of v cannot
// tell the id clear of them.
func (c *Client) cleanRequestID(id string, v credentials.Value, sent http.Header, full func() *secret.Scrubber) string {
	if sig := signatureOf(sent); sig != "" && holdsPieceOf(id, sig) {
		return secret.Text(id, full(), maxRequestIDLen)
	}
	if c.idFilter(v).clear(id) {
		return secret.Clean(id, maxRequestIDLen)
	}
	return secret.Text(id, c.scrubber(v, nil), maxRequestIDLen)
}

// idFilter returns the idFilter of v, made once per credentials value.
func (c *Client) idFilter(v credentials.Value) *idFilter {
	f := c.scrubs.filter.Load()
	if f == nil || f.v != v {
		f = newIDFilter(v)
		c.scrubs.filter.Store(f)
	}
	return f
}

// idFilter tells whether a request id of the shape the gateway gives (hex
// digits and dashes: 32 hex digits, a UUID) is clear of the secrets of one
// credentials value, without the Scrubber's index.
//
// Unless a secret is shorter than 8 bytes (secret.MinLen), which a
// Scrubber looks for whole, a Scrubber finds nothing in an id shorter than
// that, and in an id of the gateway's shape only a run of 8 bytes or more
// of hex digits and dashes that is in a form of a secret. In every form
// the Scrubber knows (the secret as it is, JSON-, URL- and \u-escaped),
// such a run is the last hex digits of one escape (4 at most: the "00e9"
// of \u00e9, the "C3" of %C3), then characters of the secret as they are:
// an escape starts with '\' or '%', which ends the run. So bytes 5 to 8 of
// any 8 bytes of such a run are 4 bytes of the secret, from a run of hex
// digits and dashes in it; grams has the bit of each of those set. Two
// grams may share a bit: an id that holds the other then gets a scrubber
// it did not need, no more.
type idFilter struct {
	v     credentials.Value
	short bool // a secret is shorter than secret.MinLen: the filter clears nothing
	grams [gramBits / 64]uint64
}

// gramBits is the number of bits an idFilter sets grams in: for an IAM
// token of 8 KiB, about one id in twenty-five of the gateway's shape needs
// the scrubber when it need not.
const (
	gramShift = 16
	gramBits  = 1 << gramShift
)

// newIDFilter makes the idFilter of v's secrets.
func newIDFilter(v credentials.Value) *idFilter {
	f := &idFilter{v: v}
	for _, s := range []string{v.Token, v.SecretKey, v.SecurityToken} {
		if s != "" && len(s) < secret.MinLen {
			f.short = true
		}
		run := 0 // length of the run of hex digits and dashes ending at s[i]
		for i := 0; i < len(s); i++ {
			if !hexOrDash(s[i]) {
				run = 0
				continue
			}
			if run++; run >= 4 {
				g := gramBit(s[i-3 : i+1])
				f.grams[g/64] |= 1 << (g % 64)
			}
		}
	}
	return f
}

// clear reports whether id is sure to hold none of the secrets: it is
// shorter than secret.MinLen, or made of hex digits and dashes with no 8
// bytes of it ending in 4 bytes whose bit is set in grams.
func (f *idFilter) clear(id string) bool {
	if f.short {
		return false
	}
	if len(id) < secret.MinLen {
		return true
	}
	for i := 0; i < len(id); i++ {
		if !hexOrDash(id[i]) {
			return false
		}
	}
	for i := 4; i+4 <= len(id); i++ {
		if g := gramBit(id[i : i+4]); f.grams[g/64]&(1<<(g%64)) != 0 {
			return false
		}
	}
	return true
}

func hexOrDash(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' || c == '-'
}

// gramBit is the bit of the 4 bytes of s in an idFilter.
func gramBit(s string) uint32 {
	g := uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
	return g * 0x9E3779B1 >> (32 - gramShift) // Fibonacci hashing onto gramBits
}

// signatureOf is the signature of an SDK-HMAC-SHA256 Authorization header
// in h, or "".
func signatureOf(h http.Header) string {
	auth := h.Get("Authorization")
	if i := strings.LastIndex(auth, "Signature="); i >= 0 {
		return auth[i+len("Signature="):]
	}
	return ""
}

// holdsPieceOf reports whether text may hold a piece of secret.MinLen
// bytes of the hex string s, in any case or \u-escaped: an echo the
// scrubber would find.
func holdsPieceOf(text, s string) bool {
	if strings.Contains(text, `\u`) || strings.Contains(text, `\U`) {
		return true // an escaped form: let the scrubber look
	}
	lower := strings.ToLower(text)
	for i := 0; i+secret.MinLen <= len(lower); i++ {
		if strings.Contains(s, lower[i:i+secret.MinLen]) {
			return true
		}
	}
	return false
}

// scrubber returns a Scrubber for the secrets of v and of the signature
// in sent (an Authorization header), if any.
func (c *Client) scrubber(v credentials.Value, sent http.Header) *secret.Scrubber {
	e := c.scrubs.last.Load()
	if e == nil || e.v != v {
		e = &scrubEntry{v: v, s: secret.NewScrubber(v.Token, v.SecretKey, v.SecurityToken)}
		c.scrubs.last.Store(e)
	}
	if sig := signatureOf(sent); sig != "" {
		return e.s.WithHex(sig)
	}
	return e.s
}
