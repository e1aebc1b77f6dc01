package hss

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clearAuthEnv empties every variable the chain reads, points HOME at an
// empty directory and turns the metadata step off, so no test depends on
// the machine or reaches 169.254.169.254. It returns the home directory.
func clearAuthEnv(t *testing.T) string {
	t.Helper()
	for _, name := range []string{EnvAK, EnvSK, EnvSecurityToken, EnvProjectID, EnvSDKRegion, EnvCredentialsFile, EnvToken, EnvRegion, EnvEndpoint} {
		t.Setenv(name, "")
	}
	t.Setenv(EnvNoMetadata, "true")
	home := t.TempDir()
	t.Setenv("HOME", home)
	return home
}

// writeProfile writes ~/.huaweicloud/credentials under home.
func writeProfile(t *testing.T, home, content string) string {
	t.Helper()
	dir := filepath.Join(home, ".huaweicloud")
	require.NoError(t, os.MkdirAll(dir, 0o700))
	path := filepath.Join(dir, "credentials")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestFromEnvAKSK(t *testing.T) {
	clearAuthEnv(t)
	t.Setenv(EnvAK, testAK)
	t.Setenv(EnvSK, " "+testSK+" ") // stray spaces around a pasted value are dropped
	t.Setenv(EnvProjectID, testProject)
	t.Setenv(EnvRegion, "cn-north-4")

	c, err := NewClientFromEnv()
	require.NoError(t, err)
	assert.Equal(t, "https://hss.cn-north-4.myhuaweicloud.com", c.Endpoint())
	assert.Equal(t, testProject, c.ProjectID())
	cr, ok := c.creds.(*akskCredentials)
	require.True(t, ok, "%T", c.creds)
	assert.Equal(t, testAK, cr.ak)
	assert.Equal(t, testSK, cr.sk)
	assert.Empty(t, cr.securityToken)
}

// Temporary keys from the environment sign requests that verify, dated by
// the clock given as an option.
func TestFromEnvRoundTrip(t *testing.T) {
	clearAuthEnv(t)
	clk := newAuthClock(authEpoch)
	srv := newVerifyingServer(t, clk, map[string]string{testAK: testSK})
	t.Setenv(EnvEndpoint, srv.URL)
	t.Setenv(EnvRegion, "cn-north-4") // the endpoint wins
	t.Setenv(EnvAK, testAK)
	t.Setenv(EnvSK, testSK)
	t.Setenv(EnvSecurityToken, testToken)
	t.Setenv(EnvProjectID, testProject)

	c, err := NewClientFromEnv(WithClock(clk))
	require.NoError(t, err)
	_, err = c.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.NoError(t, err)
	seen := srv.requests()
	require.Len(t, seen, 1)
	assert.NoError(t, seen[0].err)
	assert.Equal(t, testToken, seen[0].securityToken)
	assert.Contains(t, seen[0].path, "/v5/"+testProject+"/")
}

// tokenServer records the X-Auth-Token and Authorization headers it gets.
func tokenServer(t *testing.T) (*httptest.Server, *[2]string) {
	var got [2]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = [2]string{r.Header.Get("X-Auth-Token"), r.Header.Get("Authorization")}
		io.WriteString(w, `{"total_num":0,"data_list":[]}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

func TestFromEnvTokenWins(t *testing.T) {
	clearAuthEnv(t)
	srv, got := tokenServer(t)
	t.Setenv(EnvEndpoint, srv.URL)
	t.Setenv(EnvProjectID, testProject)
	t.Setenv(EnvToken, "env-token-secret")
	t.Setenv(EnvAK, testAK)
	t.Setenv(EnvSK, testSK)
	c, err := NewClientFromEnv()
	require.NoError(t, err)
	_, err = c.ListSyncTaskRegistries(context.Background(), "t", nil)
	require.NoError(t, err)
	assert.Equal(t, [2]string{"env-token-secret", ""}, *got)
}

func TestFromEnvEndpoint(t *testing.T) {
	cases := []struct {
		name                     string
		endpoint, region, sdkReg string
		want, wantErr            string
	}{
		{"endpoint", "https://gw.example.com/hss", "cn-north-4", "", "https://gw.example.com/hss", ""},
		{"hss region", "", "ap-southeast-1", "cn-north-4", "https://hss.ap-southeast-1.myhuaweicloud.com", ""},
		{"sdk region", "", "", "eu-west-101", "https://hss.eu-west-101.myhuaweicloud.eu", ""},
		{"bad region", "", "Mars", "", "", "$" + EnvRegion},
		{"bad sdk region", "", "", "x", "", "$" + EnvSDKRegion},
		{"bad endpoint", "ftp://x", "", "", "", "scheme"},
		{"nothing", "", "", "", "", "$" + EnvEndpoint + ", $" + EnvRegion + " or $" + EnvSDKRegion},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clearAuthEnv(t)
			t.Setenv(EnvToken, "tok")
			t.Setenv(EnvProjectID, testProject)
			t.Setenv(EnvEndpoint, c.endpoint)
			t.Setenv(EnvRegion, c.region)
			t.Setenv(EnvSDKRegion, c.sdkReg)
			cl, err := NewClientFromEnv()
			if c.wantErr != "" {
				var ve *ValidationError // a setting to fix, not a failure to retry
				require.ErrorAs(t, err, &ve)
				assert.Contains(t, err.Error(), c.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, cl.Endpoint())
		})
	}
}

// A source that is half set up is an error naming the variables, never
// their values.
func TestFromEnvHalfSet(t *testing.T) {
	cases := []struct {
		name       string
		ak, sk, st string
	}{
		{"ak only", testAK, "", ""},
		{"sk only", "", testSK, ""},
		{"token only", "", "", testToken},
		{"ak and token", testAK, "", testToken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clearAuthEnv(t)
			t.Setenv(EnvRegion, "cn-north-4")
			t.Setenv(EnvProjectID, testProject)
			t.Setenv(EnvAK, c.ak)
			t.Setenv(EnvSK, c.sk)
			t.Setenv(EnvSecurityToken, c.st)
			_, err := NewClientFromEnv()
			require.Error(t, err)
			assert.NotErrorIs(t, err, ErrNoCredentials)
			assert.Contains(t, err.Error(), EnvAK)
			assertNoSecrets(t, err.Error(), testSK, testToken)
		})
	}
}

const profileText = "\xef\xbb\xbf# Huawei Cloud credentials\r\n" +
	"[other]\r\n" +
	"ak = OTHERAKOTHERAKOTHERA\r\n" +
	"sk = other-secret\r\n" +
	"\r\n" +
	"  [ Basic ]  \r\n" +
	"; a comment\r\n" +
	"AK=" + testAK + "\r\n" +
	"  sk   =   \"" + testSK + "\"  \r\n" +
	"project_id = " + testProject + "\r\n" +
	"security_token = " + testToken + "\r\n" +
	"unknown_key = ignored\r\n" +
	"[later]\r\n" +
	"sk = later-secret\r\n"

func TestLoadProfile(t *testing.T) {
	path := writeProfile(t, t.TempDir(), profileText)
	p, err := LoadProfile(path)
	require.NoError(t, err)
	assert.Equal(t, path, p.Path)
	assert.Equal(t, testAK, p.AccessKey)
	assert.Equal(t, testProject, p.ProjectID)
	assert.Equal(t, testSK, p.secretKey)
	assert.Equal(t, testToken, p.securityToken)
	assert.True(t, p.HasKeys())

	cr, err := p.Credentials()
	require.NoError(t, err)
	assert.Equal(t, testToken, cr.(*akskCredentials).securityToken)

	_, err = LoadProfile(filepath.Join(t.TempDir(), "missing"))
	assert.True(t, errors.Is(err, fs.ErrNotExist), err)
}

func TestLoadProfileErrors(t *testing.T) {
	cases := []struct{ name, content, want string }{
		{"pasted secret", "[basic]\nak = " + testAK + "\n" + testSK + "\n", "line 3: expected key = value"},
		{"broken section", "[basic\nak = x\n", "line 1: section header without ']'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeProfile(t, t.TempDir(), c.content)
			_, err := LoadProfile(path)
			require.Error(t, err)
			assert.Contains(t, err.Error(), path)
			assert.Contains(t, err.Error(), c.want)
			assertNoSecrets(t, err.Error(), testSK)
		})
	}
	_, err := LoadProfile(t.TempDir()) // a directory
	require.Error(t, err)

	big := filepath.Join(t.TempDir(), "big")
	require.NoError(t, os.WriteFile(big, make([]byte, maxProfileBytes+1), 0o600))
	_, err = LoadProfile(big)
	require.ErrorContains(t, err, "larger than")

	p, err := LoadProfile(writeProfile(t, t.TempDir(), "[basic]\nsk = "+testSK+"\n"))
	require.NoError(t, err)
	assert.False(t, p.HasKeys())
	_, err = p.Credentials()
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "ak", ve.Field)
}

func TestFromEnvProfile(t *testing.T) {
	home := clearAuthEnv(t)
	clk := newAuthClock(authEpoch)
	srv := newVerifyingServer(t, clk, map[string]string{testAK: testSK})
	writeProfile(t, home, profileText)
	t.Setenv(EnvEndpoint, srv.URL)

	c, err := NewClientFromEnv(WithClock(clk))
	require.NoError(t, err)
	assert.Equal(t, testProject, c.ProjectID())
	_, err = c.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.NoError(t, err)
	seen := srv.requests()
	require.Len(t, seen, 1)
	assert.NoError(t, seen[0].err)
	assert.Equal(t, testToken, seen[0].securityToken)
}

func TestFromEnvProfileOverridesAndPrecedence(t *testing.T) {
	home := clearAuthEnv(t)
	t.Setenv(EnvRegion, "cn-north-4")
	elsewhere := writeProfile(t, t.TempDir(), "[basic]\nak = ELSEWHEREAK\nsk = s\nproject_id = elsewhere-project\n")
	writeProfile(t, home, profileText)

	t.Setenv(EnvCredentialsFile, elsewhere)
	c, err := NewClientFromEnv()
	require.NoError(t, err)
	assert.Equal(t, "elsewhere-project", c.ProjectID())
	assert.Equal(t, "ELSEWHEREAK", c.creds.(*akskCredentials).ak)

	// The environment's project wins over the profile's; keys from the
	// environment win over the profile's.
	t.Setenv(EnvProjectID, "env-project")
	t.Setenv(EnvAK, testAK)
	t.Setenv(EnvSK, testSK)
	c, err = NewClientFromEnv()
	require.NoError(t, err)
	assert.Equal(t, "env-project", c.ProjectID())
	assert.Equal(t, testAK, c.creds.(*akskCredentials).ak)

	// Keys from the environment, project from the profile.
	t.Setenv(EnvProjectID, "")
	c, err = NewClientFromEnv()
	require.NoError(t, err)
	assert.Equal(t, "elsewhere-project", c.ProjectID())
	assert.Equal(t, testAK, c.creds.(*akskCredentials).ak)
}

func TestFromEnvProfileProblems(t *testing.T) {
	t.Run("keys incomplete", func(t *testing.T) {
		home := clearAuthEnv(t)
		t.Setenv(EnvRegion, "cn-north-4")
		writeProfile(t, home, "[basic]\nsk = "+testSK+"\nproject_id = p\n")
		_, err := NewClientFromEnv()
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "ak", ve.Field)
		assertNoSecrets(t, err.Error(), testSK)
	})
	t.Run("malformed", func(t *testing.T) {
		home := clearAuthEnv(t)
		t.Setenv(EnvRegion, "cn-north-4")
		t.Setenv(EnvProjectID, testProject)
		writeProfile(t, home, "[basic]\n"+testSK+"\n")
		_, err := NewClientFromEnv()
		require.ErrorContains(t, err, "line 2")
		assertNoSecrets(t, err.Error(), testSK)
	})
	t.Run("no project", func(t *testing.T) {
		home := clearAuthEnv(t)
		t.Setenv(EnvRegion, "cn-north-4")
		t.Setenv(EnvToken, "tok")
		_, err := NewClientFromEnv()
		require.Error(t, err)
		assert.Contains(t, err.Error(), EnvProjectID)
		assert.Contains(t, err.Error(), filepath.Join(home, ".huaweicloud", "credentials")+" (not found)")
	})
}

func TestFromEnvMetadata(t *testing.T) {
	clearAuthEnv(t)
	t.Setenv(EnvNoMetadata, "")
	clk := newAuthClock(authEpoch)
	ms := newMetadataServer(t, clk, 24*time.Hour)
	srv := newVerifyingServer(t, clk, map[string]string{"TMPAK1": "tmp-sk-secret-1"})
	t.Setenv(EnvEndpoint, srv.URL)
	t.Setenv(EnvProjectID, testProject)

	c, err := credChain{metadataURL: ms.url()}.newClient([]Option{WithClock(clk), WithRetryPolicy(NoRetries())})
	require.NoError(t, err)
	_, ok := c.creds.(*MetadataCredentials)
	require.True(t, ok, "%T", c.creds)
	_, err = c.ListSyncTaskRegistries(context.Background(), "task-1", nil)
	require.NoError(t, err)
	seen := srv.requests()
	require.Len(t, seen, 1)
	assert.NoError(t, seen[0].err)
	assert.Equal(t, "tmp-token-secret-1", seen[0].securityToken)
	assert.EqualValues(t, 1, ms.hits.Load(), "the keys fetched by the chain serve the first call")
}

func TestFromEnvNothingFound(t *testing.T) {
	home := clearAuthEnv(t)
	t.Setenv(EnvNoMetadata, "")
	t.Setenv(EnvRegion, "cn-north-4")
	t.Setenv(EnvProjectID, testProject)
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()

	_, err := credChain{metadataURL: down.URL + "/openstack/latest/securitykey"}.newClient(nil)
	require.ErrorIs(t, err, ErrNoCredentials)
	for _, want := range []string{"$" + EnvToken, "$" + EnvAK, "$" + EnvSK, filepath.Join(home, ".huaweicloud", "credentials") + " (not found)", down.URL + "/openstack/latest/securitykey"} {
		assert.Contains(t, err.Error(), want)
	}

	// Through the exported entry point, with the metadata step turned off.
	t.Setenv(EnvNoMetadata, "1")
	_, err = NewClientFromEnv()
	require.ErrorIs(t, err, ErrNoCredentials)
	assert.Contains(t, err.Error(), "ECS metadata (skipped: $"+EnvNoMetadata+" is true)")

	t.Setenv(EnvNoMetadata, "maybe")
	_, err = NewClientFromEnv()
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
}

// Credentials given as options win: the chain does not even look.
func TestFromEnvOptionsWin(t *testing.T) {
	clearAuthEnv(t)
	t.Setenv(EnvNoMetadata, "")
	var metadataHits atomic.Int32
	ms := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { metadataHits.Add(1) }))
	defer ms.Close()
	srv, got := tokenServer(t)
	t.Setenv(EnvEndpoint, srv.URL)
	t.Setenv(EnvProjectID, testProject)

	c, err := credChain{metadataURL: ms.URL}.newClient([]Option{WithToken("option-token")})
	require.NoError(t, err)
	_, err = c.ListSyncTaskRegistries(context.Background(), "t", nil)
	require.NoError(t, err)
	assert.Equal(t, "option-token", got[0])
	assert.Zero(t, metadataHits.Load())

	t.Setenv(EnvAK, testAK)
	t.Setenv(EnvSK, testSK)
	c, err = credChain{metadataURL: ms.URL}.newClient([]Option{WithToken("option-token")})
	require.NoError(t, err)
	_, ok := c.creds.(*tokenCredentials)
	assert.True(t, ok, "%T", c.creds)

	// A bad option fails as it would in NewClient.
	_, err = NewClientFromEnv(WithAKSK("", testSK))
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assertNoSecrets(t, err.Error(), testSK)
}

func TestNewClientFromEnvFuncReadsOnlyTheLookup(t *testing.T) {
	t.Setenv(EnvToken, "process-token")
	t.Setenv(EnvEndpoint, "https://process.example.com")
	vars := map[string]string{
		EnvAK:              "AKFROMMAP",
		EnvSK:              "sk-from-map",
		EnvProjectID:       "map-project",
		EnvRegion:          "cn-north-4",
		EnvCredentialsFile: filepath.Join(t.TempDir(), "absent"),
		EnvNoMetadata:      "true",
	}
	c, err := NewClientFromEnvFunc(func(k string) string { return vars[k] })
	require.NoError(t, err)
	assert.Equal(t, "https://hss.cn-north-4.myhuaweicloud.com", c.Endpoint())
	assert.Equal(t, "map-project", c.ProjectID())
	_, isAKSK := c.creds.(*akskCredentials)
	assert.True(t, isAKSK, "the process's HSS_TOKEN was not read")

	delete(vars, EnvAK)
	delete(vars, EnvSK)
	_, err = NewClientFromEnvFunc(func(k string) string { return vars[k] })
	require.ErrorIs(t, err, ErrNoCredentials)
	assert.Contains(t, err.Error(), "absent")
}
