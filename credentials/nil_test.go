// Nil receivers: every exported method on a pointer receiver answers a nil receiver without panicking.
package credentials_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss/credentials"
)

// TestNilReceivers calls every exported method on a pointer receiver of
// the package with a nil receiver: errors read "<nil>" and unwrap to nil,
// a nil Error refused nothing, sources say they were not made, and a nil
// Chain gives a *ConfigError rather than read the environment.
func TestNilReceivers(t *testing.T) {
	ctx := context.Background()
	var (
		cache   *credentials.Cache
		chain   *credentials.Chain
		cfgErr  *credentials.ConfigError
		srcErr  *credentials.Error
		meta    *credentials.Metadata
		profile *credentials.Profile
		static  *credentials.Static
		tokens  *credentials.TokenSource
	)
	configError := func(err error) any {
		var ce *credentials.ConfigError
		if errors.As(err, &ce) && ce != nil {
			return "ConfigError"
		}
		return err
	}
	retrieved := func(p credentials.Provider) func() any {
		return func() any {
			v, err := p.Retrieve(ctx)
			assert.Equal(t, credentials.Value{}, v)
			return configError(err)
		}
	}
	for _, tc := range []struct {
		name string
		call func() any
		want any
	}{
		{"(*Cache).Retrieve", retrieved(cache), "ConfigError"},
		{"(*Cache).Invalidate", func() any { cache.Invalidate(credentials.Value{}); return nil }, nil},
		{"(*Chain).Provider", func() any {
			p, err := chain.Provider(ctx)
			assert.Nil(t, p)
			return configError(err)
		}, "ConfigError"},
		{"(*Chain).Profile", func() any {
			p, err := chain.Profile()
			assert.Nil(t, p)
			return configError(err)
		}, "ConfigError"},
		{"(*Chain).ProfilePath", func() any { return chain.ProfilePath() }, ""},
		{"(*ConfigError).Error", func() any { return cfgErr.Error() }, "<nil>"},
		{"(*ConfigError).Unwrap", func() any { return cfgErr.Unwrap() }, nil},
		{"(*Error).Error", func() any { return srcErr.Error() }, "<nil>"},
		{"(*Error).Unwrap", func() any { return srcErr.Unwrap() }, nil},
		{"(*Error).Refused", func() any { return srcErr.Refused() }, false},
		{"(*Metadata).Retrieve", retrieved(meta), "ConfigError"},
		{"(*Metadata).Invalidate", func() any { meta.Invalidate(credentials.Value{}); return nil }, nil},
		{"(*Metadata).URL", func() any { return meta.URL() }, ""},
		{"(*Profile).HasKeys", func() any { return profile.HasKeys() }, false},
		{"(*Profile).Retrieve", retrieved(profile), "ConfigError"},
		{"(*Static).Retrieve", retrieved(static), "ConfigError"},
		{"(*TokenSource).Retrieve", retrieved(tokens), "ConfigError"},
		{"(*TokenSource).Token", func() any {
			tok, err := tokens.Token(ctx)
			assert.Empty(t, tok)
			return configError(err)
		}, "ConfigError"},
		{"(*TokenSource).Invalidate", func() any { tokens.Invalidate(credentials.Value{}); return nil }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got any
			require.NotPanics(t, func() { got = tc.call() })
			assert.Equal(t, tc.want, got)
		})
	}
}
