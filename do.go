package hss

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
)

// Response describes the answer to a Client.Do call.
type Response struct {
	// StatusCode is the HTTP status of the last answer.
	StatusCode int
	// Header holds the last answer's headers.
	Header http.Header
	// RequestID is the last answer's X-Request-Id: quote it in a support
	// ticket.
	RequestID string
	// Attempts is the number of attempts sent.
	Attempts int
}

// Bounds of what Do sends and decodes.
const (
	// MaxRequestBodyBytes caps a body Do reads from an io.Reader: it is
	// read whole before anything is sent, so that a retry can send it
	// again.
	MaxRequestBodyBytes = 16 << 20
	// MaxDynamicDecodeBytes caps a 2xx body Do decodes into an interface
	// or a map (such as *any or *map[string]any), whose values take about
	// thirty times the bytes of the JSON they come from; decode into a
	// struct, or pass an io.Writer, for longer answers.
	MaxDynamicDecodeBytes = 1 << 20
)

// DoOption adds to one Client.Do call.
type DoOption func(*doOptions) error

type doOptions struct {
	header http.Header
}

// reservedHeaders are the headers the Client sets itself.
var reservedHeaders = map[string]bool{
	"Authorization": true, "X-Auth-Token": true, "X-Sdk-Date": true, "X-Security-Token": true,
	"X-Project-Id": true, "Host": true, "Content-Length": true, "User-Agent": true,
}

// WithDoHeader sends the headers of h with the call (a Content-Type for a
// body that is not JSON, say). The headers the Client sets itself
// (Authorization, X-Auth-Token, X-Sdk-Date, X-Security-Token, X-Project-Id,
// Host, Content-Length, User-Agent) are refused.
func WithDoHeader(h http.Header) DoOption {
	return func(o *doOptions) error {
		for k, vs := range h {
			ck := http.CanonicalHeaderKey(k)
			switch {
			case reservedHeaders[ck]:
				return &ValidationError{Field: "WithDoHeader", Reason: fmt.Sprintf("%s is set by the Client", ck)}
			case k == "" || strings.ContainsAny(k, " \t\r\n:"):
				return &ValidationError{Field: "WithDoHeader", Reason: fmt.Sprintf("%q is not a header name", k)}
			}
			for _, v := range vs {
				if strings.ContainsAny(v, "\r\n\x00") {
					return &ValidationError{Field: "WithDoHeader", Reason: fmt.Sprintf("the value of %s holds a line break or NUL", ck)}
				}
			}
			if o.header == nil {
				o.header = make(http.Header)
			}
			o.header[ck] = append(o.header[ck], vs...)
		}
		return nil
	}
}

// Do sends method to path (relative to the endpoint; "{project_id}" is
// replaced by the Client's project) with query and body, with the
// Client's credentials, retries, quota handling, rate limit, logger,
// Observer and error model, and returns what the last answer was.
//
// path is written as it goes on the wire: escape ids with url.PathEscape.
// It must start with "/" and hold no "..", no scheme, host, query or
// fragment; bad input gives a *ValidationError before anything is sent.
//
// body is sent as follows: nil sends none; an io.Reader is read (at most
// MaxRequestBodyBytes) and sent byte for byte; []byte and json.RawMessage
// are sent as they are; anything else is encoded with encoding/json. A
// body is sent with "Content-Type: application/json" unless WithDoHeader
// names another.
//
// out receives a 2xx answer: nil ignores it; an io.Writer gets the raw body;
// any other non-nil pointer is decoded into with encoding/json (into an
// interface or a map, at most MaxDynamicDecodeBytes). Any other out is a
// *ValidationError before anything is sent. A 2xx answer out cannot hold
// gives a *DecodeError; an empty body (204) leaves out as it is.
//
// A non-2xx answer gives an *APIError, and Response tells its status,
// headers and request id; Response is nil only when no answer came.
//
// Retries: GET and HEAD are retried like ListSyncTaskRegistries. Other
// methods may change state, so they are retried only when the request
// surely did not reach the service: the connection could not be opened,
// the credentials could not be had, or the gateway throttled it (429). A
// timeout or a 5xx answer is returned as it is, since the service may have
// acted on the request. The gateway's quota is learned per method and path
// template: the path with every segment that looks like an id (one with a
// character other than a lower-case letter, '-' or '_', or longer than 40)
// read as "{id}", and the least recently used of 256 such routes forgotten
// first.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body, out any, opts ...DoOption) (*Response, error) {
	if !c.usable() {
		return nil, notConstructed()
	}
	if err := checkMethod(method); err != nil {
		return nil, err
	}
	decoded, raw, err := c.doPath(path)
	if err != nil {
		return nil, err
	}
	var o doOptions
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	decode, err := doDecoder(out)
	if err != nil {
		return nil, err
	}
	template := routeTemplate(path)
	cl := &call{
		op:         "Do",
		template:   template,
		given:      true,
		method:     method,
		u:          c.url(decoded, raw, encodeValues(query)),
		route:      method + " " + template,
		idempotent: idempotent(method),
		header:     o.header,
		decode:     decode,
	}
	if cl.body, err = doBody(body); err != nil {
		return nil, err
	}
	if cl.body != nil {
		cl.contentType = "application/json;charset=UTF-8"
		if ct := o.header.Get("Content-Type"); ct != "" {
			cl.contentType = ct
		}
	}
	ans, err := c.do(ctx, cl)
	if ans.status == 0 {
		return nil, err
	}
	return &Response{StatusCode: ans.status, Header: ans.header, RequestID: ans.requestID, Attempts: ans.attempts}, err
}

// doBody returns the bytes Do sends for body.
func doBody(body any) ([]byte, error) {
	switch b := body.(type) {
	case nil:
		return nil, nil
	case []byte:
		return b, nil
	case json.RawMessage:
		return b, nil
	case io.Reader:
		if isNil(b) {
			return nil, &ValidationError{Field: "body", Reason: fmt.Sprintf("is a nil %T; pass nil for no body", body)}
		}
		data, err := io.ReadAll(io.LimitReader(b, MaxRequestBodyBytes+1))
		switch {
		case err != nil:
			return nil, &ValidationError{Field: "body", Reason: "could not be read: " + err.Error()}
		case len(data) > MaxRequestBodyBytes:
			return nil, &ValidationError{Field: "body", Reason: fmt.Sprintf("is longer than %d bytes (MaxRequestBodyBytes)", MaxRequestBodyBytes)}
		}
		return data, nil
	}
	data, err := json.Marshal(body)
	if err != nil {
		return nil, &ValidationError{Field: "body", Reason: "cannot be encoded as JSON: " + err.Error()}
	}
	return data, nil
}

// doDecoder checks out and returns what reads a 2xx body into it.
func doDecoder(out any) (func(int, []byte, string) error, error) {
	if out == nil {
		return nil, nil
	}
	if w, ok := out.(io.Writer); ok {
		if isNil(w) {
			return nil, &ValidationError{Field: "out", Reason: fmt.Sprintf("is a nil %T; pass nil to ignore the answer", out)}
		}
		return func(_ int, b []byte, _ string) error {
			_, err := w.Write(b)
			return err
		}, nil
	}
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return nil, &ValidationError{Field: "out", Reason: fmt.Sprintf("must be nil, a non-nil pointer or an io.Writer, got %T", out)}
	}
	switch v.Elem().Kind() {
	case reflect.Func, reflect.Chan, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
		return nil, &ValidationError{Field: "out", Reason: fmt.Sprintf("JSON cannot be decoded into a %T", out)}
	}
	dynamic := v.Elem().Kind() == reflect.Interface || v.Elem().Kind() == reflect.Map
	return func(_ int, b []byte, _ string) error {
		if len(bytes.TrimSpace(b)) == 0 {
			return nil // 204, or an empty 200
		}
		if dynamic && len(b) > MaxDynamicDecodeBytes {
			return fmt.Errorf("%w: %d bytes, more than the %d decoded into %T (MaxDynamicDecodeBytes); decode into a struct or pass an io.Writer",
				ErrBodyTooLarge, len(b), MaxDynamicDecodeBytes, out)
		}
		return json.Unmarshal(b, out)
	}, nil
}

// isNil reports whether x holds a nil pointer, map, slice, func or
// channel, whose methods may panic.
func isNil(x any) bool {
	switch v := reflect.ValueOf(x); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return v.IsNil()
	}
	return false
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
// letters, '-' and '_', at most 40), a version ("v5", "v2.1") or a "{...}"
// placeholder.
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
