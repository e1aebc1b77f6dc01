package hss

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCredentialsErrorMessages(t *testing.T) {
	cases := []struct {
		err  *CredentialsError
		want string
	}{
		{&CredentialsError{Source: "IAM", URL: "https://iam/v3/auth/tokens", StatusCode: 401, Code: "IAM.0004", Message: "wrong", RequestID: "r1"},
			"hss: IAM https://iam/v3/auth/tokens: 401 IAM.0004: wrong (request id r1)"},
		{&CredentialsError{Source: "IAM", URL: "https://iam/v3/auth/tokens", StatusCode: 503},
			"hss: IAM https://iam/v3/auth/tokens: 503 Service Unavailable"},
		{&CredentialsError{Source: "ECS metadata", URL: "http://m/k", Err: errors.New("dial failed")},
			"hss: ECS metadata http://m/k: dial failed"},
		{&CredentialsError{Source: "ECS metadata"}, "hss: ECS metadata: failed"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, c.err.Error())
	}
	inner := errors.New("x")
	assert.ErrorIs(t, &CredentialsError{Source: "IAM", Err: inner}, inner)
	for code, want := range map[int]bool{0: false, 400: true, 401: true, 403: true, 404: true, 408: false, 429: false, 500: false, 503: false} {
		assert.Equal(t, want, (&CredentialsError{StatusCode: code}).NonRetryable(), code)
	}
}
