// Fuzzing of the path and query parsers and the extra-route matcher: no panics, and what they accept is within the API's bounds.
package hsstest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary paths and queries to the parsers and the
// extra-route matcher: they must never panic, and what they accept must be
// within the API's bounds. The seed corpus is in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "offset=10&limit=20", "registry_type=SwrPrivate%2CHarbor", "limit=%", "a=%zz;b",
		"/v5/p/image/image-sync/tasks/a%2Fb/registries", "/v5/%zz/image/image-sync/tasks/t/registries",
		"registry_name=%FF%00", "offset=99999999999999999999999", "/v5/p/x/a%2Fb", "/v5//x/y",
	} {
		f.Add(s)
	}
	rt := route{method: http.MethodGet, pattern: strings.Split("v5/{project_id}/x/{id}", "/")}
	f.Fuzz(func(t *testing.T, s string) {
		if q, ok := parseListQuery(s); ok {
			if q.offset < 0 || q.offset > maxOffset || q.limit < minLimit || q.limit > maxLimit {
				t.Fatalf("accepted out-of-range paging %+v from %q", q, s)
			}
			if q.name != "" && !validText(q.name, maxNameLen) {
				t.Fatalf("accepted registry_name %q from %q", q.name, s)
			}
			for typ := range q.types {
				if !typ.Known() {
					t.Fatalf("accepted registry_type %q from %q", typ, s)
				}
			}
			if q.status != "" && !q.status.Known() {
				t.Fatalf("accepted sync_status %q from %q", q.status, s)
			}
		}
		if p, task, ok := parsePath(s); ok {
			if p == "" || task == "" {
				t.Fatalf("accepted empty ids from %q", s)
			}
			// The ids come back from the path the SDK would build for them.
			again := "/v5/" + url.PathEscape(p) + "/image/image-sync/tasks/" + url.PathEscape(task) + "/registries"
			if p2, task2, ok := parsePath(again); !ok || p2 != p || task2 != task {
				t.Fatalf("%q parsed as %q %q, but %q as %q %q", s, p, task, again, p2, task2)
			}
		}
		if u, err := url.Parse(s); err == nil {
			r := &http.Request{Method: http.MethodGet, URL: u}
			if rt.match(r) && (r.PathValue("project_id") == "" || r.PathValue("id") == "") {
				t.Fatalf("route matched %q with an empty wildcard", s)
			}
		}
		if validText(s, 10) && (s == "" || len([]rune(s)) > 10) {
			t.Fatalf("validText accepted %q", s)
		}
		if n, ok := parseBounded(s, 0, maxOffset); ok && (n < 0 || n > maxOffset) {
			t.Fatalf("parseBounded accepted %d from %q", n, s)
		}
	})
}
