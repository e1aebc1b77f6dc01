// Helpers of the internal tests: the vectors' date, a key lookup, and a request sent over the wire and read back.
package sign

import (
	"bufio"
	"bytes"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// vectorDate is the X-Sdk-Date of the independent vectors, and vectorTime
// the same moment.
const vectorDate = "20250101T000000Z"

var vectorTime = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// skew is how far sigcheck lets X-Sdk-Date be from its clock here.
const skew = time.Minute

// lookup resolves the AK of key, and no other, for sigcheck.Verify.
func lookup(key Key) func(string) (string, bool) {
	return func(ak string) (string, bool) {
		if ak != key.AccessKey {
			return "", false
		}
		return key.SecretKey, true
	}
}

// wire writes req as a client sends it (consuming its body) and returns the
// bytes, so that the request the server receives can be read back from
// them as often as a test needs.
func wire(t testing.TB, req *http.Request) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, req.Write(&buf))
	return buf.Bytes()
}

// receive reads the request a server gets from raw.
func receive(t testing.TB, raw []byte) *http.Request {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	require.NoError(t, err)
	return r
}

// authorization splits the Authorization header Request wrote into its
// signed header names and its signature.
func authorization(t testing.TB, h http.Header) (signedHeaders, signature string) {
	t.Helper()
	m := authzPattern.FindStringSubmatch(h.Get("Authorization"))
	require.NotNil(t, m, "Authorization header %q", h.Get("Authorization"))
	return m[1], m[2]
}

// authzPattern is the Authorization header Request writes.
var authzPattern = regexp.MustCompile(`^SDK-HMAC-SHA256 Access=[A-Za-z0-9._-]+, SignedHeaders=([a-z0-9;!#$%&'*+.^` + "`" + `|~-]+), Signature=([0-9a-f]{64})$`)
