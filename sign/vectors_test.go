// Test vectors: the signing guide's example, the official SDK's HSS signatures, independently computed ones, and the canonical parts.
package sign

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hsskit/hss/internal/sigcheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signCanonical builds the canonical request for the given signed headers
// and returns it, its hex SHA-256 and the signature, computed with the
// documented string to sign. The published vectors sign header sets that
// Request does not produce (Content-Type, or no Host), so they are checked
// here, on the canonical-request builder Request uses.
func signCanonical(t *testing.T, sk, method, path, rawQuery, date string, headers []header, bodyHash string) (canonical, hash, signature string) {
	t.Helper()
	canon, err := appendCanonicalRequest(nil, method, path, rawQuery, sortedHeaders(headers), bodyHash)
	require.NoError(t, err)
	sum := sha256.Sum256(canon)
	mac := hmac.New(sha256.New, []byte(sk))
	mac.Write([]byte(Algorithm + "\n" + date + "\n" + hex.EncodeToString(sum[:])))
	return string(canon), hex.EncodeToString(sum[:]), hex.EncodeToString(mac.Sum(nil))
}

// sortedHeaders puts hand-written vector headers in the order signedHeaders
// gives them to appendCanonicalRequest.
func sortedHeaders(hs []header) []header {
	out := slices.Clone(hs)
	slices.SortFunc(out, func(a, b header) int { return strings.Compare(a.name, b.name) })
	return out
}

// The worked example of Huawei Cloud's API request signing guide.
func TestCanonicalRequestAPIGatewayVector(t *testing.T) {
	canon, hash, sig := signCanonical(t, "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc", "GET",
		"/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs", "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0",
		"20191115T033655Z",
		[]header{{"x-sdk-date", "20191115T033655Z"}, {"host", "service.region.example.com"}, {"content-type", "application/json"}},
		emptyBodyHash)
	assert.Equal(t, "GET\n/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/\n"+
		"limit=2&marker=13551d6b-755d-4757-b956-536f674975c0\n"+
		"content-type:application/json\nhost:service.region.example.com\nx-sdk-date:20191115T033655Z\n\n"+
		"content-type;host;x-sdk-date\n"+emptyBodyHash, canon)
	assert.Equal(t, "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a", hash)
	assert.Equal(t, "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe", sig)
}

// The vectors computed with the official Huawei Cloud Go SDK for the HSS
// endpoint, with the query as url.Values encodes it ('+' for a space) and
// shuffled with other escapes.
func TestCanonicalRequestHSSVectors(t *testing.T) {
	const (
		path    = "/v5/0123456789abcdef0123456789abcdef/image/image-sync/tasks/task-1/registries"
		project = "0123456789abcdef0123456789abcdef"
		ua      = "huaweicloud-usdk-go/3.0; test-ua"
		wantQ   = "limit=20&offset=0&registry_name=my%20reg&registry_type=SwrPrivate%2CHarbor"
	)
	for _, query := range []string{
		"limit=20&offset=0&registry_name=my+reg&registry_type=SwrPrivate%2CHarbor",
		"registry_type=SwrPrivate%2cHarbor&registry_name=my%20reg&offset=0&limit=20",
		"&registry_name=my%20reg&&limit=20&registry_type=SwrPrivate,Harbor&offset=0&",
	} {
		headers := []header{{"x-sdk-date", vectorDate}, {"x-project-id", project}, {"user-agent", ua}}
		canon, hash, sig := signCanonical(t, "SecretKey", "GET", path, query, vectorDate, headers, emptyBodyHash)
		assert.Contains(t, canon, "\n"+wantQ+"\n", query)
		assert.Equal(t, "19a61fe6627e521670a6de41432cebda184b6daacfc648fdaffee521ba7f6118", hash, query)
		assert.Equal(t, "231d11df606ed93310d31f2182ad4cf3c1f3a3e930b32a66eb4313e85fbcdd29", sig, query)

		headers = append(headers, header{"x-security-token", "tok"})
		canon, _, sig = signCanonical(t, "SecretKey", "GET", path, query, vectorDate, headers, emptyBodyHash)
		assert.Contains(t, canon, "\nuser-agent;x-project-id;x-sdk-date;x-security-token\n")
		assert.Equal(t, "615a573899556656eb38d98086949ecb6dd5f30955abb0a1d5511288f1028125", sig, query)
	}
}

// Vectors computed from the documented algorithm with Python's hashlib and
// hmac (no Go code; testdata/vectors.py prints them), for requests whose
// signed header set Request produces: Host, X-Sdk-Date and the caller's
// headers. Each is signed by Request and must give the published
// signature, and verify with sigcheck.
func TestRequestIndependentVectors(t *testing.T) {
	cases := []struct {
		name, method, url, body, sk, token, signed, sig string
		header                                          http.Header
	}{
		{
			name: "escaped path and query", method: "GET",
			url: "http://h.example.com/v5/p/image/image-sync/tasks/%E4%BB%BB%E5%8A%A1:1/registries?b=2&name=my+reg%2f%C3%BC&a&b=1",
			sk:  "SecretKey", signed: "host;x-sdk-date",
			sig: "39fdb828a54bf085c8dfd71aac5fdd10e293dae9e69fa008802521a81df123c0",
		},
		{
			name: "same, escaped differently", method: "GET",
			url: "http://h.example.com/v5/p/image/image-sync/tasks/%e4%bb%bb%e5%8a%a1%3A1/registries?a=&b=1&b=2&name=my%20reg%2F%c3%bc",
			sk:  "SecretKey", signed: "host;x-sdk-date",
			sig: "39fdb828a54bf085c8dfd71aac5fdd10e293dae9e69fa008802521a81df123c0",
		},
		{
			name: "JSON body", method: "POST", url: "http://h.example.com/x", body: `{"a":1}`,
			sk: "SecretKey", signed: "host;x-sdk-date",
			sig: "cfbef2145a5187f83db07f0b9e0793c3130f3ae00bd8191767e0f83996583107",
		},
		{
			name: "unsigned payload", method: "PUT", url: "http://h.example.com/v1/objects/big", body: "ignored",
			header: http.Header{HeaderContentSHA256: {UnsignedPayload}},
			sk:     "SecretKey", signed: "host;x-sdk-content-sha256;x-sdk-date",
			sig: "1067af892a38a5ec59958c0ed00741e58c29a9a02a68f2238e9bf2b469af017d",
		},
		{
			name: "unsigned payload, header name in lower case", method: "PUT", url: "http://h.example.com/v1/objects/big", body: "ignored",
			header: http.Header{"x-sdk-content-sha256": {UnsignedPayload}},
			sk:     "SecretKey", signed: "host;x-sdk-content-sha256;x-sdk-date",
			sig: "1067af892a38a5ec59958c0ed00741e58c29a9a02a68f2238e9bf2b469af017d",
		},
		{
			// Sent as "X-List: a", "x-list: b  c": one value to the server.
			name: "repeated header", method: "GET", url: "http://h.example.com/x",
			header: http.Header{"X-List": {"  a "}, "x-list": {"b  c\t"}, "X-Empty": {}},
			sk:     "SecretKey", signed: "host;x-list;x-sdk-date",
			sig: "4f5c1cfc1468ef49bfd039175bfedc13c63b8bc16fd684f25d9c854dd40d7dae",
		},
		{
			name: "IPv6 host with a zone", method: "GET", url: "http://[fe80::1%25eth0]:8080/x",
			sk: "SecretKey", signed: "host;x-sdk-date",
			sig: "3732c6e12456f2164d9ad2d2a873ff80142fc697004de43deb1a4c32381c6908",
		},
		{
			// %2F is a '/' of the decoded path: it separates segments, as
			// the official signer and the gateway read it.
			name: "escaped slash", method: "GET", url: "http://h.example.com/v5/p/tasks/a%2Fb/registries",
			sk: "SecretKey", signed: "host;x-sdk-date",
			sig: "6ab2b913cd1cf2490f18ba0f991b6f7c7c93f5a54bc9b3421b772b29085f9fc0",
		},
		{
			name: "temporary key, unicode, escaped separators, '+' and empty values", method: "POST",
			url: "https://hss.cn-north-4.myhuaweicloud.com/v5/0123456789abcdef0123456789abcdef/image/image-sync/tasks/t%20%2B1%40%E5%90%8D/run" +
				"?q=a%3Db%26c&q=&plus=1%2B1&space=a+b&z&uni=%C3%BC&%E9%94%AE=v",
			body: `{"name":"任务 1","registries":["a+b","c&d"]}`,
			header: http.Header{
				"X-Project-Id": {"0123456789abcdef0123456789abcdef"},
				"Content-Type": {"application/json;charset=UTF-8"}, // never signed
			},
			sk: "sk-Full/Vector+Secret=1", token: "security-token-value",
			signed: "host;x-project-id;x-sdk-date;x-security-token",
			sig:    "631115001089e8a05a86facf4cd0706a056d25fa0765289abe802d703a7bf538",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, c.url, strings.NewReader(c.body))
			require.NoError(t, err)
			for k, v := range c.header {
				req.Header[k] = v
			}
			key := Key{AccessKey: "AccessKey", SecretKey: c.sk, SecurityToken: c.token}
			require.NoError(t, Request(req, key, vectorTime))

			signed, sig := authorization(t, req.Header)
			assert.Equal(t, c.signed, signed)
			assert.Equal(t, c.sig, sig)
			assert.Equal(t, vectorDate, req.Header.Get(HeaderDate))
			assert.Equal(t, c.token, req.Header.Get(HeaderSecurityToken))

			srv := receive(t, wire(t, req))
			ak, err := sigcheck.Verify(srv, lookup(key), vectorTime, skew)
			require.NoError(t, err)
			assert.Equal(t, "AccessKey", ak)
		})
	}
}

func TestCanonicalQuery(t *testing.T) {
	cases := []struct{ raw, want string }{
		{"", ""},
		{"b=2&a=3&b=1", "a=3&b=1&b=2"}, // keys sorted, then the values of a repeated key
		{"a=&b", "a=&b="},              // empty values; a key without '='
		{"&&a=1&", "a=1"},              // empty parts dropped
		{"=v", "=v"},                   // an empty key
		{"k=a+b%2Fc~*!'()", "k=a%20b%2Fc~%2A%21%27%28%29"}, // '+' is a space; only unreserved kept
		{"k=%2B", "k=%2B"}, // an escaped '+' is a plus
		{"name=%e4%bb%bb%E5%8A%A1", "name=%E4%BB%BB%E5%8A%A1"},
		{"name=任务", "name=%E4%BB%BB%E5%8A%A1"}, // raw UTF-8 as sent
		{"q=%3D%26", "q=%3D%26"},               // escaped separators stay data
		{"a%2F=2&a.=1", "a.=1&a%2F=2"},         // sorted by the decoded key: '.' < '/'
		{"a+=2&a=1&a%20b=0", "a=1&a%20=2&a%20b=0"},
		{"x=b&x=a&x=", "x=&x=a&x=b"},         // an empty value sorts first
		{"Z=1&a=1&_=1", "Z=1&_=1&a=1"},       // byte order, case-sensitive
		{"key=v=w", "key=v%3Dw"},             // only the first '=' separates
		{"%F0%9F%98%80=1", "%F0%9F%98%80=1"}, // 4-byte UTF-8 key
		{"%7E%41=%2d", "~A=-"},               // unreserved characters are decoded
		{"a=1;b=2", "a=1%3Bb%3D2"},           // ';' is data, not a separator
	}
	for _, c := range cases {
		got, err := appendCanonicalQuery(nil, c.raw)
		require.NoError(t, err, c.raw)
		assert.Equal(t, c.want, string(got), c.raw)
	}
	// More pairs than the stack array holds.
	many := strings.Repeat("k=9&", 20) + "k=1"
	got, err := appendCanonicalQuery(nil, many)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(got), "k=1&k=9&"), string(got))

	for _, bad := range []string{"a=%zz", "a=%2", "%=1", "a=%", "a=1&b=%g0"} {
		_, err := appendCanonicalQuery(nil, bad)
		var se *Error
		require.ErrorAs(t, err, &se, bad)
		assert.Contains(t, se.Reason, "malformed %-escape in the query")
	}
}

// The path given is the decoded one (URL.Path).
func TestCanonicalURI(t *testing.T) {
	cases := []struct{ path, want string }{
		{"", "/"},
		{"/", "/"},
		{"/v5/p/image/image-sync/tasks/t/registries", "/v5/p/image/image-sync/tasks/t/registries/"},
		{"/gw/hss/v5/p/", "/gw/hss/v5/p/"}, // a trailing '/' is not doubled
		{"/v5/a:b@c$d", "/v5/a%3Ab%40c%24d/"},
		{"/v5/任务", "/v5/%E4%BB%BB%E5%8A%A1/"},
		{"/v5/a/b", "/v5/a/b/"}, // what a%2Fb decodes to
		{"/v5/a+b c", "/v5/a%2Bb%20c/"},
		{"/v5/~a-_.", "/v5/~a-_./"},
		{"/v5/100%", "/v5/100%25/"},
		{"//x//", "//x//"},
		{"/\xff", "/%FF/"}, // bytes, not runes
	}
	for _, c := range cases {
		assert.Equal(t, c.want, string(appendCanonicalURI(nil, c.path)), c.path)
	}
}

func TestCanonicalHeadersTrimValues(t *testing.T) {
	buf, err := appendCanonicalRequest(nil, "", "/", "", []header{{"host", "h"}, {"x-a", "  v  w \t"}}, emptyBodyHash)
	require.NoError(t, err)
	assert.Equal(t, "GET\n/\n\nhost:h\nx-a:v  w\n\nhost;x-a\n"+emptyBodyHash, string(buf), "an empty method is GET")
}
