// NewClientFromEnv: a Client from the environment's variables or credentials file, and the errors that name what is missing.
package hss_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
)

// envLookup is a WithGetenv map lookup.
func envLookup(m map[string]string) hss.Option {
	return hss.WithGetenv(func(k string) string { return m[k] })
}

func TestNewClientFromEnv(t *testing.T) {
	srv := hsstest.NewServer(hsstest.WithSeed("task", 3), hsstest.WithAKSK("AKENVTEST0001", "env-secret-key-1"))
	defer srv.Close()
	ctx := context.Background()

	// A token from the map, nothing read from the process environment.
	c, err := hss.NewClientFromEnv(ctx, envLookup(map[string]string{
		credentials.EnvEndpoint: srv.URL(), credentials.EnvProjectID: srv.ProjectID(), credentials.EnvToken: srv.Token(),
	}), hss.WithHTTPClient(srv.HTTPClient()))
	require.NoError(t, err)
	page, err := c.ListSyncTaskRegistries(ctx, "task", nil)
	require.NoError(t, err)
	assert.Equal(t, 3, page.TotalNum)

	// Keys and the project from a credentials file under the map's HOME.
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".huaweicloud"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(home, ".huaweicloud", "credentials"),
		[]byte("[basic]\nak = AKENVTEST0001\nsk = env-secret-key-1\nproject_id = "+srv.ProjectID()+"\n"), 0o600))
	c, err = hss.NewClientFromEnv(ctx, envLookup(map[string]string{credentials.EnvEndpoint: srv.URL(), "HOME": home}),
		hss.WithHTTPClient(srv.HTTPClient()))
	require.NoError(t, err)
	_, err = c.ListSyncTaskRegistries(ctx, "task", nil)
	require.NoError(t, err)
	reqs := srv.Requests()
	assert.Equal(t, hsstest.AuthAKSK, reqs[len(reqs)-1].Auth)

	// An option's credentials win: the chain is not searched (the map has none).
	_, err = hss.NewClientFromEnv(ctx, envLookup(map[string]string{credentials.EnvEndpoint: srv.URL(), credentials.EnvProjectID: "p"}),
		hss.WithToken("token-from-an-option"))
	require.NoError(t, err)
}

func TestNewClientFromEnvErrors(t *testing.T) {
	ctx := context.Background()
	var ve *hss.ValidationError

	//lint:ignore SA1012 a nil context is what this checks
	_, err := hss.NewClientFromEnv(nil, envLookup(nil)) //nolint:staticcheck
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "ctx", ve.Field)

	_, err = hss.NewClientFromEnv(ctx, envLookup(map[string]string{credentials.EnvToken: "t"}))
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "endpoint", ve.Field)
	assert.Contains(t, ve.Reason, "$HSS_REGION")

	_, err = hss.NewClientFromEnv(ctx, envLookup(map[string]string{credentials.EnvRegion: "Mars"}))
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "$HSS_REGION", ve.Field, "names the variable the value came from")

	// A bad endpoint is reported before credentials are looked for (the
	// map has none).
	_, err = hss.NewClientFromEnv(ctx, envLookup(map[string]string{credentials.EnvEndpoint: "http://hss.example.com", credentials.EnvProjectID: "p"}))
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "endpoint", ve.Field)
	assert.False(t, errors.Is(err, credentials.ErrNoCredentials))

	_, err = hss.NewClientFromEnv(ctx, envLookup(map[string]string{credentials.EnvEndpoint: "https://hss.example.com"}))
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "project_id", ve.Field)

	// A broken credentials file is a *credentials.ConfigError naming it.
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".huaweicloud"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(home, ".huaweicloud", "credentials"), []byte("[basic]\nnot a pair\n"), 0o600))
	_, err = hss.NewClientFromEnv(ctx, envLookup(map[string]string{credentials.EnvEndpoint: "https://hss.example.com", "HOME": home}))
	var ce *credentials.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, err.Error(), "line 2")

	// Nothing anywhere: ErrNoCredentials, naming the places looked at.
	_, err = hss.NewClientFromEnv(ctx, envLookup(map[string]string{credentials.EnvEndpoint: "https://hss.example.com", credentials.EnvProjectID: "p"}))
	require.ErrorIs(t, err, credentials.ErrNoCredentials)
	assert.Contains(t, err.Error(), "$HSS_TOKEN")
}
