package sign

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Names and values of the scheme.
const (
	// Algorithm names the scheme in the Authorization header.
	Algorithm = "SDK-HMAC-SHA256"
	// DateFormat is the layout of X-Sdk-Date: basic ISO 8601, UTC.
	DateFormat = "20060102T150405Z"
	// HeaderDate carries the signing time.
	HeaderDate = "X-Sdk-Date"
	// HeaderSecurityToken carries the security token of temporary keys.
	HeaderSecurityToken = "X-Security-Token"
	// HeaderContentSHA256, when the caller sets it, replaces the body hash:
	// its value is signed as the hash and the body is not read.
	HeaderContentSHA256 = "X-Sdk-Content-Sha256"
	// UnsignedPayload is the value of HeaderContentSHA256 that signs a
	// request without hashing its body.
	UnsignedPayload = "UNSIGNED-PAYLOAD"
)

// emptyBodyHash is hex(SHA-256("")).
const emptyBodyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Request signs req in place with SDK-HMAC-SHA256 as of t: it sets
// X-Sdk-Date, X-Security-Token (temporary keys) and Authorization. A body is
// hashed and left readable (through GetBody, or buffered and restored).
// Header names are put in canonical form (x-project-id becomes
// X-Project-Id, several spellings become one), so that what is signed is
// what net/http sends; see the package documentation.
//
// The key is checked with Key.Validate first. A request that cannot be
// signed the way the gateway verifies it (a malformed %-escape, an opaque
// URL) gives an *Error; one whose host is not valid (empty, not ASCII: send
// its punycode form, or holding '/', a space and such) gives an *Error
// wrapping a *HostError. A refused request is left unsigned.
//
// A program that signs many requests with one key can check it once with
// NewSigner and sign with the Signer, which does not check it again.
func Request(req *http.Request, key Key, t time.Time) error {
	if err := key.Validate(); err != nil {
		return err
	}
	return request(req, key, t)
}

// Signer signs requests with one Key, checked by NewSigner once: Sign does
// not check it again, as Request does for every request, which for a
// temporary key means reading its security token of several kilobytes.
// A Signer is safe for concurrent use. It holds its key where fmt,
// encoding/json and log/slog do not reach it.
type Signer struct {
	// key is a func because fmt prints a func as an address under every
	// verb, where it would print the strings of a Key held by value.
	key func() Key
}

// NewSigner checks key with Key.Validate and returns a Signer of it, or
// the *KeyError that says what is wrong with it.
func NewSigner(key Key) (*Signer, error) {
	if err := key.Validate(); err != nil {
		return nil, err
	}
	return &Signer{key: func() Key { return key }}, nil
}

// Sign signs req in place as of t with the Signer's key, as Request does
// (see there), without checking the key again. A Signer that NewSigner
// did not make (nil, or the zero Signer) gives an *Error.
func (s *Signer) Sign(req *http.Request, t time.Time) error {
	if s == nil || s.key == nil {
		return &Error{Reason: "the Signer was not made by NewSigner"}
	}
	return request(req, s.key(), t)
}

// request is Request for a key already checked.
func request(req *http.Request, key Key, t time.Time) error {
	if req == nil || req.URL == nil {
		return &Error{Reason: "the request or its URL is nil"}
	}
	if req.URL.Opaque != "" {
		return &Error{Reason: "opaque URLs are not signed; set URL.Path"}
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	host, err := sentHost(host)
	if err != nil {
		return err
	}
	if !validEscapes(req.URL.RawQuery) { // checked first, so a refused request is left as it was
		return &Error{Reason: "malformed %-escape in the query"}
	}
	if req.Header == nil {
		req.Header = make(http.Header, 4)
	}
	canonicalizeNames(req.Header)
	bodyHash, err := bodyHash(req)
	if err != nil {
		return err
	}
	date := t.UTC().Format(DateFormat)
	req.Header[HeaderDate] = []string{date}
	if key.SecurityToken != "" {
		req.Header[HeaderSecurityToken] = []string{key.SecurityToken}
	} else {
		delete(req.Header, HeaderSecurityToken)
	}
	delete(req.Header, "Authorization")

	bp := scratchPool.Get().(*[]byte)
	defer putScratch(bp)
	headers := signedHeaders(req.Header, host)
	canonical, err := appendCanonicalRequest((*bp)[:0], req.Method, req.URL.Path, req.URL.RawQuery, headers, bodyHash)
	*bp = canonical
	if err != nil {
		return err
	}
	sum := sha256.Sum256(canonical)

	mac := hmac.New(sha256.New, []byte(key.SecretKey))
	mac.Write([]byte(Algorithm + "\n" + date + "\n"))
	var hexSum [2 * sha256.Size]byte
	hex.Encode(hexSum[:], sum[:])
	mac.Write(hexSum[:])
	var sig [2 * sha256.Size]byte
	hex.Encode(sig[:], mac.Sum(nil))

	var auth strings.Builder
	auth.Grow(len(Algorithm) + len(key.AccessKey) + 64 + 16*len(headers) + len(sig))
	auth.WriteString(Algorithm)
	auth.WriteString(" Access=")
	auth.WriteString(key.AccessKey)
	auth.WriteString(", SignedHeaders=")
	for i, h := range headers {
		if i > 0 {
			auth.WriteByte(';')
		}
		auth.WriteString(h.name)
	}
	auth.WriteString(", Signature=")
	auth.Write(sig[:])
	req.Header["Authorization"] = []string{auth.String()}
	return nil
}

// bodyHash returns the value signed as the body hash: X-Sdk-Content-Sha256
// as sent, when the request carries it, else the hash of the body.
func bodyHash(req *http.Request) (string, error) {
	if v := sentValue(req.Header.Get(HeaderContentSHA256)); v != "" {
		return v, nil
	}
	if req.Body == nil || req.Body == http.NoBody {
		return emptyBodyHash, nil
	}
	h := sha256.New()
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return "", &Error{Reason: "reading the body through GetBody", Err: err}
		}
		if rc == nil {
			return "", &Error{Reason: "GetBody returned no body"}
		}
		defer rc.Close()
		if _, err := io.Copy(h, rc); err != nil {
			return "", &Error{Reason: "reading the body through GetBody", Err: err}
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	// No way to read the body twice: buffer it and put it back.
	data, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return "", &Error{Reason: "reading the body", Err: err}
	}
	req.Body = io.NopCloser(bytes.NewReader(data))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	req.ContentLength = int64(len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// scratchPool recycles the buffers canonical requests are built in.
var scratchPool = sync.Pool{New: func() any {
	b := make([]byte, 0, 1024)
	return &b
}}

func putScratch(bp *[]byte) {
	if cap(*bp) <= 64<<10 { // one huge request must not pin memory
		scratchPool.Put(bp)
	}
}

// appendCanonicalRequest appends
//
//	method \n canonical URI \n canonical query \n canonical headers \n signed headers \n body hash
//
// to dst. path is the decoded path, rawQuery the query as sent.
func appendCanonicalRequest(dst []byte, method, path, rawQuery string, headers []header, bodyHash string) ([]byte, error) {
	if method == "" {
		method = http.MethodGet
	}
	dst = append(dst, method...)
	dst = append(dst, '\n')
	dst = appendCanonicalURI(dst, path)
	dst = append(dst, '\n')
	dst, err := appendCanonicalQuery(dst, rawQuery)
	if err != nil {
		return dst, err
	}
	dst = append(dst, '\n')
	for _, h := range headers {
		dst = append(dst, h.name...)
		dst = append(dst, ':')
		dst = append(dst, strings.TrimSpace(h.value)...)
		dst = append(dst, '\n')
	}
	dst = append(dst, '\n')
	for i, h := range headers {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, h.name...)
	}
	dst = append(dst, '\n')
	dst = append(dst, bodyHash...)
	return dst, nil
}

// appendCanonicalURI appends the canonical form of a decoded path: split at
// '/', each segment encoded keeping only unreserved characters, a '/' at the
// end. An escaped slash (%2F) in the URL is a '/' of the decoded path, so it
// separates segments here as it does for the gateway.
func appendCanonicalURI(dst []byte, path string) []byte {
	for i := 0; i < len(path); i++ {
		if c := path[i]; c == '/' {
			dst = append(dst, '/')
		} else {
			dst = appendEscaped(dst, c)
		}
	}
	if len(dst) == 0 || dst[len(dst)-1] != '/' {
		dst = append(dst, '/')
	}
	return dst
}

// queryPair is one query parameter as sent (still escaped).
type queryPair struct {
	key, value string
}

// appendCanonicalQuery appends the canonical query string: the parameters
// decoded ('+' is a space), sorted by key and then by value, encoded keeping
// only unreserved characters, joined with '&'. A key without '=' has an
// empty value.
func appendCanonicalQuery(dst []byte, rawQuery string) ([]byte, error) {
	if rawQuery == "" {
		return dst, nil
	}
	var stack [8]queryPair
	pairs := stack[:0]
	for rest := rawQuery; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if !validEscapes(k) || !validEscapes(v) {
			return dst, &Error{Reason: "malformed %-escape in the query"}
		}
		pairs = append(pairs, queryPair{k, v})
	}
	// Sorted by the decoded strings, as Huawei Cloud's signers sort.
	insertionSort(pairs, func(a, b queryPair) bool {
		if c := compareDecoded(a.key, b.key); c != 0 {
			return c < 0
		}
		return compareDecoded(a.value, b.value) < 0
	})
	for i, p := range pairs {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = appendReencoded(dst, p.key)
		dst = append(dst, '=')
		dst = appendReencoded(dst, p.value)
	}
	return dst, nil
}

// validEscapes reports whether every '%' in s starts a two-digit escape.
func validEscapes(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			if _, ok := unhexPair(s, i+1); !ok {
				return false
			}
			i += 2
		}
	}
	return true
}

// decodeAt decodes the query byte at s[i] ('+' is a space, %XX a byte) and
// returns the index after it. s has valid escapes.
func decodeAt(s string, i int) (byte, int) {
	switch s[i] {
	case '+':
		return ' ', i + 1
	case '%':
		b, _ := unhexPair(s, i+1)
		return b, i + 3
	}
	return s[i], i + 1
}

// compareDecoded compares the decoded forms of two escaped query strings.
func compareDecoded(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		var ca, cb byte
		ca, i = decodeAt(a, i)
		cb, j = decodeAt(b, j)
		if ca != cb {
			if ca < cb {
				return -1
			}
			return 1
		}
	}
	switch {
	case i < len(a):
		return 1
	case j < len(b):
		return -1
	}
	return 0
}

// appendReencoded decodes an escaped query string and appends its
// canonical encoding.
func appendReencoded(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		var c byte
		c, i = decodeAt(s, i)
		dst = appendEscaped(dst, c)
	}
	return dst
}

const upperHex = "0123456789ABCDEF"

// appendEscaped appends c, percent-encoded with upper-case hex unless it is
// one of A-Z a-z 0-9 - _ . ~.
func appendEscaped(dst []byte, c byte) []byte {
	if unreserved(c) {
		return append(dst, c)
	}
	return append(dst, '%', upperHex[c>>4], upperHex[c&0xf])
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// unhexPair decodes the two hex digits at s[i:i+2].
func unhexPair(s string, i int) (byte, bool) {
	if i+1 >= len(s) {
		return 0, false
	}
	hi, ok1 := unhex(s[i])
	lo, ok2 := unhex(s[i+1])
	return hi<<4 | lo, ok1 && ok2
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// isASCII reports whether s holds ASCII only.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// insertionSort sorts s stably by less: by insertion for the handful of
// headers and parameters a request usually carries, by merging for more.
// It keeps the standard library's generic sorts, several kilobytes each,
// out of the binary of every program that signs.
func insertionSort[T any](s []T, less func(a, b T) bool) {
	if len(s) > 16 {
		mid := len(s) / 2
		insertionSort(s[:mid], less)
		insertionSort(s[mid:], less)
		merged := make([]T, 0, len(s))
		i, j := 0, mid
		for i < mid && j < len(s) {
			if less(s[j], s[i]) {
				merged = append(merged, s[j])
				j++
			} else {
				merged = append(merged, s[i])
				i++
			}
		}
		merged = append(append(merged, s[i:mid]...), s[j:]...)
		copy(s, merged)
		return
	}
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && less(s[j], s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
