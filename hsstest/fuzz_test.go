package hsstest

import (
	"testing"
)

// FuzzParse feeds arbitrary paths and queries to the parsers: they must
// never panic, and what they accept must be within the API's bounds.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "offset=10&limit=20", "registry_type=SwrPrivate%2CHarbor", "limit=%", "a=%zz;b",
		"/v5/p/image/image-sync/tasks/a%2Fb/registries", "/v5/%zz/image/image-sync/tasks/t/registries",
		"registry_name=%FF%00", "offset=99999999999999999999999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if q, ok := parseListQuery(s); ok {
			if q.offset < 0 || q.offset > maxOffset || q.limit < minLimit || q.limit > maxLimit {
				t.Fatalf("accepted out-of-range paging %+v from %q", q, s)
			}
		}
		if p, task, ok := parsePath(s); ok && (p == "" || task == "") {
			t.Fatalf("accepted empty ids from %q", s)
		}
		_ = validText(s, 10)
		_, _ = parseBounded(s, 0, maxOffset)
	})
}
