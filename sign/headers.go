package sign

import (
	"net/http"
	"strings"
)

// header is one signed header: a lower-case name and its value as the
// server reads it.
type header struct {
	name, value string
}

// unsignedHeaders are left out of the signature: Content-Type (as Huawei
// Cloud's own signers do), the Authorization header being written, and
// hop-by-hop headers a proxy may change or drop.
var unsignedHeaders = map[string]bool{
	"content-type": true, "content-length": true, "authorization": true,
	"connection": true, "proxy-connection": true, "keep-alive": true, "proxy-authorization": true,
	"te": true, "trailer": true, "transfer-encoding": true, "upgrade": true,
}

// canonicalizeNames moves the values of every header name that is not in
// canonical form (x-project-id) to the canonical one (X-Project-Id). A
// name in several spellings is one header to the server, and net/http
// sends the spellings in an order of its own (sorted over HTTP/1.1, in map
// order over HTTP/2); under one name its values go in one fixed order, the
// order of the spellings. The canonical name is also the one net/http
// treats specially (User-Agent, Host, Content-Length) and the one Request
// sets and deletes (X-Sdk-Date, Authorization).
func canonicalizeNames(h http.Header) {
	var odd []string
	for name := range h {
		if http.CanonicalHeaderKey(name) != name { // unchanged too when name is not a valid token
			odd = append(odd, name)
		}
	}
	if len(odd) == 0 {
		return
	}
	insertionSort(odd, func(a, b string) bool { return a < b })
	for len(odd) > 0 {
		canonical := http.CanonicalHeaderKey(odd[0])
		var spellings []string
		if _, ok := h[canonical]; ok {
			spellings = append(spellings, canonical)
		}
		rest := odd[:0]
		for _, name := range odd {
			if http.CanonicalHeaderKey(name) == canonical {
				spellings = append(spellings, name)
			} else {
				rest = append(rest, name)
			}
		}
		odd = rest
		insertionSort(spellings, func(a, b string) bool { return a < b })
		var values []string
		for _, name := range spellings {
			values = append(values, h[name]...)
			delete(h, name)
		}
		h[canonical] = values
	}
}

// signedHeaders lists host and the signable headers of h, sorted by name,
// each with the value the server reads: what net/http sends of it, its
// values trimmed and joined by ',' as a server folds repeated lines. A
// header with no values, a User-Agent whose first value is empty (neither
// is sent) and a name net/http would not send are left out; of a
// User-Agent only the first value is sent and signed. h has canonical
// names (canonicalizeNames), so no two share a lower-case form.
func signedHeaders(h http.Header, host string) []header {
	keys := make([]string, 0, len(h))
	for name := range h {
		keys = append(keys, name)
	}
	insertionSort(keys, func(a, b string) bool { return a < b })
	out := make([]header, 0, len(h)+1)
	out = append(out, header{"host", host})
	for _, name := range keys {
		values := h[name]
		lower := strings.ToLower(name)
		if len(values) == 0 || unsignedHeaders[lower] || lower == "host" || strings.ContainsRune(lower, '_') || !validToken(name) {
			continue
		}
		if lower == "user-agent" {
			if values[0] == "" {
				continue
			}
			values = values[:1]
		}
		out = append(out, header{lower, sentValues(values)})
	}
	insertionSort(out, func(a, b header) bool { return a.name < b.name })
	return out
}

// sentValues is the value a server reads for a header sent with values:
// each as net/http writes it (sentValue), joined by ','.
func sentValues(values []string) string {
	if len(values) == 1 {
		return sentValue(values[0])
	}
	var b strings.Builder
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(sentValue(v))
	}
	return b.String()
}

// sentValue is v as net/http writes it: CR and LF turned into spaces, and
// spaces and tabs trimmed from both ends. (Over HTTP/2 net/http sends v
// untrimmed, but a value that starts or ends with white space is malformed
// there, and a server reads it trimmed as HTTP/1.1 sends it.)
func sentValue(v string) string {
	if strings.ContainsAny(v, "\r\n") {
		b := []byte(v)
		for i, c := range b {
			if c == '\r' || c == '\n' {
				b[i] = ' '
			}
		}
		v = string(b)
	}
	return strings.Trim(v, " \t")
}

// validToken reports whether name is a header name net/http sends (an
// RFC 9110 token); it drops or refuses others.
func validToken(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !unreserved(c) && strings.IndexByte("!#$%&'*+^`|", c) < 0 {
			return false
		}
	}
	return true
}
