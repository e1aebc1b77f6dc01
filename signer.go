package hss

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"slices"
	"strings"
	"sync"
)

// The SDK-HMAC-SHA256 scheme of Huawei Cloud API Gateway. This file holds
// the pure signing core: no clock, no http.Request, so tests can feed it the
// published vectors. aksk.go wraps it into Credentials.

const (
	signAlgorithm = "SDK-HMAC-SHA256"
	// sdkDateLayout is the X-Sdk-Date format: basic ISO 8601, UTC.
	sdkDateLayout = "20060102T150405Z"
	// emptyBodyHash is hex(SHA-256("")), the body hash of every GET.
	emptyBodyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// sigHeader is one header that takes part in a signature. name must be
// lower-case; value is used trimmed of surrounding white space.
type sigHeader struct {
	name, value string
}

// queryPair is one query parameter as sent (still escaped).
type queryPair struct {
	key, value string
}

// scratchPool recycles the buffers canonical requests are built in; a
// request to this API needs about 400 bytes.
var scratchPool = sync.Pool{New: func() any {
	b := make([]byte, 0, 1024)
	return &b
}}

// maxPooledScratch keeps one huge request from pinning memory in the pool.
const maxPooledScratch = 64 << 10

// errBadEscape is returned for a path or query with a malformed %-escape:
// such a request cannot be signed the way the gateway will check it.
var errBadEscape = errors.New("malformed %-escape")

// appendCanonicalRequest appends the canonical request to dst:
//
//	method \n canonical URI \n canonical query \n canonical headers \n signed headers \n body hash
//
// escapedPath is the path as sent on the wire, rawQuery the query as sent
// (without '?'), bodyHash the hex SHA-256 of the body. headers is sorted in
// place by name; names must be lower-case and distinct.
func appendCanonicalRequest(dst []byte, method, escapedPath, rawQuery string, headers []sigHeader, bodyHash string) ([]byte, error) {
	dst = append(dst, method...)
	dst = append(dst, '\n')
	dst, err := appendCanonicalURI(dst, escapedPath)
	if err != nil {
		return dst, err
	}
	dst = append(dst, '\n')
	if dst, err = appendCanonicalQuery(dst, rawQuery); err != nil {
		return dst, err
	}
	dst = append(dst, '\n')
	slices.SortFunc(headers, func(a, b sigHeader) int { return strings.Compare(a.name, b.name) })
	for i, h := range headers {
		if i > 0 && headers[i-1].name == h.name {
			return dst, errors.New("header " + h.name + " listed twice")
		}
		dst = append(dst, h.name...)
		dst = append(dst, ':')
		dst = append(dst, strings.TrimSpace(h.value)...)
		dst = append(dst, '\n')
	}
	dst = append(dst, '\n')
	dst = appendSignedHeaders(dst, headers)
	dst = append(dst, '\n')
	dst = append(dst, bodyHash...)
	return dst, nil
}

// appendSignedHeaders appends the ';'-joined names of sorted headers.
func appendSignedHeaders(dst []byte, headers []sigHeader) []byte {
	for i, h := range headers {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, h.name...)
	}
	return dst
}

// appendCanonicalURI appends the canonical form of an escaped path: each
// '/'-separated segment decoded and re-encoded keeping only unreserved
// characters, with a '/' at the end. Re-encoding makes the result depend
// only on the path's meaning, not on which characters the sender chose to
// escape (Go leaves ':' and '@' alone, the gateway's reference signer does
// not). An escaped '/' (%2F) stays inside its segment.
func appendCanonicalURI(dst []byte, escapedPath string) ([]byte, error) {
	if escapedPath == "" {
		return append(dst, '/'), nil
	}
	for i := 0; i < len(escapedPath); i++ {
		c := escapedPath[i]
		switch {
		case c == '/':
			dst = append(dst, '/')
			continue
		case c == '%':
			b, ok := unhexPair(escapedPath, i+1)
			if !ok {
				return dst, errBadEscape
			}
			c = b
			i += 2
		}
		dst = appendEscapedByte(dst, c)
	}
	if dst[len(dst)-1] != '/' {
		dst = append(dst, '/')
	}
	return dst, nil
}

// appendCanonicalQuery appends the canonical query string: the raw query
// decoded (as a form: '+' is a space), sorted by key and then by value,
// re-encoded keeping only unreserved characters, joined with '&'. A key
// without '=' gets an empty value. Parameters are compared and re-encoded
// straight from their escaped form, so nothing is allocated for them.
func appendCanonicalQuery(dst []byte, rawQuery string) ([]byte, error) {
	if rawQuery == "" {
		return dst, nil
	}
	// Most requests have few parameters: keep them on the stack.
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
			return dst, errBadEscape
		}
		pairs = append(pairs, queryPair{k, v})
	}
	// Sort by the decoded strings, as Huawei Cloud's signers do: sorting the
	// encoded forms would order "a." and "a/" the other way round.
	slices.SortFunc(pairs, func(a, b queryPair) int {
		if c := compareDecoded(a.key, b.key); c != 0 {
			return c
		}
		return compareDecoded(a.value, b.value)
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
// returns the index after it. s must have valid escapes.
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

// compareDecoded compares the decoded forms of two escaped query strings
// byte by byte, like strings.Compare on the decoded strings.
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

// appendReencoded decodes an escaped query string and appends it encoded
// the canonical way.
func appendReencoded(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		var c byte
		c, i = decodeAt(s, i)
		dst = appendEscapedByte(dst, c)
	}
	return dst
}

const upperHex = "0123456789ABCDEF"

// appendEscapedByte appends c, percent-encoded (upper-case hex) unless it
// is one of A-Z a-z 0-9 - _ . ~.
func appendEscapedByte(dst []byte, c byte) []byte {
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

// signature returns hex(HMAC-SHA256(SK, StringToSign)) where StringToSign is
// "SDK-HMAC-SHA256\n" + sdkDate + "\n" + hex(canonicalRequestHash). mac must
// be an HMAC-SHA256 keyed with the SK; it is reset before use. scratch is
// a buffer the string to sign may be built in; the grown buffer is returned.
func signature(mac hash.Hash, sdkDate string, canonicalRequestHash [sha256.Size]byte, scratch []byte) (sig [2 * sha256.Size]byte, _ []byte) {
	s := append(scratch[:0], signAlgorithm...)
	s = append(s, '\n')
	s = append(s, sdkDate...)
	s = append(s, '\n')
	s = hex.AppendEncode(s, canonicalRequestHash[:])
	mac.Reset()
	mac.Write(s)
	// Sum appends to the scratch buffer: a local array would escape
	// through the hash.Hash interface.
	s = mac.Sum(s)
	hex.Encode(sig[:], s[len(s)-sha256.Size:])
	return sig, s
}
