package hss

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Do sends method to path (relative to the endpoint; "{project_id}" is replaced
// by the Client's project) with query, and body encoded as JSON when non-nil.
// It uses the Client's credentials, retries, quota handling, rate limit, logger
// and error model, and decodes a 2xx JSON answer into out unless out is nil.
// It returns the answer's X-Request-Id.
//
// path is written as it goes on the wire: escape ids with url.PathEscape. It
// must start with "/" and hold no "..", no scheme, host, query or fragment;
// bad input gives a *ValidationError before anything is sent. A non-2xx
// answer gives an *APIError, a 2xx answer that out cannot hold a
// *DecodeError. body is encoded with encoding/json; pass a json.RawMessage
// for bytes already encoded.
//
// Retries: GET and HEAD are retried like ListSyncTaskRegistries. Other
// methods may change state, so they are retried only when the request
// surely did not reach the service: the connection could not be opened, the
// credentials could not be had, or the gateway throttled it (429). A
// timeout or a 5xx answer is returned as it is, since the service may have
// acted on the request. The gateway's quota is learned per method and path,
// as given.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body, out any) (requestID string, err error) {
	if !c.usable() {
		return "", notConstructed()
	}
	if err := checkMethod(method); err != nil {
		return "", err
	}
	decoded, raw, err := c.doPath(path)
	if err != nil {
		return "", err
	}
	template := routeTemplate(path)
	cl := &call{
		op:         "Do",
		template:   template,
		method:     method,
		u:          c.url(decoded, raw, encodeValues(query)),
		route:      method + " " + template,
		idempotent: idempotent(method),
	}
	if body != nil {
		if cl.body, err = json.Marshal(body); err != nil {
			return "", &ValidationError{Field: "body", Reason: "cannot be encoded as JSON: " + err.Error()}
		}
	}
	if out != nil {
		cl.decode = func(_ int, b []byte, _ string) error {
			if len(bytes.TrimSpace(b)) == 0 {
				return nil // 204, or an empty 200
			}
			return json.Unmarshal(b, out)
		}
	}
	return c.send(ctx, cl)
}

// checkMethod accepts an HTTP method in upper case.
func checkMethod(m string) error {
	if m == "" || len(m) > 16 || strings.IndexFunc(m, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return &ValidationError{Field: "method", Reason: fmt.Sprintf("must be an HTTP method in upper case, such as GET or POST, got %q", m)}
	}
	return nil
}

// doPath checks a path given to Do and returns it decoded and escaped,
// with the project filled in.
func (c *Client) doPath(path string) (decoded, raw string, err error) {
	bad := func(reason string) (string, string, error) {
		return "", "", &ValidationError{Field: "path", Reason: reason}
	}
	switch {
	case !strings.HasPrefix(path, "/"):
		return bad("must start with /")
	case strings.HasPrefix(path, "//"):
		return bad("must not name a host (starts with //)")
	case strings.ContainsAny(path, "?#"):
		return bad("must not hold a query or fragment; pass the query as url.Values")
	case strings.IndexFunc(path, func(r rune) bool { return r <= ' ' || r >= 0x7f }) >= 0:
		return bad("must hold only printable ASCII; escape other characters with url.PathEscape")
	}
	dec, err := url.PathUnescape(path)
	if err != nil {
		return bad("holds a malformed %-escape")
	}
	if strings.Contains(dec, "..") {
		return bad(`must not contain ".."`)
	}
	for _, seg := range strings.Split(dec, "/") {
		if seg == "." {
			return bad(`must not contain a "." segment`)
		}
	}
	const project = "{project_id}"
	return strings.ReplaceAll(dec, project, c.projectID), strings.ReplaceAll(path, project, c.projectEsc), nil
}

// routeTemplate is path with every segment that looks like an id replaced
// by "{id}": the gateway counts its quotas per API, not per resource. A
// segment is kept when it reads like a word of an API path (lower-case
// letters, '-' and '_'), a version ("v5", "v2.1") or a "{...}" placeholder.
func routeTemplate(path string) string {
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		if seg != "" && !routeWord(seg) {
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}

// routeWord reports whether a path segment names part of an API rather
// than a resource.
func routeWord(seg string) bool {
	if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
		return true
	}
	if len(seg) >= 2 && seg[0] == 'v' && strings.Trim(seg[1:], "0123456789.") == "" {
		return true
	}
	if len(seg) > 40 {
		return false
	}
	for i := 0; i < len(seg); i++ {
		if c := seg[i]; !('a' <= c && c <= 'z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
