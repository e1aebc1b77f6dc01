// Credentials files: what LoadProfile reads and refuses, Profile's errors, and the default path.
package credentials_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hsskit/hss/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A file as Windows editors and people write it: a BOM, CRLF, comments,
// other sections, a section name and keys in other cases, quotes and
// spaces around values.
const profileText = "\xef\xbb\xbf# Huawei Cloud credentials\r\n" +
	"[other]\r\n" +
	"ak = OTHERAKOTHERAKOTHERA\r\n" +
	"sk = other-secret\r\n" +
	"\r\n" +
	"  [ Basic ]  \r\n" +
	"; a comment\r\n" +
	"# sk = commented-out-secret\r\n" +
	"AK=" + testAK + "\r\n" +
	"  Sk   =   \"" + testSK + "\"  \r\n" +
	"project_id = '" + testProject + "'\r\n" +
	"SECURITY_TOKEN = " + testToken + "\r\n" +
	"unknown_key = ignored\r\n" +
	"[later]\r\n" +
	"sk = later-secret\r\n"

func TestLoadProfile(t *testing.T) {
	path := writeFile(t, t.TempDir(), "credentials", profileText)
	p, err := credentials.LoadProfile(path)
	require.NoError(t, err)
	assert.Equal(t, path, p.Path)
	assert.Equal(t, testAK, p.AccessKey)
	assert.Equal(t, testProject, p.ProjectID)
	assert.True(t, p.HasKeys())

	v, err := p.Retrieve(context.Background())
	require.NoError(t, err)
	assert.Equal(t, credentials.Value{AccessKey: testAK, SecretKey: testSK, SecurityToken: testToken, Source: path}, v)
	var _ credentials.Provider = p
}

// Values are taken as written, but for one pair of matching quotes around
// them: an '=' inside, quotes inside, a quote at the end only.
func TestLoadProfileValues(t *testing.T) {
	cases := []struct{ line, want string }{
		{"sk = abc=def==", "abc=def=="},
		{"sk='quoted'", "quoted"},
		{`sk = ""inner""`, `"inner"`},
		{`sk = in"side'`, `in"side'`},
		{`sk = closing only"`, `closing only"`},
		{"sk = with inner  spaces", "with inner  spaces"},
		{"sk = tail # not a comment", "tail # not a comment"},
	}
	for _, c := range cases {
		path := writeFile(t, t.TempDir(), "credentials", "[basic]\nak = "+testAK+"\n"+c.line+"\n")
		p, err := credentials.LoadProfile(path)
		require.NoError(t, err, c.line)
		v, err := p.Retrieve(context.Background())
		require.NoError(t, err, c.line)
		assert.Equal(t, c.want, v.SecretKey, c.line)
	}
}

// Keys the profile does not read, and other sections, are not checked for
// duplicates or quotes: other tools may read them their own way.
func TestLoadProfileIgnoresWhatItDoesNotRead(t *testing.T) {
	path := writeFile(t, t.TempDir(), "credentials", "[basic]\nak = "+testAK+"\nsk = "+testSK+"\n"+
		"region = \"cn-north-4\nregion = cn-north-4\n[other]\nsk = \"open\nsk = again\nak = 'x\n")
	p, err := credentials.LoadProfile(path)
	require.NoError(t, err)
	v, err := p.Retrieve(context.Background())
	require.NoError(t, err)
	assert.Equal(t, testAK, v.AccessKey)
	assert.Equal(t, testSK, v.SecretKey)
}

// Errors name the file and line, never the line's content, which may be a
// pasted secret.
func TestLoadProfileErrors(t *testing.T) {
	cases := []struct{ name, content, want string }{
		{"pasted secret", "[basic]\nak = " + testAK + "\n" + testSK + "\n", "line 3: expected key = value"},
		{"pasted secret elsewhere", "[other]\n" + testSK + "\n", "line 2: expected key = value"},
		{"broken section", "[basic\nak = x\n", "line 1: section header without ']'"},
		{"second [basic]", "[basic]\nak = " + testAK + "\n[other]\n[basic]\nsk = " + testSK + "\n", "line 4: a second [basic] section; keep one"},
		{"second [BASIC]", "[basic]\nak = " + testAK + "\n[ BASIC ]\nsk = " + testSK + "\n", "line 3: a second [basic] section; keep one"},

		{"unterminated double quote", "[basic]\nak = " + testAK + "\nsk = \"" + testSK + "\n", "line 3: the value of sk starts with a quote but does not end with it"},
		{"unterminated single quote", "[basic]\nak = " + testAK + "\nsk = '" + testSK + "\n", "line 3: the value of sk starts with a quote but does not end with it"},
		{"mismatched quotes", "[basic]\nak = " + testAK + "\nsk = \"" + testSK + "'\n", "line 3: the value of sk starts with a quote but does not end with it"},
		{"text after the closing quote", "[basic]\nak = " + testAK + "\nsk = \"" + testSK + "\" # mine\n", "line 3: the value of sk starts with a quote but does not end with it"},
		{"a lone quote", "[basic]\nak = " + testAK + "\nsk = \"\n", "line 3: the value of sk starts with a quote but does not end with it"},
		{"unterminated ak", "[basic]\nak = '" + testAK + "\nsk = " + testSK + "\n", "line 2: the value of ak starts with a quote but does not end with it"},
		{"unterminated project_id", "[basic]\nproject_id = \"" + testProject + "\n", "line 2: the value of project_id starts with a quote but does not end with it"},
		{"unterminated security_token", "[basic]\nsecurity_token = \"" + testSK + "\n", "line 2: the value of security_token starts with a quote but does not end with it"},

		{"sk twice", "[basic]\nak = " + testAK + "\nsk = " + testSK + "\nsk = " + testSK + "x\n", "line 4: sk is set twice in [basic] (also on line 3); keep one"},
		{"sk twice, once empty", "[basic]\nsk =\nak = " + testAK + "\nSK = " + testSK + "\n", "line 4: sk is set twice in [basic] (also on line 2); keep one"},
		{"ak twice in other cases", "[basic]\nAK = " + testAK + "\nsk = " + testSK + "\n Ak = " + testAK + "\n", "line 4: ak is set twice in [basic] (also on line 2); keep one"},
		{"project_id twice", "[basic]\nproject_id = a\n\n# again\nproject_id = b\n", "line 5: project_id is set twice in [basic] (also on line 2); keep one"},
		{"security_token twice", "[basic]\nsecurity_token = " + testSK + "\nsecurity_token = " + testSK + "\n", "line 3: security_token is set twice in [basic] (also on line 2); keep one"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "credentials", c.content)
			p, err := credentials.LoadProfile(path)
			assert.Nil(t, p)
			var ce *credentials.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, path, ce.Source)
			assert.Equal(t, "credentials: "+path+": "+c.want, err.Error())
			assertNoSecrets(t, err.Error(), testSK)
		})
	}

	_, err := credentials.LoadProfile(t.TempDir()) // a directory
	assert.ErrorContains(t, err, "is not a regular file")

	big := writeFile(t, t.TempDir(), "big", "[basic]\n"+strings.Repeat("#", 1<<20))
	_, err = credentials.LoadProfile(big)
	assert.ErrorContains(t, err, "is larger than 1048576 bytes")

	missing := filepath.Join(t.TempDir(), "missing")
	_, err = credentials.LoadProfile(missing)
	assert.True(t, errors.Is(err, fs.ErrNotExist), err)
	var ce *credentials.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, missing, ce.Source)
}

// Keys that are incomplete or that a header cannot carry are a
// *ConfigError naming the entry, never quoting a secret.
func TestProfileRetrieveErrors(t *testing.T) {
	cases := []struct{ name, content, field string }{
		{"sk without ak", "[basic]\nsk = " + testSK + "\n", "ak"},
		{"ak without sk", "[basic]\nak = " + testAK + "\n", "sk"},
		{"token alone", "[basic]\nsecurity_token = " + testToken + "\n", "[basic]"},
		{"sk with a control character", "[basic]\nak = " + testAK + "\nsk = " + testSK + "\x01\n", "sk"},
		{"ak with a space", "[basic]\nak = AK AK\nsk = " + testSK + "\n", "ak"},
		{"token with a control character", "[basic]\nak = " + testAK + "\nsk = " + testSK + "\nsecurity_token = " + testToken + "\x7f\n", "security_token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "credentials", c.content)
			p, err := credentials.LoadProfile(path)
			require.NoError(t, err)
			assert.True(t, p.HasKeys())
			_, err = p.Retrieve(context.Background())
			var ce *credentials.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, c.field, ce.Field)
			assertNoSecrets(t, err.Error(), testSK, testToken)
		})
	}

	p, err := credentials.LoadProfile(writeFile(t, t.TempDir(), "credentials", "[basic]\nproject_id = p\n[other]\nak = "+testAK+"\n"))
	require.NoError(t, err)
	assert.False(t, p.HasKeys())
	assert.Equal(t, "p", p.ProjectID)

	var nilProfile *credentials.Profile
	assert.False(t, nilProfile.HasKeys())
	_, err = nilProfile.Retrieve(context.Background())
	var ce *credentials.ConfigError
	require.ErrorAs(t, err, &ce)
}

// TestProfileKeysCheckedWhenRead: LoadProfile checks usable keys once,
// and Retrieve hands them out without checking them again, unless
// AccessKey was changed since, when it checks them anew.
func TestProfileKeysCheckedWhenRead(t *testing.T) {
	p, err := credentials.LoadProfile(writeFile(t, t.TempDir(), "credentials", profileText))
	require.NoError(t, err)
	assert.True(t, credentials.ProfileKeysChecked(p))
	v, err := p.Retrieve(context.Background())
	require.NoError(t, err)
	assert.Equal(t, testAK, v.AccessKey)
	assert.Equal(t, testSK, v.SecretKey)

	p.AccessKey = "AK AK"
	assert.False(t, credentials.ProfileKeysChecked(p))
	_, err = p.Retrieve(context.Background())
	var ce *credentials.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "ak", ce.Field)
	p.AccessKey = "OTHERAKOTHERAKOTHERA"
	v, err = p.Retrieve(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "OTHERAKOTHERAKOTHERA", v.AccessKey)

	bad, err := credentials.LoadProfile(writeFile(t, t.TempDir(), "credentials", "[basic]\nak = "+testAK+"\nsk = "+testSK+"\x01\n"))
	require.NoError(t, err)
	assert.False(t, credentials.ProfileKeysChecked(bad), "keys that fail the check are not marked checked")
}

// BenchmarkProfileRetrieve: a profile's keys, with a security token of 8
// KiB, are checked when the file is read, not on each Retrieve.
func BenchmarkProfileRetrieve(b *testing.B) {
	token := strings.Repeat("QjV7mZ2xKp9RtL4wNc8YbH3sGf6DuE1a", 256)
	dir := b.TempDir()
	path := filepath.Join(dir, "credentials")
	if err := os.WriteFile(path, []byte("[basic]\nak = "+testAK+"\nsk = "+testSK+"\nsecurity_token = "+token+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	p, err := credentials.LoadProfile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Retrieve(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDefaultProfilePath(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv(credentials.EnvCredentialsFile, "")
	path, err := credentials.DefaultProfilePath()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(home, ".huaweicloud", "credentials"), path)

	t.Setenv(credentials.EnvCredentialsFile, "  /etc/hss/credentials ")
	path, err = credentials.DefaultProfilePath()
	require.NoError(t, err)
	assert.Equal(t, "/etc/hss/credentials", path)
}
