package hsstest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"
)

// RegistriesPattern is the path pattern of the built-in route, the listing
// of a task's registries, for On:
//
//	srv.On(http.MethodGet, hsstest.RegistriesPattern).FailNext(1, 503, "APIGW.0613", "busy")
const RegistriesPattern = "/v5/{project_id}/image/image-sync/tasks/{task_id}/registries"

// route is an extra route registered with HandleFunc.
type route struct {
	method  string
	pattern pathPattern
	handler http.HandlerFunc
	// open routes skip the gateway's checks: authentication, the quota
	// and the project (Unauthenticated).
	open bool
}

// RouteOption changes how HandleFunc serves a route.
type RouteOption func(*route)

// Unauthenticated makes a route answer without the gateway's checks: no
// credentials are needed or checked, the project in the path is not
// compared with ProjectID(), and the call is not counted by the quota (its
// calls neither use nor meet the quota of the HSS routes). It stands for a
// service outside HSS's API Gateway, above all IAM, whose POST
// /v3/auth/tokens is how credentials.NewPasswordTokenSource gets a token:
//
//	srv.HandleFunc(http.MethodPost, "/v3/auth/tokens", issueToken, hsstest.Unauthenticated())
//
// lets one server fake IAM and HSS together. Latency, the hook and queued
// faults still apply, as to any request.
func Unauthenticated() RouteOption {
	return func(rt *route) { rt.open = true }
}

// HandleFunc registers handler for method and pathPattern, so that a test
// can fake other HSS calls (or a wrapper its other Huawei Cloud calls) next
// to the built-in one. pathPattern is a path whose segments may be
// wildcards, such as "/v5/{project_id}/image/image-sync/tasks/{task_id}";
// the handler reads them with r.PathValue. A wildcard matches one whole,
// non-empty path segment, unescaped: a%2Fb reads as "a/b". A request to an
// extra route goes through everything the built-in route does first:
// latency, the hook and queued faults, authentication (token or
// signature), the quota, and, when the pattern has {project_id}, the
// project check; Unauthenticated() leaves out all but the first three.
// Routes are tried in the order they were added, after the built-in one;
// an unmatched request gets 404 APIGW.0101.
//
// A nil handler, a method that is not an HTTP token, or a pattern that no
// request could match or that reads like net/http.ServeMux syntax this
// matcher does not have is an *ArgError, and nothing is registered: a
// pattern not starting with "/", holding '?' or '#' (a query is not part
// of the path), ending with "/" (no subtrees), with a "{name...}" or
// "{$}" wildcard, a wildcard name that is not a Go identifier or is used
// twice, a brace that does not make a whole segment a wildcard, or a '%'
// (segments are compared unescaped).
func (s *Server) HandleFunc(method, pathPattern string, handler func(w http.ResponseWriter, r *http.Request), opts ...RouteOption) error {
	if s == nil {
		return nilServer("HandleFunc")
	}
	call := fmt.Sprintf("HandleFunc(%q, %q)", method, pathPattern)
	if handler == nil {
		return &ArgError{Call: call, Arg: "handler", Reason: "must not be nil"}
	}
	pat, err := parsePattern(call, method, pathPattern)
	if err != nil {
		return err
	}
	rt := route{method: method, pattern: pat, handler: handler}
	for _, o := range opts {
		if o != nil {
			o(&rt)
		}
	}
	s.mu.Lock()
	s.routes = append(s.routes, rt)
	s.mu.Unlock()
	return nil
}

// pathPattern is a parsed path pattern: its segments, each a literal or a
// "{name}" wildcard.
type pathPattern []string

// parsePattern checks a method and path pattern given to call: a pattern
// that no request could match, or that reads like net/http.ServeMux's
// syntax for something this matcher does not do, is an *ArgError.
func parsePattern(call, method, pattern string) (pathPattern, error) {
	bad := func(reason string) error { return &ArgError{Call: call, Arg: "pathPattern", Reason: reason} }
	switch {
	case method == "":
		return nil, &ArgError{Call: call, Arg: "method", Reason: `must not be empty (such as "GET")`}
	case !isToken(method):
		return nil, &ArgError{Call: call, Arg: "method", Reason: `must be an HTTP method such as "GET", without spaces or a path`}
	case !strings.HasPrefix(pattern, "/"):
		return nil, bad(`must start with "/"`)
	case strings.ContainsAny(pattern, "?#"):
		return nil, bad(`must not hold '?' or '#': it matches the path alone, never a query or fragment`)
	case len(pattern) > 1 && strings.HasSuffix(pattern, "/"):
		return nil, bad(`must not end with "/": it matches a whole path, never a subtree as net/http.ServeMux's "/a/" does`)
	}
	segs := strings.Split(strings.TrimPrefix(pattern, "/"), "/")
	names := make(map[string]bool)
	for _, seg := range segs {
		switch {
		case isWildcard(seg):
			name := seg[1 : len(seg)-1]
			switch {
			case strings.HasSuffix(name, "..."):
				return nil, bad(fmt.Sprintf("%s: a wildcard matches one whole segment; {name...} (the rest of the path) is not supported", seg))
			case name == "$":
				return nil, bad(`{$}: a pattern matches a whole path already; drop it`)
			case !isIdentifier(name):
				return nil, bad(fmt.Sprintf("%s: a wildcard's name must be a Go identifier", seg))
			case names[name]:
				return nil, bad(fmt.Sprintf("%s: the wildcard name %q is used twice", seg, name))
			}
			names[name] = true
		case strings.ContainsAny(seg, "{}"):
			return nil, bad(fmt.Sprintf("%q: a brace must make a whole segment a wildcard, such as {task_id}", seg))
		case strings.Contains(seg, "%"):
			return nil, bad(fmt.Sprintf("%q: a segment is compared with the path's segment unescaped, so write it unescaped (\"a b\", not \"a%%20b\")", seg))
		}
	}
	return segs, nil
}

// isToken reports whether s is an HTTP token (RFC 9110), as a method is.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return s != ""
}

// isIdentifier reports whether s is a Go identifier, as a wildcard's name
// is for net/http.ServeMux (r.PathValue reads it).
func isIdentifier(s string) bool {
	for i, r := range s {
		if !(r == '_' || unicode.IsLetter(r) || i > 0 && unicode.IsDigit(r)) {
			return false
		}
	}
	return s != ""
}

// match reports whether an escaped path fits the pattern and returns the
// values of its wildcards, by position. Like the built-in route and
// net/http.ServeMux, it splits the escaped path at '/' and unescapes each
// segment on its own, so an escaped slash stays inside its segment
// (.../tasks/a%2Fb is the one segment "a/b"). A wildcard matches one whole
// segment, never an empty one.
func (p pathPattern) match(escapedPath string) (values []string, ok bool) {
	parts := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	if len(parts) != len(p) {
		return nil, false
	}
	values = make([]string, len(parts))
	for i, seg := range p {
		v, err := url.PathUnescape(parts[i])
		if err != nil {
			return nil, false
		}
		if isWildcard(seg) {
			if v == "" {
				return nil, false
			}
			values[i] = v
			continue
		}
		if v != seg {
			return nil, false
		}
	}
	return values, true
}

// match reports whether r's method and path fit the route, and sets r's
// path values for its wildcards.
func (rt *route) match(r *http.Request) bool {
	if r.Method != rt.method {
		return false
	}
	values, ok := rt.pattern.match(r.URL.EscapedPath())
	if !ok {
		return false
	}
	for i, seg := range rt.pattern {
		if isWildcard(seg) {
			r.SetPathValue(seg[1:len(seg)-1], values[i])
		}
	}
	return true
}

// isWildcard reports whether a pattern segment is a "{name}" wildcard.
func isWildcard(seg string) bool {
	return len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}'
}

// findRoute returns the extra route that matches r, if any.
func (s *Server) findRoute(r *http.Request) (route, bool) {
	s.mu.Lock()
	routes := s.routes
	s.mu.Unlock()
	for _, rt := range routes {
		if rt.match(r) {
			return rt, true
		}
	}
	return route{}, false
}
