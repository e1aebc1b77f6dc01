// Chain: the order of the sources, half-set sources, what a Getenv of its own keeps it from, and concurrent use.
package credentials_test

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingMetadata is a metadata URL that counts the requests it gets and
// answers 404: a Chain must ask it only when told to.
func countingMetadata(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/openstack/latest/securitykey", &hits
}

// chainFor is a Chain reading vars only, whose metadata step (if it is
// ever taken) reaches a local server that counts.
func chainFor(t *testing.T, vars map[string]string) (*credentials.Chain, *atomic.Int32) {
	t.Helper()
	u, hits := countingMetadata(t)
	return &credentials.Chain{Getenv: lookup(vars), Metadata: credentials.MetadataConfig{URL: u}}, hits
}

func TestChainToken(t *testing.T) {
	chain, hits := chainFor(t, map[string]string{
		credentials.EnvToken: "  env-token-value  ", // stray spaces of a pasted value are dropped
		credentials.EnvAK:    testAK, credentials.EnvSK: testSK,
	})
	p, err := chain.Provider(context.Background())
	require.NoError(t, err)
	assert.IsType(t, &credentials.Static{}, p)
	assert.Equal(t, credentials.Value{Token: "env-token-value", Source: "$HSS_TOKEN"}, retrieve(t, p))
	assert.Zero(t, hits.Load())
}

func TestChainAccessKey(t *testing.T) {
	for _, token := range []string{"", testToken} {
		chain, _ := chainFor(t, map[string]string{
			credentials.EnvAK: testAK, credentials.EnvSK: " " + testSK + "\n", credentials.EnvSecurityToken: token,
		})
		p, err := chain.Provider(context.Background())
		require.NoError(t, err)
		assert.Equal(t, credentials.Value{AccessKey: testAK, SecretKey: testSK, SecurityToken: token, Source: "$HUAWEICLOUD_SDK_AK"}, retrieve(t, p))
	}
}

// A source half set up is a *ConfigError naming the variables, never
// their values; the Chain does not go on to the next source.
func TestChainHalfSetVariables(t *testing.T) {
	cases := []struct {
		name       string
		ak, sk, st string
		want       string
	}{
		{"ak only", testAK, "", "", "$HUAWEICLOUD_SDK_AK is set but $HUAWEICLOUD_SDK_SK is not"},
		{"sk only", "", testSK, "", "$HUAWEICLOUD_SDK_SK is set but $HUAWEICLOUD_SDK_AK is not"},
		{"token only", "", "", testToken, "$HUAWEICLOUD_SDK_SECURITY_TOKEN is set without $HUAWEICLOUD_SDK_AK and $HUAWEICLOUD_SDK_SK"},
		{"ak and token", testAK, "", testToken, "$HUAWEICLOUD_SDK_AK is set but $HUAWEICLOUD_SDK_SK is not"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			home := t.TempDir()
			writeHomeProfile(t, home, "[basic]\nak = "+testAK+"\nsk = "+testSK+"\n") // never reached
			chain, hits := chainFor(t, map[string]string{
				credentials.EnvAK: c.ak, credentials.EnvSK: c.sk, credentials.EnvSecurityToken: c.st,
				"HOME": home, credentials.EnvNoMetadata: "false",
			})
			_, err := chain.Provider(context.Background())
			var ce *credentials.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "environment", ce.Source)
			assert.Contains(t, err.Error(), c.want)
			assert.NotErrorIs(t, err, credentials.ErrNoCredentials)
			assertNoSecrets(t, err.Error(), testSK, testToken)
			assert.Zero(t, hits.Load())
		})
	}
}

// Values a header cannot carry are refused where they are found.
func TestChainRefusesBadValues(t *testing.T) {
	cases := []struct {
		name  string
		vars  map[string]string
		field string
	}{
		{"token with a newline", map[string]string{credentials.EnvToken: "tok\nen-secret-value"}, "token"},
		{"sk with a control character", map[string]string{credentials.EnvAK: testAK, credentials.EnvSK: "sk\x01" + testSK}, "sk"},
		{"ak with a space", map[string]string{credentials.EnvAK: "AK AK", credentials.EnvSK: testSK}, "ak"},
		{"token with CRLF", map[string]string{credentials.EnvAK: testAK, credentials.EnvSK: testSK, credentials.EnvSecurityToken: "a\r\n" + testToken}, "security_token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			chain, _ := chainFor(t, c.vars)
			_, err := chain.Provider(context.Background())
			var ce *credentials.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, c.field, ce.Field)
			assertNoSecrets(t, err.Error(), testSK, testToken, "en-secret-value")
		})
	}
}

func TestChainProfile(t *testing.T) {
	path := writeFile(t, t.TempDir(), "elsewhere", profileText)
	chain, hits := chainFor(t, map[string]string{credentials.EnvCredentialsFile: path, credentials.EnvNoMetadata: "false"})
	p, err := chain.Provider(context.Background())
	require.NoError(t, err)
	prof, ok := p.(*credentials.Profile)
	require.True(t, ok, "%T", p)
	assert.Equal(t, testProject, prof.ProjectID)
	assert.Equal(t, credentials.Value{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken, Source: path}, retrieve(t, p))
	assert.Equal(t, path, chain.ProfilePath())
	assert.Zero(t, hits.Load(), "the metadata service is not asked when the file has keys")
}

// The environment's keys win over the file's.
func TestChainEnvironmentBeforeProfile(t *testing.T) {
	home := t.TempDir()
	writeHomeProfile(t, home, "[basic]\nak = FILEAK\nsk = file-secret\n")
	chain, _ := chainFor(t, map[string]string{"HOME": home, credentials.EnvAK: testAK, credentials.EnvSK: testSK})
	p, err := chain.Provider(context.Background())
	require.NoError(t, err)
	assert.Equal(t, testAK, retrieve(t, p).AccessKey)

	// The file is still there for its project id.
	prof, err := chain.Profile()
	require.NoError(t, err)
	assert.Equal(t, "FILEAK", prof.AccessKey)
}

// With a Getenv of its own the Chain finds the home directory through it,
// never through the process: the developer's own credentials file stays
// out of tests.
func TestChainHomeFromLookupOnly(t *testing.T) {
	realHome := t.TempDir()
	writeHomeProfile(t, realHome, "[basic]\nak = REALHOMEAK\nsk = real-home-secret\n")
	t.Setenv("HOME", realHome)
	t.Setenv("USERPROFILE", realHome)
	t.Setenv(credentials.EnvAK, "PROCESSAK")
	t.Setenv(credentials.EnvSK, "process-secret")

	mapHome := t.TempDir()
	mapProfile := writeHomeProfile(t, mapHome, "[basic]\nak = "+testAK+"\nsk = "+testSK+"\n")
	chain, _ := chainFor(t, map[string]string{"HOME": mapHome, "USERPROFILE": mapHome})
	p, err := chain.Provider(context.Background())
	require.NoError(t, err)
	assert.Equal(t, testAK, retrieve(t, p).AccessKey)
	assert.Equal(t, mapProfile, chain.ProfilePath())

	// No HOME in the map: no file at all, and no metadata either.
	chain, hits := chainFor(t, map[string]string{})
	_, err = chain.Provider(context.Background())
	require.ErrorIs(t, err, credentials.ErrNoCredentials)
	assert.Contains(t, err.Error(), "~/.huaweicloud/credentials (no home directory)")
	assert.NotContains(t, err.Error(), realHome)
	assert.Zero(t, hits.Load())
}

// With Getenv nil the Chain reads the process environment, and the home
// directory is the user's.
func TestChainProcessEnvironment(t *testing.T) {
	for _, name := range []string{credentials.EnvToken, credentials.EnvAK, credentials.EnvSK, credentials.EnvSecurityToken, credentials.EnvCredentialsFile} {
		t.Setenv(name, "")
	}
	t.Setenv(credentials.EnvNoMetadata, "true")
	home := t.TempDir()
	t.Setenv("HOME", home)
	path := writeHomeProfile(t, home, "[basic]\nak = "+testAK+"\nsk = "+testSK+"\n")
	u, hits := countingMetadata(t)

	chain := &credentials.Chain{Metadata: credentials.MetadataConfig{URL: u}}
	p, err := chain.Provider(context.Background())
	require.NoError(t, err)
	assert.Equal(t, path, retrieve(t, p).Source)

	t.Setenv(credentials.EnvToken, "process-token")
	p, err = (&credentials.Chain{Metadata: credentials.MetadataConfig{URL: u}}).Provider(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "process-token", retrieve(t, p).Token)
	assert.Zero(t, hits.Load())
}

// The ECS metadata service is asked only when allowed: with the process
// environment unless $HSS_NO_METADATA is true, with a lookup only when it
// says "false".
func TestChainMetadataOnlyWhenAllowed(t *testing.T) {
	cases := []struct {
		name  string
		vars  map[string]string // nil: the process environment
		asked bool
	}{
		{"lookup without the variable", map[string]string{}, false},
		{"lookup with true", map[string]string{credentials.EnvNoMetadata: "true"}, false},
		{"lookup with 1", map[string]string{credentials.EnvNoMetadata: "1"}, false},
		{"lookup with false", map[string]string{credentials.EnvNoMetadata: "false"}, true},
		{"lookup with FALSE", map[string]string{credentials.EnvNoMetadata: " FALSE "}, true},
		{"process without the variable", nil, true},
		{"process with true", map[string]string{credentials.EnvNoMetadata: "true"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, hits := countingMetadata(t)
			chain := &credentials.Chain{Metadata: credentials.MetadataConfig{URL: u}}
			if strings.HasPrefix(c.name, "lookup") {
				chain.Getenv = lookup(c.vars)
			} else {
				for _, name := range []string{credentials.EnvToken, credentials.EnvAK, credentials.EnvSK, credentials.EnvSecurityToken, credentials.EnvCredentialsFile, credentials.EnvNoMetadata} {
					t.Setenv(name, c.vars[name])
				}
				t.Setenv("HOME", t.TempDir())
			}
			_, err := chain.Provider(context.Background())
			require.ErrorIs(t, err, credentials.ErrNoCredentials)
			if c.asked {
				assert.EqualValues(t, 1, hits.Load())
				assert.Contains(t, err.Error(), "ECS metadata (credentials: ECS metadata "+strings.TrimPrefix(strings.TrimSuffix(u, "/openstack/latest/securitykey"), "http://")+": 404")
			} else {
				assert.Zero(t, hits.Load())
				assert.Contains(t, err.Error(), "ECS metadata (skipped: $HSS_NO_METADATA is not false)")
			}
		})
	}

	chain, hits := chainFor(t, map[string]string{credentials.EnvNoMetadata: "maybe"})
	_, err := chain.Provider(context.Background())
	var ce *credentials.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "$HSS_NO_METADATA", ce.Field)
	assert.Zero(t, hits.Load())
}

// Keys from the metadata service serve the first call: the probe's fetch
// is not repeated.
func TestChainMetadata(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	ms := newMetadataServer(t, clk)
	chain := &credentials.Chain{Getenv: lookup(map[string]string{credentials.EnvNoMetadata: "false"}), Metadata: ms.config()}
	p, err := chain.Provider(context.Background())
	require.NoError(t, err)
	m, ok := p.(*credentials.Metadata)
	require.True(t, ok, "%T", p)
	assert.Equal(t, ms.url(), m.URL())
	assert.Equal(t, "tmp-token-secret-1", retrieve(t, p).SecurityToken)
	assert.EqualValues(t, 1, ms.hits.Load())
}

// The caller's context bounds the metadata probe: a caller whose context
// has ended gets its error at once, though the service hangs.
func TestChainMetadataContext(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	ms := newMetadataServer(t, clk)
	hang := newGate()
	t.Cleanup(hang.open)
	ms.hold = func(int) *gate { return hang }
	chain := &credentials.Chain{Getenv: lookup(map[string]string{credentials.EnvNoMetadata: "false"}), Metadata: ms.config()}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var err error
	mustReturn(t, "Provider with its context cancelled", func() { _, err = chain.Provider(ctx) })
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, credentials.ErrNoCredentials)
}

// A credentials file named by $HUAWEICLOUD_SDK_CREDENTIALS_FILE that is
// not there is a configuration error, not a place to skip.
func TestChainNamedFileMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "absent")
	chain, hits := chainFor(t, map[string]string{credentials.EnvCredentialsFile: missing, credentials.EnvNoMetadata: "false"})
	_, err := chain.Provider(context.Background())
	var ce *credentials.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.NotErrorIs(t, err, credentials.ErrNoCredentials)
	assert.Contains(t, err.Error(), missing+": cannot read the credentials file; $HUAWEICLOUD_SDK_CREDENTIALS_FILE names it")
	assert.Zero(t, hits.Load(), "no metadata asked")
}

// When nothing is found the error lists every place looked at.
func TestChainNothingFound(t *testing.T) {
	home := t.TempDir()
	missing := filepath.Join(home, ".huaweicloud", "credentials")
	chain, hits := chainFor(t, map[string]string{"HOME": home, credentials.EnvNoMetadata: "false"})
	_, err := chain.Provider(context.Background())
	require.ErrorIs(t, err, credentials.ErrNoCredentials)
	assert.EqualValues(t, 1, hits.Load())
	for _, want := range []string{
		"credentials: no credentials found; looked at: ",
		"$HSS_TOKEN; ",
		"$HUAWEICLOUD_SDK_AK and $HUAWEICLOUD_SDK_SK; ",
		"[basic] ak and sk in " + missing + " (not found); ",
		"ECS metadata (credentials: ECS metadata 127.0.0.1:",
	} {
		assert.Contains(t, err.Error(), want)
	}

	// A file without keys is looked at too.
	home = t.TempDir()
	path := writeHomeProfile(t, home, "[basic]\nproject_id = p\n")
	chain, _ = chainFor(t, map[string]string{"HOME": home})
	_, err = chain.Provider(context.Background())
	require.ErrorIs(t, err, credentials.ErrNoCredentials)
	assert.Contains(t, err.Error(), "[basic] ak and sk in "+path+"; ")
}

// A credentials file that is there but broken is an error, not a reason
// to look further.
func TestChainBrokenProfile(t *testing.T) {
	cases := map[string]string{
		"half set":         "[basic]\nsk = " + testSK + "\n",
		"malformed":        "[basic]\n" + testSK + "\n",
		"two [basic]":      "[basic]\nak = " + testAK + "\n[basic]\nsk = " + testSK + "\n",
		"bad secret chars": "[basic]\nak = " + testAK + "\nsk = " + testSK + "\t\x01\n",
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "credentials", content)
			chain, hits := chainFor(t, map[string]string{credentials.EnvCredentialsFile: path, credentials.EnvNoMetadata: "false"})
			_, err := chain.Provider(context.Background())
			var ce *credentials.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, err.Error(), path)
			assert.NotErrorIs(t, err, credentials.ErrNoCredentials)
			assertNoSecrets(t, err.Error(), testSK)
			assert.Zero(t, hits.Load())
		})
	}
}

// A Chain reads its credentials file once.
func TestChainReadsProfileOnce(t *testing.T) {
	path := writeFile(t, t.TempDir(), "credentials", "[basic]\nak = "+testAK+"\nsk = "+testSK+"\nproject_id = p1\n")
	chain, _ := chainFor(t, map[string]string{credentials.EnvCredentialsFile: path})
	first, err := chain.Profile()
	require.NoError(t, err)
	require.NoError(t, os.Remove(path))
	again, err := chain.Profile()
	require.NoError(t, err)
	assert.Same(t, first, again)
	_, err = chain.Provider(context.Background())
	require.NoError(t, err)
}

// Nothing the Chain logs or returns names a secret, on any path that
// handles one.
func TestChainErrorsHoldNoSecrets(t *testing.T) {
	for _, vars := range []map[string]string{
		{credentials.EnvToken: "bad\nsecret-token-value"},
		{credentials.EnvAK: testAK, credentials.EnvSK: "bad\nsecret-key-value"},
		{credentials.EnvSK: testSK, credentials.EnvSecurityToken: testToken},
		{credentials.EnvSecurityToken: testToken},
	} {
		chain, _ := chainFor(t, vars)
		_, err := chain.Provider(context.Background())
		require.Error(t, err)
		assertNoSecrets(t, err.Error(), testSK, testToken, "secret-token-value", "secret-key-value")
	}
}

// A Chain that gets as far as the metadata service with a URL that cannot
// work returns the *ConfigError, rather than looking on and reporting
// that it found nothing.
func TestChainMetadataBadURL(t *testing.T) {
	chain := &credentials.Chain{Getenv: lookup(map[string]string{credentials.EnvNoMetadata: "false"}),
		Metadata: credentials.MetadataConfig{URL: "ftp://169.254.169.254/x"}}
	_, err := chain.Provider(context.Background())
	var ce *credentials.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "URL", ce.Field)
	assert.NotErrorIs(t, err, credentials.ErrNoCredentials)

	chain = &credentials.Chain{Getenv: lookup(nil), Metadata: chain.Metadata} // metadata skipped: the URL is not looked at
	_, err = chain.Provider(context.Background())
	assert.ErrorIs(t, err, credentials.ErrNoCredentials)
}

// A Chain may be used from several goroutines at once; run with -race.
func TestChainConcurrentUse(t *testing.T) {
	path := writeFile(t, t.TempDir(), "credentials", "[basic]\nak = "+testAK+"\nsk = "+testSK+"\nproject_id = p1\n")
	chain, hits := chainFor(t, map[string]string{credentials.EnvCredentialsFile: path})
	collect := concurrently(t, 8, func() (string, error) {
		p, err := chain.Provider(context.Background())
		if err != nil {
			return "", err
		}
		v, err := p.Retrieve(context.Background())
		return v.AccessKey + " " + chain.ProfilePath(), err
	})
	for _, got := range collect() {
		assert.Equal(t, testAK+" "+path, got)
	}
	assert.Zero(t, hits.Load())
}
