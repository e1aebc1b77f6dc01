//go:build unix

// Credentials files on Unix: a FIFO refused without a blocking read, and a warning for a file others may read.
package credentials_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/hsskit/hss/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A FIFO where the credentials file should be is refused without being
// opened for a blocking read, which would wait for a writer for ever.
func TestLoadProfileRefusesFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials")
	require.NoError(t, syscall.Mkfifo(path, 0o600))
	t.Cleanup(func() {
		// Should a reader be blocked on the FIFO, a writer releases it.
		if f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})

	var err error
	mustReturn(t, "LoadProfile on a FIFO", func() { _, err = credentials.LoadProfile(path) })
	var ce *credentials.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "credentials: "+path+": is not a regular file", err.Error())

	chain := &credentials.Chain{Getenv: lookup(map[string]string{credentials.EnvCredentialsFile: path})}
	mustReturn(t, "Chain.Provider with a FIFO", func() { _, err = chain.Provider(context.Background()) })
	require.ErrorAs(t, err, &ce)
	assert.NotErrorIs(t, err, credentials.ErrNoCredentials)
}

// A credentials file its group or others may read works, with a warning
// through the Chain's Logger, as ssh warns about key files; a private file
// gets none, and neither names a secret.
func TestChainWarnsAboutSharedProfile(t *testing.T) {
	for mode, warns := range map[os.FileMode]bool{0o600: false, 0o400: false, 0o640: true, 0o604: true, 0o644: true} {
		path := writeFile(t, t.TempDir(), "credentials", "[basic]\nak = "+testAK+"\nsk = "+testSK+"\n")
		require.NoError(t, os.Chmod(path, mode))
		var logs bytes.Buffer
		chain := &credentials.Chain{
			Getenv: lookup(map[string]string{credentials.EnvCredentialsFile: path}),
			Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		}
		p, err := chain.Provider(context.Background())
		require.NoError(t, err, "mode %o", mode)
		assert.Equal(t, testSK, retrieve(t, p).SecretKey)
		if warns {
			assert.Contains(t, logs.String(), "level=WARN")
			assert.Contains(t, logs.String(), "chmod 600")
			assert.Contains(t, logs.String(), "path="+path)
		} else {
			assert.Empty(t, logs.String(), "mode %o", mode)
		}
		assertNoSecrets(t, logs.String(), testSK)
	}
	// Without a Logger there is nothing to warn through, and no panic.
	path := writeFile(t, t.TempDir(), "credentials", "[basic]\nak = "+testAK+"\nsk = "+testSK+"\n")
	require.NoError(t, os.Chmod(path, 0o644))
	_, err := (&credentials.Chain{Getenv: lookup(map[string]string{credentials.EnvCredentialsFile: path})}).Provider(context.Background())
	require.NoError(t, err)
}
