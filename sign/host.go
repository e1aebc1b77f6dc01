package sign

import "strings"

// sentHost returns the host net/http sends for host (Request.Host, else
// URL.Host), which is the one the gateway verifies: the host as given, less
// the zone of an IPv6 literal ("[fe80::1%eth0]:80" is sent as
// "[fe80::1]:80", RFC 6874). A host net/http would not send as given (it
// sends an empty Host instead, or refuses the request) is a *HostError
// wrapped in an *Error: signing it would sign what never arrives.
func sentHost(host string) (string, error) {
	if reason := hostProblem(host); reason != "" {
		return "", &Error{Reason: "the host (Request.Host, else URL.Host) is not valid", Err: &HostError{Host: host, Reason: reason}}
	}
	return removeZone(host), nil
}

// hostProblem says what makes host unusable, or "" when it is a valid
// host[:port]: a name or IPv4 address, or an IPv6 literal in brackets
// (with an optional zone), and an optional port of at most five digits.
func hostProblem(host string) string {
	if host == "" {
		return "is empty; the request has no host"
	}
	if !isASCII(host) {
		return "is not ASCII; use its punycode (xn--) form"
	}
	// The bytes net/http lets through in a Host header, zone included.
	for i := 0; i < len(host); i++ {
		if c := host[i]; !unreserved(c) && strings.IndexByte("!$%&'()*+,;=:[]", c) < 0 {
			return "holds " + quoteByte(c) + ", which a host cannot have"
		}
	}
	name, port := removeZone(host), ""
	if strings.HasPrefix(name, "[") {
		end := strings.IndexByte(name, ']')
		if end < 0 {
			return "opens an IPv6 literal with '[' and never closes it"
		}
		literal := name[1:end]
		if literal == "" || strings.IndexByte(literal, ':') < 0 || strings.Trim(literal, "0123456789abcdefABCDEF:.") != "" {
			return "holds an IPv6 literal that is not an IPv6 address"
		}
		switch rest := name[end+1:]; {
		case rest == "":
		case rest[0] == ':':
			port = rest[1:]
		default:
			return "has something other than a port after its IPv6 literal"
		}
	} else {
		if i := strings.LastIndexByte(name, ':'); i >= 0 {
			name, port = name[:i], name[i+1:]
		}
		if name == "" {
			return "has a port but no name"
		}
		if strings.ContainsAny(name, ":[]") {
			return "holds ':', '[' or ']' outside an IPv6 literal"
		}
		if !validEscapes(name) {
			return "holds a '%' that does not start a two-digit escape"
		}
	}
	if len(port) > 5 || strings.Trim(port, "0123456789") != "" {
		return "has a port that is not a number of at most five digits"
	}
	return ""
}

// removeZone removes the zone of an IPv6 literal, as net/http does before
// it writes the Host header: "[fe80::1%eth0]:80" becomes "[fe80::1]:80".
func removeZone(host string) string {
	if !strings.HasPrefix(host, "[") {
		return host
	}
	end := strings.LastIndexByte(host, ']')
	if end < 0 {
		return host
	}
	zone := strings.LastIndexByte(host[:end], '%')
	if zone < 0 {
		return host
	}
	return host[:zone] + host[end:]
}

// quoteByte names a byte in an error: 'x' when printable, else its hex.
func quoteByte(c byte) string {
	if c == ' ' {
		return "a space"
	}
	if c > ' ' && c < 0x7f {
		return "'" + string(c) + "'"
	}
	return "byte 0x" + string(upperHex[c>>4]) + string(upperHex[c&0xf])
}
