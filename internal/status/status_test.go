// The status table: what each HTTP status and error code of an answer, or of a credential source, means for retries and the Is helpers.
package status

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestOf(t *testing.T) {
	cases := []struct {
		code int
		err  string
		want Class
	}{
		{200, "", Other},
		{400, "HSS.0001", Other},
		{400, "HSS.0002", Other},
		{400, "HSS.0011", NotFound}, // HSS says "not found" with a 400
		{404, "HSS.0011", NotFound},
		{400, "HSS.0010", Auth},
		{400, "HSS.0013", Auth},
		{401, "APIGW.0301", Auth},
		{403, "APIGW.0302", Auth},
		{401, "APIGW.0305", Auth},
		{403, "APIGW.0306", Auth},
		{401, "APIGW.0307", TokenExpired},
		{403, "APIGW.0307", Auth}, // only a 401 says "renew the token"
		{403, "APIGW.0310", Auth},
		{401, "", Auth},
		{403, "", Auth},
		{429, "APIGW.0308", Throttled},
		{429, "", Throttled},
		{403, "APIGW.0308", Throttled}, // the code wins over the status
		{404, "APIGW.0101", Other},
		{400, "APIGW.0201", Other},
		{408, "", Transient},
		{500, "APIGW.0601", Transient},
		{502, "APIGW.0201", Transient},
		{503, "APIGW.0613", Transient},
		{504, "", Transient},
		{501, "", Other},
		{413, "APIGW.0201", Other},
		{0, "", Other},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, Of(c.code, c.err), "%d %s", c.code, c.err)
	}
}

func TestOfSource(t *testing.T) {
	for code, want := range map[int]Class{
		400: Auth, 401: Auth, 403: Auth, 404: Auth,
		429: Throttled,
		408: Transient, 500: Transient, 502: Transient, 503: Transient, 504: Transient,
		0: Other, 200: Other, 201: Other, 307: Other, 409: Other, 501: Other,
	} {
		assert.Equal(t, want, OfSource(code), "%d", code)
	}
}
