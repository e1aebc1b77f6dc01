package hsstest

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hsskit/hss"
)

// API bounds, from the HSS reference.
const (
	maxOffset        = 2000000
	minLimit         = 10
	maxLimit         = 200
	defaultLimit     = 10
	maxTaskIDLen     = 64
	maxNameLen       = 128
	maxEnterpriseLen = 256
)

// listQuery is a validated query of the registries listing.
type listQuery struct {
	offset, limit int
	name          string                    // "" = any name
	types         map[hss.RegistryType]bool // nil = every type
	status        hss.SyncStatus            // "" = every status
	enterprise    string                    // enterprise project, or hss.AllEnterpriseProjects
}

// parseListQuery validates the raw query; ok=false means 400 HSS.0001.
func parseListQuery(raw string) (q listQuery, ok bool) {
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return q, false
	}
	q = listQuery{limit: defaultLimit, enterprise: DefaultEnterpriseProjectID}
	// get returns a parameter's single value; given twice or empty is
	// malformed, since the service could only guess which one was meant.
	bad := false
	get := func(key string) (string, bool) {
		vs, present := vals[key]
		if !present {
			return "", false
		}
		if len(vs) != 1 || vs[0] == "" {
			bad = true
			return "", false
		}
		return vs[0], true
	}
	if v, ok := get("offset"); ok {
		if q.offset, ok = parseBounded(v, 0, maxOffset); !ok {
			return q, false
		}
	}
	if v, ok := get("limit"); ok {
		if q.limit, ok = parseBounded(v, minLimit, maxLimit); !ok {
			return q, false
		}
	}
	if v, ok := get("registry_name"); ok {
		if !validText(v, maxNameLen) {
			return q, false
		}
		q.name = v
	}
	if v, ok := get("registry_type"); ok {
		q.types = make(map[hss.RegistryType]bool)
		for _, t := range strings.Split(v, ",") {
			if !hss.RegistryType(t).Known() {
				return q, false
			}
			q.types[hss.RegistryType(t)] = true
		}
	}
	if v, ok := get("sync_status"); ok {
		if !hss.SyncStatus(v).Known() {
			return q, false
		}
		q.status = hss.SyncStatus(v)
	}
	if v, ok := get("enterprise_project_id"); ok {
		if !validText(v, maxEnterpriseLen) {
			return q, false
		}
		q.enterprise = v
	}
	return q, !bad
}

// parseBounded reads a non-negative decimal integer in [lo, hi]. Only
// digits are accepted: "+5", " 5" and "1e3" are malformed.
func parseBounded(v string, lo, hi int) (int, bool) {
	if len(v) > 10 { // longer cannot be in range; also keeps Atoi from overflowing
		return 0, false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, false
	}
	return n, true
}

// validText checks a string parameter: 1-maxLen characters of valid UTF-8
// without control characters.
func validText(v string, maxLen int) bool {
	if v == "" || !utf8.ValidString(v) || utf8.RuneCountInString(v) > maxLen {
		return false
	}
	return strings.IndexFunc(v, unicode.IsControl) < 0
}

// unfiltered reports whether the query keeps every registry of its
// enterprise project.
func (q *listQuery) unfiltered() bool {
	return q.name == "" && q.types == nil && q.status == ""
}

// matches reports whether reg passes the query's filters.
func (q *listQuery) matches(reg *Registry) bool {
	if q.enterprise != hss.AllEnterpriseProjects && reg.EnterpriseProjectID != q.enterprise {
		return false
	}
	if q.name != "" && reg.RegistryName != q.name {
		return false
	}
	if q.types != nil && !q.types[reg.RegistryType] {
		return false
	}
	return q.status == "" || reg.SyncStatus == q.status
}
