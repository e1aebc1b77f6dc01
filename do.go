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
	"reflect"
	"strings"
	"sync"
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
	// MaxDynamicDecodeBytes caps a 2xx body Do decodes into a type that
	// holds an interface or a map anywhere (such as *any,
	// *map[string]any, *[]any or a struct with an any field), whose values
	// take about thirty times the bytes of the JSON they come from; decode
	// into a type without them, or pass an io.Writer, for longer answers.
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
// body that is not JSON, say; an Accept replaces the default
// application/json). The headers the Client sets itself (Authorization,
// X-Auth-Token, X-Sdk-Date, X-Security-Token, X-Project-Id, Host,
// Content-Length, User-Agent) are refused, and so are what net/http would
// refuse to send: a name that is not an HTTP token (RFC 9110: letters,
// digits and !#$%&'*+-.^_`|~) and a value with a control character other
// than a tab. Given more than once, it adds: every value of every
// WithDoHeader is sent, in the order given.
func WithDoHeader(h http.Header) DoOption {
	return func(o *doOptions) error {
		for k, vs := range h {
			ck := http.CanonicalHeaderKey(k)
			switch {
			case !isToken(k):
				return &ValidationError{Field: "WithDoHeader", Reason: fmt.Sprintf("%q is not a header name: it must be an HTTP token", k)}
			case reservedHeaders[ck]:
				return &ValidationError{Field: "WithDoHeader", Reason: fmt.Sprintf("%s is set by the Client", ck)}
			}
			for _, v := range vs {
				if i := strings.IndexFunc(v, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }); i >= 0 {
					return &ValidationError{Field: "WithDoHeader", Reason: fmt.Sprintf("the value of %s holds a control character at byte %d", ck, i)}
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
// body is sent with "Content-Type: application/json;charset=UTF-8" unless
// WithDoHeader names another. An io.Reader is read whole before anything
// is sent, so that a retry can send it again; when ctx ends first, Do
// returns at once, closing the body if it is an io.Closer (as net/http
// does with a request's body), which ends the read. The read of a body
// that is not an io.Closer goes on in the background until its Read
// returns. A nil pointer as body is a *ValidationError.
//
// out receives a 2xx answer: nil ignores it; a non-nil io.Writer gets the
// raw body (its error, if it fails, is returned in a *RequestError); any
// other non-nil pointer is decoded into with encoding/json. A body longer
// than MaxDynamicDecodeBytes is not decoded into a type that holds an
// interface or a map anywhere (*any, *[]map[string]any, a struct with an
// any field...). Any other out is a *ValidationError before anything is
// sent. A 2xx answer out cannot hold gives a *DecodeError; an empty body
// (204) leaves out as it is.
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
	if ctx == nil {
		return nil, &ValidationError{Field: "ctx", Reason: "must not be nil; use context.Background()"}
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
	if cl.body, err = doBody(ctx, body); err != nil {
		var re *RequestError
		if errors.As(err, &re) {
			re.Method, re.Path = method, c.scrubber(c.lastCredentials(), nil).String(cl.u.EscapedPath())
		}
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

// doBody returns the bytes Do sends for body. A read that ctx ends is a
// *RequestError for the caller to name the request in.
func doBody(ctx context.Context, body any) ([]byte, error) {
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
		data, err := readAllWithin(ctx, b)
		switch {
		case ctx.Err() != nil && (err != nil || data == nil):
			return nil, &RequestError{Err: fmt.Errorf("reading the body: %w", contextEnded(ctx, ctx.Err()))}
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

// readAllWithin reads r whole, at most MaxRequestBodyBytes+1 bytes, or
// until ctx ends: then it closes r if r is an io.Closer, so that the read
// ends, and returns nil. Readers that hold their bytes in memory are read
// at once.
func readAllWithin(ctx context.Context, r io.Reader) ([]byte, error) {
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	switch r.(type) {
	case *bytes.Reader, *strings.Reader, *bytes.Buffer:
		return io.ReadAll(io.LimitReader(r, MaxRequestBodyBytes+1))
	}
	type read struct {
		data []byte
		err  error
	}
	done := make(chan read, 1) // the reader goroutine never waits to hand over
	go func() {
		data, err := io.ReadAll(io.LimitReader(r, MaxRequestBodyBytes+1))
		done <- read{data, err}
	}()
	select {
	case got := <-done:
		return got.data, got.err
	case <-ctx.Done():
		if c, ok := r.(io.Closer); ok {
			_ = c.Close()
		}
		return nil, ctx.Err()
	}
}

// writeError is the error of an io.Writer out.
type writeError struct{ err error }

func (e writeError) Error() string { return e.err.Error() }
func (e writeError) Unwrap() error { return e.err }

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
			if _, err := w.Write(b); err != nil {
				return writeError{err}
			}
			return nil
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
	dynamic := holdsDynamic(v.Type().Elem())
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

// dynamicTypes caches holdsDynamic by type.
var dynamicTypes sync.Map // reflect.Type -> bool

// holdsDynamic reports whether encoding/json may decode into an interface
// or a map somewhere in a value of type t: in t itself, or in what its
// pointers, slices, arrays and fields (exported or embedded) hold. Such
// values take many times the bytes of their JSON.
func holdsDynamic(t reflect.Type) bool {
	if d, ok := dynamicTypes.Load(t); ok {
		return d.(bool)
	}
	d := walkDynamic(t, map[reflect.Type]bool{})
	dynamicTypes.Store(t, d)
	return d
}

// walkDynamic is holdsDynamic; seen holds the types being walked, so that
// a recursive type ends the walk where it comes back to itself.
func walkDynamic(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false // what it holds is being walked already
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Interface, reflect.Map:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return walkDynamic(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); (f.IsExported() || f.Anonymous) && walkDynamic(f.Type, seen) {
				return true
			}
		}
	}
	return false
}

// isToken reports whether s is an HTTP token (RFC 9110, section 5.6.2),
// as a header name must be.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
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
