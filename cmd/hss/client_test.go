// Where the CLI finds endpoint, project and credentials: the SDK's chain with the flags laid over the environment.

package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
)

// TestCredentialSources: the CLI finds credentials where the SDK's chain
// does, and a flag wins over its variable.
func TestCredentialSources(t *testing.T) {
	f := newFixture(t, hsstest.WithAKSK("AKCLITEST", "cli-secret-key"))
	f.vars = map[string]string{
		credentials.EnvEndpoint:  f.srv.URL(),
		credentials.EnvProjectID: f.srv.ProjectID(),
		credentials.EnvAK:        "AKCLITEST",
		credentials.EnvSK:        "cli-secret-key",
	}
	lastAuth := func() hsstest.AuthKind {
		reqs := f.srv.Requests()
		require.NotEmpty(t, reqs)
		return reqs[len(reqs)-1].Auth
	}

	r := f.run("registries", "--task-id", "task-1", "--output", "jsonl")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Len(t, lines(r.stdout), 12)
	assert.Equal(t, hsstest.AuthAKSK, lastAuth(), "signed with the environment's key")

	r = f.run("registries", "--task-id", "task-1", "--token", f.srv.Token())
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, hsstest.AuthToken, lastAuth(), "--token wins over the key")

	f.vars[credentials.EnvToken] = f.srv.Token()
	r = f.run("registries", "--task-id", "task-1")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, hsstest.AuthToken, lastAuth(), "$HSS_TOKEN comes first in the chain")
	delete(f.vars, credentials.EnvToken)

	r = f.run("registries", "--task-id", "task-1", "--project-id", "other")
	assert.Equal(t, exitAuth, r.code, "--project-id wins over its variable: %s", r.stderr)
	assert.Contains(t, r.stderr, "/v5/other/")

	f.vars[credentials.EnvSK] = "wrong-secret-key"
	r = f.run("registries", "--task-id", "task-1")
	assert.Equal(t, exitAuth, r.code, r.stderr)
	assert.Contains(t, r.stderr, "401 APIGW.0301")
	assert.NotContains(t, r.stderr, "wrong-secret-key")
}

// TestCredentialsFileInHome: the chain reads ~/.huaweicloud/credentials
// through the CLI's lookup (HOME passes through), takes the project id
// from it, and warns when others may read it.
func TestCredentialsFileInHome(t *testing.T) {
	f := newFixture(t, hsstest.WithAKSK("AKFILE", "file-secret-key"))
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".huaweicloud"), 0o700))
	path := filepath.Join(home, ".huaweicloud", "credentials")
	body := "[basic]\nak = AKFILE\nsk = file-secret-key\nproject_id = " + f.srv.ProjectID() + "\n"
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	require.NoError(t, os.Chmod(path, 0o644)) // whatever the umask
	f.vars = map[string]string{"HOME": home, credentials.EnvCredentialsFile: "", credentials.EnvEndpoint: f.srv.URL()}

	r := f.run("registries", "--task-id", "task-1", "--output", "jsonl")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Len(t, lines(r.stdout), 12)
	reqs := f.srv.Requests()
	assert.Equal(t, "AKFILE", reqs[len(reqs)-1].AK)
	assert.Contains(t, r.stderr, "hss: warning: credentials: the credentials file may be read by other users; chmod 600 it (path="+path+")")
	assert.NotContains(t, r.stderr, "file-secret-key")

	require.NoError(t, os.Chmod(path, 0o600))
	r = f.run("registries", "--task-id", "task-1", "--output", "jsonl")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stderr)
}

// TestLookup: the flags lie over the environment, HOME passes through, and
// ECS metadata is asked unless the environment says otherwise, as it is
// for the process environment.
func TestLookup(t *testing.T) {
	environ := map[string]string{
		"HOME":                   "/home/me",
		credentials.EnvEndpoint:  "https://from-env.example.com",
		credentials.EnvRegion:    "cn-east-3",
		credentials.EnvProjectID: "env-project",
	}
	getenv := func(k string) string { return environ[k] }

	none := (&commonFlags{}).lookup(getenv)
	assert.Equal(t, "/home/me", none("HOME"))
	assert.Equal(t, "https://from-env.example.com", none(credentials.EnvEndpoint))
	assert.Equal(t, "env-project", none(credentials.EnvProjectID))
	assert.Equal(t, "false", none(credentials.EnvNoMetadata), "unset: ask ECS metadata, as without WithGetenv")
	environ[credentials.EnvNoMetadata] = "true"
	assert.Equal(t, "true", none(credentials.EnvNoMetadata))

	region := (&commonFlags{region: "cn-north-4", projectID: "flag-project"}).lookup(getenv)
	assert.Equal(t, "", region(credentials.EnvEndpoint), "--region wins over $HSS_ENDPOINT")
	assert.Equal(t, "cn-north-4", region(credentials.EnvRegion))
	assert.Equal(t, "flag-project", region(credentials.EnvProjectID))

	endpoint := (&commonFlags{endpoint: "https://flag.example.com"}).lookup(getenv)
	assert.Equal(t, "https://flag.example.com", endpoint(credentials.EnvEndpoint))
}

// TestEnvCredentialErrorsNameTheirVariable: a bad secret key or security
// token in the environment is reported under its own variable, not under
// $HUAWEICLOUD_SDK_AK.
func TestEnvCredentialErrorsNameTheirVariable(t *testing.T) {
	f := newFixture(t)
	args := []string{"registries", "--task-id", "task-1", "--endpoint", f.srv.URL(), "--project-id", f.srv.ProjectID()}

	f.vars[credentials.EnvAK] = "AKPUBLIC"
	f.vars[credentials.EnvSK] = "secret\x01key-value"
	r := f.run(args...)
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "$"+credentials.EnvSK, r.stderr)
	assert.NotContains(t, r.stderr, "key-value")

	f.vars[credentials.EnvSK] = "secret-key-value"
	f.vars[credentials.EnvSecurityToken] = "security\x01token-value"
	r = f.run(args...)
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "$"+credentials.EnvSecurityToken, r.stderr)
	assert.NotContains(t, r.stderr, "token-value")
}
