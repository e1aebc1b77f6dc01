package hss

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"
)

// Bounds on access keys. Huawei Cloud issues 20-character AKs and
// 40-character SKs; the bounds leave room without accepting garbage.
const (
	maxAKLen = 128
	maxSKLen = 256
)

// akskCredentials signs requests with SDK-HMAC-SHA256 (see signer.go).
type akskCredentials struct {
	ak, sk, securityToken string

	// clock dates signatures. bindable is set when an Option built these
	// credentials for one Client: only then may the Client's clock replace
	// the wall clock, so credentials a caller shares between Clients are
	// never changed behind its back.
	clock    Clock
	bindable bool

	// macs recycles HMAC-SHA256 states keyed with sk: hmac.New costs
	// several allocations per request otherwise.
	macs sync.Pool
}

// NewAKSKCredentials returns Credentials that sign every request with the
// access key ak and secret key sk (SDK-HMAC-SHA256, as API Gateway
// verifies it). For temporary keys pass the security token too; it is sent
// as X-Security-Token and signed. Pass "" for permanent keys.
//
// The credentials date signatures with the wall clock; WithAKSK and
// WithTemporaryAKSK use the Client's Clock instead. Errors never quote sk
// or the security token.
func NewAKSKCredentials(ak, sk, securityToken string) (Credentials, error) {
	return newAKSK(ak, sk, securityToken, realClock{})
}

func newAKSK(ak, sk, securityToken string, clk Clock) (*akskCredentials, error) {
	if err := checkAKSK(ak, sk, securityToken); err != nil {
		return nil, err
	}
	c := &akskCredentials{ak: ak, sk: sk, securityToken: securityToken, clock: clk}
	c.macs.New = func() any { return hmac.New(sha256.New, []byte(c.sk)) }
	return c, nil
}

// checkAKSK validates access keys; no reason ever quotes a secret.
func checkAKSK(ak, sk, securityToken string) error {
	// The AK goes into the Authorization header between ',' and '=', so
	// it is held to the characters access keys are made of.
	if len(ak) == 0 || len(ak) > maxAKLen {
		return &ValidationError{Field: "ak", Reason: fmt.Sprintf("must be 1-%d characters, got %d", maxAKLen, len(ak))}
	}
	for i := 0; i < len(ak); i++ {
		if c := ak[i]; !unreserved(c) || c == '~' {
			return &ValidationError{Field: "ak", Reason: "must hold only A-Z, a-z, 0-9, '-', '_' and '.'"}
		}
	}
	if n := utf8.RuneCountInString(sk); n == 0 || n > maxSKLen {
		return &ValidationError{Field: "sk", Reason: fmt.Sprintf("must be 1-%d characters, got %d", maxSKLen, n)}
	}
	if err := checkSecret("sk", sk); err != nil {
		return err
	}
	if securityToken == "" {
		return nil
	}
	if len(securityToken) > maxTokenLen {
		return &ValidationError{Field: "X-Security-Token", Reason: fmt.Sprintf("must be 1-%d characters, got %d", maxTokenLen, len(securityToken))}
	}
	return checkSecret("X-Security-Token", securityToken)
}

// checkSecret rejects what breaks a header or is a copy-paste accident
// (a trailing newline or space), without quoting the value.
func checkSecret(field, v string) error {
	if !utf8.ValidString(v) {
		return &ValidationError{Field: field, Reason: "must be valid UTF-8"}
	}
	if hasControl(v) {
		return &ValidationError{Field: field, Reason: "must not contain control characters"}
	}
	if strings.TrimSpace(v) != v {
		return &ValidationError{Field: field, Reason: "must not start or end with white space"}
	}
	return nil
}

// WithAKSK signs every request with a permanent access key (AK) and secret
// key (SK), dated by the Client's Clock. Bad keys make NewClient fail with a
// *ValidationError that never quotes sk.
func WithAKSK(ak, sk string) Option {
	return func(c *Client) error {
		cr, err := newAKSK(ak, sk, "", realClock{})
		if err != nil {
			return err
		}
		cr.bindable = true
		c.creds = cr
		return nil
	}
}

// WithTemporaryAKSK signs every request with a temporary access key and
// sends its security token as X-Security-Token (signed too). The token is
// required; for permanent keys use WithAKSK. Temporary keys expire: for keys
// that renew themselves on an ECS, see NewMetadataCredentials.
func WithTemporaryAKSK(ak, sk, securityToken string) Option {
	return func(c *Client) error {
		if securityToken == "" {
			return &ValidationError{Field: "X-Security-Token", Reason: "must not be empty for temporary keys; use WithAKSK for permanent ones"}
		}
		cr, err := newAKSK(ak, sk, securityToken, realClock{})
		if err != nil {
			return err
		}
		cr.bindable = true
		c.creds = cr
		return nil
	}
}

// bindClock lets the Client that built these credentials date signatures
// with its own Clock.
func (c *akskCredentials) bindClock(clk Clock) {
	if c.bindable {
		c.clock = clk
	}
}

// Authenticate sets X-Sdk-Date, X-Security-Token (temporary keys) and
// Authorization. It signs Host, X-Project-Id (when present), X-Sdk-Date and
// X-Security-Token with a fresh date on every call, so a retried request
// carries a new signature.
func (c *akskCredentials) Authenticate(_ context.Context, req *http.Request) error {
	if req == nil || req.URL == nil {
		return &ValidationError{Field: "request", Reason: "must not be nil"}
	}
	bodyHash, err := bodySHA256(req)
	if err != nil {
		return err
	}
	if req.Header == nil {
		req.Header = make(http.Header, 4)
	}
	var dateBuf [len(sdkDateLayout)]byte
	date := string(c.clock.Now().UTC().AppendFormat(dateBuf[:0], sdkDateLayout))

	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	var stack [4]sigHeader
	hs := append(stack[:0], sigHeader{"host", host})
	if v := req.Header["X-Project-Id"]; len(v) > 0 {
		hs = append(hs, sigHeader{"x-project-id", strings.Join(v, ",")})
	}
	hs = append(hs, sigHeader{"x-sdk-date", date})
	if c.securityToken != "" {
		hs = append(hs, sigHeader{"x-security-token", c.securityToken})
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}

	bp := scratchPool.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxPooledScratch {
			scratchPool.Put(bp)
		}
	}()
	buf, err := appendCanonicalRequest((*bp)[:0], method, req.URL.EscapedPath(), req.URL.RawQuery, hs, bodyHash)
	*bp = buf
	if err != nil {
		return &signError{reason: err.Error()}
	}
	crHash := sha256.Sum256(buf)
	mac := c.macs.Get().(hash.Hash)
	sig, buf := signature(mac, date, crHash, buf)
	c.macs.Put(mac)
	*bp = buf

	var auth strings.Builder
	auth.Grow(len(signAlgorithm) + len(c.ak) + 80 + len(sig))
	auth.WriteString(signAlgorithm)
	auth.WriteString(" Access=")
	auth.WriteString(c.ak)
	auth.WriteString(", SignedHeaders=")
	auth.Write(appendSignedHeaders(buf[:0], hs))
	auth.WriteString(", Signature=")
	auth.Write(sig[:])

	// One backing array for the three header values.
	vals := [3]string{date, auth.String(), c.securityToken}
	hv := vals[:]
	req.Header["X-Sdk-Date"] = hv[0:1:1]
	req.Header["Authorization"] = hv[1:2:2]
	if c.securityToken != "" {
		req.Header["X-Security-Token"] = hv[2:3:3]
	}
	return nil
}

// bodySHA256 returns the hex SHA-256 of the request body without consuming
// it: the body is read through GetBody, which http.NewRequest sets for
// in-memory bodies.
func bodySHA256(req *http.Request) (string, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return emptyBodyHash, nil
	}
	if req.GetBody == nil {
		return "", &signError{reason: "the request body cannot be read twice (GetBody is nil)"}
	}
	rc, err := req.GetBody()
	if err != nil {
		return "", &signError{reason: "reading the body: " + err.Error()}
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", &signError{reason: "reading the body: " + err.Error()}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// signError says a request cannot be signed; sending it again would not
// help, so the Client does not retry.
type signError struct {
	reason string
}

// Error says why the request could not be signed, never with a secret.
func (e *signError) Error() string { return "hss: cannot sign request: " + e.reason }

// NonRetryable reports true: the same request fails the same way.
func (e *signError) NonRetryable() bool { return true }

// Format prints the AK (an identifier, sent in clear in every request) and
// keeps the SK and security token out of every fmt verb.
func (c *akskCredentials) Format(f fmt.State, _ rune) {
	tok := "none"
	if c.securityToken != "" {
		tok = redacted
	}
	fmt.Fprintf(f, "hss.AKSKCredentials{ak: %s, sk: %s, security_token: %s}", c.ak, redacted, tok)
}

var _ clockBinder = (*akskCredentials)(nil)
