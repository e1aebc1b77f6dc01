package hss

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// newRequest builds the http.Request of cl without parsing a URL string.
func (c *Client) newRequest(ctx context.Context, cl *call) *http.Request {
	h := make(http.Header, 8+len(cl.header))
	for k, vs := range cl.header {
		h[k] = append([]string(nil), vs...)
	}
	// One array holds the values of the headers the Client sets.
	vals := make([]string, 4)
	vals[0], vals[1], vals[2] = c.cfg.userAgent, "application/json", c.projectID
	h["User-Agent"], h["X-Project-Id"] = vals[0:1:1], vals[2:3:3]
	if _, ok := cl.header["Accept"]; !ok { // the caller's Accept (Do) wins
		h["Accept"] = vals[1:2:2]
	}
	req := &http.Request{
		Method:     cl.method,
		URL:        cl.u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     h,
		Host:       cl.u.Host,
	}
	if cl.body != nil {
		body := cl.body
		vals[3] = cl.contentType
		h["Content-Type"] = vals[3:4:4]
		req.ContentLength = int64(len(body))
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return req.WithContext(ctx)
}

// url builds the URL of a path relative to the endpoint. path is the
// decoded path and rawPath its escaped form.
func (c *Client) url(path, rawPath, rawQuery string) *url.URL {
	return &url.URL{
		Scheme:   c.endpoint.Scheme,
		Host:     c.endpoint.Host,
		Path:     c.prefixPath + path,
		RawPath:  c.prefixRaw + rawPath,
		RawQuery: rawQuery,
	}
}

// queryBuilder writes a query string the strict RFC 3986 way: only
// A-Z a-z 0-9 - _ . ~ are left as they are, so a space is %20, never '+'.
// That is what the official Huawei Cloud SDKs send and the canonical form
// SDK-HMAC-SHA256 signs, so the gateway cannot read a value differently
// from how it was signed.
type queryBuilder struct {
	b []byte
}

// add appends key=value; keys must be added in sorted order.
func (q *queryBuilder) add(key, value string) {
	if len(q.b) > 0 {
		q.b = append(q.b, '&')
	}
	q.b = appendEscaped(q.b, key)
	q.b = append(q.b, '=')
	q.b = appendEscaped(q.b, value)
}

func (q *queryBuilder) String() string { return string(q.b) }

// encodeValues encodes v sorted by key, each key's values in order.
func encodeValues(v url.Values) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var q queryBuilder
	for _, k := range keys {
		for _, val := range v[k] {
			q.add(k, val)
		}
	}
	return q.String()
}

const upperHex = "0123456789ABCDEF"

// appendEscaped appends s percent-encoded, keeping A-Z a-z 0-9 - _ . ~.
func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&0xf])
		}
	}
	return dst
}

// escapePathSegment escapes a path segment (an id) for the request line.
func escapePathSegment(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return !unreservedRune(r) }) < 0 {
		return s
	}
	return url.PathEscape(s)
}

func unreservedRune(r rune) bool {
	return 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-' || r == '_' || r == '.' || r == '~'
}
