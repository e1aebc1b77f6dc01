package hsstest

import (
	"net/http"
	"net/url"
	"strings"
)

// route is an extra route registered with HandleFunc.
type route struct {
	method   string
	segments []string // literal segments, or "{name}" wildcards
	handler  http.HandlerFunc
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
// project check. Routes are tried in the order they were added, after the
// built-in one; an unmatched request gets 404 APIGW.0101. A nil handler,
// an empty method or a pattern not starting with "/" is ignored.
func (s *Server) HandleFunc(method, pathPattern string, handler func(w http.ResponseWriter, r *http.Request)) {
	if handler == nil || method == "" || !strings.HasPrefix(pathPattern, "/") {
		return
	}
	rt := route{method: method, segments: strings.Split(strings.TrimPrefix(pathPattern, "/"), "/"), handler: handler}
	s.mu.Lock()
	s.routes = append(s.routes, rt)
	s.mu.Unlock()
}

// match reports whether r's method and path fit the route, and sets r's
// path values for its wildcards. Like the built-in route and
// net/http.ServeMux, it splits the escaped path at '/' and unescapes each
// segment on its own, so an escaped slash stays inside its segment
// (.../tasks/a%2Fb is the one segment "a/b"). A wildcard matches one
// whole segment, never an empty one.
func (rt *route) match(r *http.Request) bool {
	if r.Method != rt.method {
		return false
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	if len(parts) != len(rt.segments) {
		return false
	}
	values := make([]string, len(parts))
	for i, seg := range rt.segments {
		v, err := url.PathUnescape(parts[i])
		if err != nil {
			return false
		}
		if isWildcard(seg) {
			if v == "" {
				return false
			}
			values[i] = v
			continue
		}
		if v != seg {
			return false
		}
	}
	for i, seg := range rt.segments {
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
