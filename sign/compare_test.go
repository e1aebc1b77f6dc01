// Request against internal/sigcheck: random requests signed here verify there, and none does with a signed part changed.
package sign

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hsskit/hss/internal/sigcheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pieces build the decoded path segments, query keys and values of the
// random requests: unreserved characters, every delimiter, escapes' own
// '%', spaces and multi-byte UTF-8.
var pieces = []string{
	"a", "Z", "0", "9", "-", "_", ".", "~", " ", "+", "%", ":", "@", "!", "$", "'", "(", ")", "*", ",",
	";", "=", "&", "/", "?", "#", "[", "]", "\"", "<", ">", "\\", "^", "`", "{", "|", "}",
	"任务", "é", "ü", "😀", "\u00a0", "\t", "abc", "registry", "SwrPrivate,Harbor", "my reg",
}

// subDelims may travel raw in a path segment (RFC 3986 pchar).
const subDelims = "!$&'()*+,;=:@"

var methods = []string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", ""}

var hosts = []string{"hss.cn-north-4.myhuaweicloud.com", "h.example.com:8443", "127.0.0.1:9000", "[::1]:443", "xn--r8jz45g.jp"}

// randomCase is one random request and the key that signs it.
type randomCase struct {
	method   string
	rawURL   string
	header   http.Header
	body     []byte // nil: no body
	getBody  bool   // the body is a type http.NewRequest can rewind
	unsigned bool   // X-Sdk-Content-Sha256 is set, so the body is not hashed
	key      Key
	when     time.Time
}

func (c randomCase) String() string {
	return fmt.Sprintf("%s %s header=%v body=%q getBody=%v token=%v", c.method, c.rawURL, c.header, c.body, c.getBody, c.key.SecurityToken != "")
}

func randomText(rng *rand.Rand, maxPieces int) string {
	var b strings.Builder
	for range rng.IntN(maxPieces + 1) {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

// escapeByte writes c as a sender might: raw when it may be, else (or
// sometimes anyway) %-escaped with upper- or lower-case hex.
func escapeByte(rng *rand.Rand, b *strings.Builder, c byte, rawOK bool) {
	if rawOK && rng.IntN(5) > 0 {
		b.WriteByte(c)
		return
	}
	h := fmt.Sprintf("%%%02X", c)
	if rng.IntN(2) == 0 {
		h = strings.ToLower(h)
	}
	b.WriteString(h)
}

func escapePathSegment(rng *rand.Rand, seg string) string {
	var b strings.Builder
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		escapeByte(rng, &b, c, unreserved(c) || strings.IndexByte(subDelims, c) >= 0)
	}
	return b.String()
}

// escapeQuery escapes a key or value; '+' is a space in a query.
func escapeQuery(rng *rand.Rand, s string, isKey bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' && rng.IntN(2) == 0:
			b.WriteByte('+')
		case c == '=':
			escapeByte(rng, &b, c, !isKey) // only the first '=' of a pair separates
		case c == '&' || c == '#' || c == '%' || c == '+' || c == ';' || c == ' ':
			// ';' too: Go's server drops pairs holding a raw one.
			escapeByte(rng, &b, c, false)
		case c >= 0x80:
			escapeByte(rng, &b, c, rng.IntN(4) == 0) // raw UTF-8 at times
		default:
			escapeByte(rng, &b, c, c > ' ' && c < 0x7f && strings.IndexByte(`"<>\^`+"`{|}[]", c) < 0)
		}
	}
	return b.String()
}

func newRandomCase(rng *rand.Rand) randomCase {
	c := randomCase{method: methods[rng.IntN(len(methods))], header: http.Header{}}

	var path strings.Builder
	for range rng.IntN(7) {
		path.WriteByte('/')
		path.WriteString(escapePathSegment(rng, randomText(rng, 3)))
	}
	if rng.IntN(4) == 0 {
		path.WriteByte('/')
	}
	var query []string
	var keys []string
	for range rng.IntN(7) {
		k := randomText(rng, 2)
		if len(keys) > 0 && rng.IntN(3) == 0 {
			k = keys[rng.IntN(len(keys))] // a repeated key
		}
		keys = append(keys, k)
		pair := escapeQuery(rng, k, true)
		switch rng.IntN(6) {
		case 0: // a key without '='
		case 1:
			pair += "="
		default:
			pair += "=" + escapeQuery(rng, randomText(rng, 3), false)
		}
		query = append(query, pair)
		if rng.IntN(8) == 0 {
			query = append(query, "") // "&&"
		}
	}
	c.rawURL = "https://" + hosts[rng.IntN(len(hosts))] + path.String()
	if len(query) > 0 {
		c.rawURL += "?" + strings.Join(query, "&")
	}

	switch rng.IntN(5) {
	case 0: // no body
	case 1:
		c.body = []byte{}
	case 2:
		b := make([]byte, rng.IntN(300))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		c.body = b
	default:
		doc := map[string]any{}
		for range rng.IntN(5) {
			doc[randomText(rng, 2)] = randomText(rng, 4)
		}
		c.body, _ = json.Marshal(doc)
		c.header.Set("Content-Type", "application/json;charset=UTF-8")
	}
	c.getBody = rng.IntN(2) == 0

	if rng.IntN(2) == 0 {
		c.header.Set("X-Project-Id", fmt.Sprintf("%032x", rng.Uint64()))
	}
	if rng.IntN(2) == 0 {
		c.header.Set("User-Agent", "hss-go/1.0 (test; "+fmt.Sprint(rng.IntN(1000))+")")
	}
	for i := range rng.IntN(3) {
		v := randomText(rng, 4)
		v = strings.Map(func(r rune) rune { // header values hold no control characters
			if r < ' ' || r == 0x7f {
				return ' '
			}
			return r
		}, v)
		if rng.IntN(3) == 0 {
			v = "  " + v + " "
		}
		c.header.Set(fmt.Sprintf("X-Custom-%d", i), v)
	}
	if rng.IntN(6) == 0 {
		c.header["X_Underscore"] = []string{"not signed"}
	}
	if rng.IntN(6) == 0 { // left over from an earlier attempt
		c.header.Set("Authorization", "SDK-HMAC-SHA256 Access=OLD, SignedHeaders=host, Signature=00")
		c.header.Set(HeaderDate, "20000101T000000Z")
		c.header.Set(HeaderSecurityToken, "stale-token")
	}
	switch rng.IntN(6) {
	case 0:
		c.unsigned = true
		c.header.Set(HeaderContentSHA256, UnsignedPayload)
	case 1:
		sum := sha256.Sum256(c.body) // a hash the caller vouches for
		c.header.Set(HeaderContentSHA256, hex.EncodeToString(sum[:]))
	}

	const akChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	ak := make([]byte, 20)
	for i := range ak {
		ak[i] = akChars[rng.IntN(len(akChars))]
	}
	sk := make([]rune, 40)
	for i := range sk {
		sk[i] = rune('!' + rng.IntN(94))
	}
	if rng.IntN(5) == 0 {
		sk[rng.IntN(len(sk))] = 'é'
	}
	c.key = Key{AccessKey: string(ak), SecretKey: string(sk)}
	if rng.IntN(2) == 0 {
		tok := make([]byte, 50+rng.IntN(2000))
		const tokChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_"
		for i := range tok {
			tok[i] = tokChars[rng.IntN(len(tokChars))]
		}
		c.key.SecurityToken = string(tok)
	}
	c.when = vectorTime.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
	return c
}

// request builds the client's request for c.
func (c randomCase) request(t *testing.T) *http.Request {
	t.Helper()
	var body io.Reader
	if c.body != nil {
		body = strings.NewReader(string(c.body))
		if !c.getBody {
			body = onlyReader{body}
		}
	}
	req, err := http.NewRequest(c.method, c.rawURL, body)
	require.NoError(t, err, c)
	req.Method = c.method // "" stays "", which signs as GET
	for k, v := range c.header {
		req.Header[k] = v
	}
	return req
}

// tamper changes one signed part of the received request r; it says what.
func tamper(rng *rand.Rand, r *http.Request, c randomCase) string {
	for {
		switch rng.IntN(5) {
		case 0:
			r.URL.Path += "x"
			r.URL.RawPath = ""
			return "path"
		case 1:
			if r.URL.RawQuery != "" {
				r.URL.RawQuery += "&"
			}
			r.URL.RawQuery += "tampered=1"
			return "query"
		case 2:
			if r.Header.Get(HeaderContentSHA256) != "" {
				continue // the body is not signed
			}
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(strings.NewReader(string(body) + "!"))
			return "body"
		case 3:
			signed := strings.Split(authzSignedHeaders(r.Header.Get("Authorization")), ";")
			name := signed[rng.IntN(len(signed))]
			if name == "host" {
				r.Host = "evil." + r.Host
			} else {
				r.Header.Set(name, r.Header.Get(name)+"x")
			}
			return "header " + name
		case 4:
			if r.Method == http.MethodDelete {
				r.Method = http.MethodPut
			} else {
				r.Method = http.MethodDelete
			}
			return "method"
		}
	}
}

func authzSignedHeaders(authz string) string {
	m := authzPattern.FindStringSubmatch(authz)
	if m == nil {
		return "host"
	}
	return m[1]
}

// 500 random requests, signed by Request and sent over the wire, all
// verify with the independent verifier; each, with one signed part
// changed, does not.
func TestRequestAgreesWithSigcheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(20250101, 13))
	tampered := map[string]int{}
	for i := range 500 {
		c := newRandomCase(rng)
		req := c.request(t)
		require.NoError(t, Request(req, c.key, c.when), "case %d: %v", i, c)
		assert.Equal(t, c.key.SecurityToken, req.Header.Get(HeaderSecurityToken), "case %d", i)

		raw := wire(t, req)
		srv := receive(t, raw)
		ak, err := sigcheck.Verify(srv, lookup(c.key), c.when, skew)
		require.NoError(t, err, "case %d: %v", i, c)
		assert.Equal(t, c.key.AccessKey, ak)
		got, err := io.ReadAll(srv.Body)
		require.NoError(t, err)
		assert.Equal(t, string(c.body), string(got), "case %d: the body is sent whole", i)

		srv = receive(t, raw)
		what := tamper(rng, srv, c)
		tampered[strings.Fields(what)[0]]++
		_, err = sigcheck.Verify(srv, lookup(c.key), c.when, skew)
		require.Error(t, err, "case %d: %s changed, yet it verifies: %v", i, what, c)
		assert.NotContains(t, err.Error(), c.key.SecretKey)
	}
	for _, what := range []string{"path", "query", "body", "header", "method"} {
		assert.Greater(t, tampered[what], 20, "too few %s changes", what)
	}
}
