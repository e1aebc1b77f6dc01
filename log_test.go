// The log's query: secret-looking parameters are written as REDACTED.
package hss

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRedactQuery: the values of secret-looking keys are logged as
// REDACTED, whatever their case or escaping; other parameters stay as sent.
func TestRedactQuery(t *testing.T) {
	cases := map[string]string{
		"":                                    "",
		"limit=200&offset=0":                  "limit=200&offset=0",
		"token=abc&limit=10":                  "token=REDACTED&limit=10",
		"X-Auth-Token=abc":                    "X-Auth-Token=REDACTED",
		"access_key=AK&sk=s&x-ak=a&task=t1":   "access_key=REDACTED&sk=REDACTED&x-ak=REDACTED&task=t1",
		"Pass%77ord=p&q=1":                    "Pass%77ord=REDACTED&q=1",
		"signature":                           "signature",
		"sig%zz=1&a=b":                        "sig%zz=REDACTED&a=b",
		"registry_name=my%20reg&secretx=v%20": "registry_name=my%20reg&secretx=REDACTED",
		"sig=abc&pwd=x&user_pass=y&design=d":  "sig=REDACTED&pwd=REDACTED&user_pass=REDACTED&design=d",
		"SessionId=s&cookie=c&otp=1":          "SessionId=REDACTED&cookie=REDACTED&otp=REDACTED",
	}
	for in, want := range cases {
		assert.Equal(t, want, redactQuery(in), in)
	}
}
