// Fuzzing of credentials files: LoadProfile and Retrieve never panic, and their errors say where, never what.
package credentials_test

import (
	"context"
	"errors"
	"os"
	"regexp"
	"testing"

	"github.com/hsskit/hss/credentials"
	"github.com/stretchr/testify/require"
)

// profileReason matches every reason LoadProfile and Profile.Retrieve give
// for a file that was read: a line number at most, never a line's content.
var profileReason = regexp.MustCompile(`^(section header without '\]'|expected key = value|a second \[basic\] section; keep one` +
	`|(ak|sk|project_id|security_token) is set twice in \[basic\] \(also on line \d+\); keep one` +
	`|the value of (ak|sk|project_id|security_token) starts with a quote but does not end with it` +
	`|is larger than \d+ bytes; not a credentials file|missing from \[basic\]|has security_token but no ak and sk` +
	`|must be 1-\d+ (characters|bytes), got \d+|must be at most \d+ bytes, got \d+` +
	`|must hold only A-Z, a-z, 0-9, '-', '_' and '\.'|must be valid UTF-8` +
	`|must not contain control characters|must not start or end with white space)$`)

var profileField = regexp.MustCompile(`^(|line \d+|ak|sk|security_token|\[basic\])$`)

// Whatever the file holds, LoadProfile and Retrieve never panic, and their
// errors say where, never what: a line may be a pasted secret.
func FuzzLoadProfile(f *testing.F) {
	f.Add([]byte(profileText))
	f.Add([]byte("[basic]\nak = AK\nsk = \"secret\"\n[basic]\n"))
	f.Add([]byte("[basic\n" + testSK + "\n"))
	f.Add([]byte("\xef\xbb\xbf[BASIC]\r\nsk='x'\r\nsecurity_token = t\x01\r\n"))
	f.Add([]byte("[basic]\nak = AK\nsk = \"secret\nAK = again\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := os.CreateTemp(dir, "credentials")
		require.NoError(t, err)
		defer os.Remove(file.Name())
		_, err = file.Write(data)
		require.NoError(t, err)
		require.NoError(t, file.Close())

		p, err := credentials.LoadProfile(file.Name())
		if err == nil {
			_, err = p.Retrieve(context.Background())
		}
		if err == nil {
			return
		}
		var ce *credentials.ConfigError
		require.True(t, errors.As(err, &ce), "%T: %v", err, err)
		require.Equal(t, file.Name(), ce.Source)
		require.Regexp(t, profileField, ce.Field)
		require.Regexp(t, profileReason, ce.Reason)
		require.NoError(t, ce.Err)
	})
}
