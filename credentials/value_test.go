// Value and Static: what Validate accepts, the helpers, and a Static not made by NewStatic.
package credentials_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/sign"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValueValidate(t *testing.T) {
	valid := []credentials.Value{
		{Token: "t"},
		{Token: strings.Repeat("t", 32768)},
		{AccessKey: testAK, SecretKey: testSK},
		{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken, Expires: epoch},
	}
	for _, v := range valid {
		assert.NoError(t, v.Validate())
	}
	cases := []struct {
		name  string
		v     credentials.Value
		field string
	}{
		{"nothing", credentials.Value{Source: "src"}, ""},
		{"token and key", credentials.Value{Token: "token-value-SECRET", AccessKey: testAK, SecretKey: testSK}, ""},
		{"token and security token", credentials.Value{Token: "token-value-SECRET", SecurityToken: testToken}, ""},
		{"token with spaces", credentials.Value{Token: " " + testToken}, "token"},
		{"token too long", credentials.Value{Token: strings.Repeat("t", 32769)}, "token"},
		{"token of multi-byte characters too long", credentials.Value{Token: strings.Repeat("é", 16385)}, "token"},
		{"token not UTF-8", credentials.Value{Token: testToken + "\xff"}, "token"},
		{"ak without sk", credentials.Value{AccessKey: testAK}, "sk"},
		{"sk without ak", credentials.Value{SecretKey: testSK}, "ak"},
		{"security token alone", credentials.Value{SecurityToken: testToken}, "ak"},
		{"sk with newline", credentials.Value{AccessKey: testAK, SecretKey: testSK + "\n"}, "sk"},
		{"security token with CR", credentials.Value{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken + "\r"}, "security_token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.v.Validate()
			var ce *credentials.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, c.field, ce.Field)
			assert.Equal(t, c.v.Source, ce.Source)
			assertNoSecrets(t, err.Error(), testSK, testToken, c.v.Token)

			_, err = credentials.NewStatic(c.v)
			require.ErrorAs(t, err, &ce)
		})
	}
}

func TestValueHelpers(t *testing.T) {
	v := credentials.Value{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken, Expires: epoch}
	assert.Equal(t, sign.Key{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken}, v.Key())
	assert.False(t, v.Expired(epoch.Add(-time.Nanosecond)))
	assert.True(t, v.Expired(epoch))
	assert.False(t, credentials.Value{Token: "t"}.Expired(epoch.Add(100*365*24*time.Hour)), "no expiry")
}

func TestStatic(t *testing.T) {
	s, err := credentials.NewStatic(credentials.Value{Token: "tok-value", Source: "test"})
	require.NoError(t, err)
	assert.Equal(t, credentials.Value{Token: "tok-value", Source: "test"}, retrieve(t, s))

	var nilStatic *credentials.Static
	for _, s := range []*credentials.Static{nilStatic, {}} {
		assert.NotPanics(t, func() {
			_, err := s.Retrieve(context.Background())
			var ce *credentials.ConfigError
			require.ErrorAs(t, err, &ce)
		})
	}
}
