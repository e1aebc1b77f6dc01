package credentials

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// maxProfileBytes caps the credentials file read; a real one is well under
// a few KiB even with a security token.
const maxProfileBytes = 1 << 20

// Profile is the [basic] section of a Huawei Cloud credentials file
// (~/.huaweicloud/credentials), the file the official SDKs read:
//
//	[basic]
//	ak = QTWAOYTTINDUT2QVKYUC
//	sk = ...
//	project_id = 0123456789abcdef0123456789abcdef
//	# security_token = ...   (temporary keys only)
//
// It is a Provider of its keys, safe for concurrent use. Read it with
// LoadProfile. Printing, marshalling or logging a Profile shows its
// exported fields only: fmt, encoding/json and log/slog do not reach the
// secret key and security token.
type Profile struct {
	// Path is the file the profile was read from.
	Path string
	// AccessKey is the ak entry (an identifier, not a secret); empty when
	// the file has none.
	AccessKey string
	// ProjectID is the project_id entry; empty when the file has none.
	ProjectID string

	secrets sealed[profileSecrets]
	// shared reports a file that others than its owner may read.
	shared bool
}

// profileSecrets are the secret entries of a Profile.
type profileSecrets struct {
	secretKey, securityToken string
	// checkedAK is the ak the keys were checked with (Value.Validate) when
	// the file was read and found usable; "" when they were not.
	checkedAK string
}

// secretKey returns the sk entry, or "".
func (p *Profile) secretKey() string { return p.secrets.get().secretKey }

// securityToken returns the security_token entry, or "".
func (p *Profile) securityToken() string { return p.secrets.get().securityToken }

// HasKeys reports whether the profile holds any of ak, sk and
// security_token.
func (p *Profile) HasKeys() bool {
	return p != nil && (p.AccessKey != "" || p.secretKey() != "" || p.securityToken() != "")
}

// Retrieve returns the profile's keys, or a *ConfigError naming what is
// missing or malformed (never quoting a secret). The keys are checked when
// the file is read, and again only when AccessKey has changed since.
func (p *Profile) Retrieve(context.Context) (Value, error) {
	if p == nil {
		return Value{}, &ConfigError{Source: "credentials file", Reason: "no profile"}
	}
	sec := p.secrets.get()
	v := Value{AccessKey: p.AccessKey, SecretKey: sec.secretKey, SecurityToken: sec.securityToken, Source: p.Path}
	if sec.checkedAK != "" && sec.checkedAK == p.AccessKey {
		return v, nil
	}
	if err := p.checkKeys(); err != nil {
		return Value{}, err
	}
	if err := v.Validate(); err != nil {
		return Value{}, err
	}
	return v, nil
}

// checkKeys explains a profile whose keys are incomplete.
func (p *Profile) checkKeys() error {
	bad := func(field, reason string) error {
		return &ConfigError{Source: p.Path, Field: field, Reason: reason}
	}
	switch {
	case p.AccessKey == "" && p.secretKey() == "" && p.securityToken() != "":
		return bad("[basic]", "has security_token but no ak and sk")
	case p.AccessKey == "":
		return bad("ak", "missing from [basic]")
	case p.secretKey() == "":
		return bad("sk", "missing from [basic]")
	}
	return nil
}

// DefaultProfilePath returns the credentials file the official SDKs read:
// $HUAWEICLOUD_SDK_CREDENTIALS_FILE when set, else
// ~/.huaweicloud/credentials.
func DefaultProfilePath() (string, error) {
	return profilePath(os.Getenv, os.UserHomeDir)
}

// profilePath resolves the credentials file from getenv and home.
func profilePath(getenv func(string) string, home func() (string, error)) (string, error) {
	if p := strings.TrimSpace(getenv(EnvCredentialsFile)); p != "" {
		return p, nil
	}
	h, err := home()
	if err != nil || h == "" {
		return "", &ConfigError{Source: "credentials file", Reason: "no home directory to find ~/.huaweicloud/credentials in"}
	}
	return filepath.Join(h, ".huaweicloud", "credentials"), nil
}

// LoadProfile reads the [basic] section of the INI credentials file at
// path. Lines starting with '#' or ';' are comments; keys are matched
// without regard to case; other sections are ignored; a value may be
// wrapped in matching quotes. A second [basic] section is an error, as are
// a key of [basic] (ak, sk, project_id, security_token) set twice, a value
// that starts with a quote and does not end with the same one, and a path
// that is not a regular file (a FIFO or a device is refused without being
// opened for a blocking read). A missing file gives an error
// satisfying errors.Is(err, fs.ErrNotExist). Errors are *ConfigError and
// name the path and line, never a line's content, which may be a secret.
func LoadProfile(path string) (*Profile, error) {
	bad := func(reason string, err error) error { return &ConfigError{Source: path, Reason: reason, Err: err} }
	fi, err := os.Stat(path)
	if err != nil {
		return nil, bad("cannot read the credentials file", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, bad("is not a regular file", nil)
	}
	f, err := openNoBlock(path)
	if err != nil {
		return nil, bad("cannot read the credentials file", err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, bad("is not a regular file", nil) // replaced since the first look
	}
	data, err := io.ReadAll(io.LimitReader(f, maxProfileBytes+1))
	if err != nil {
		return nil, bad("cannot read the credentials file", err)
	}
	if len(data) > maxProfileBytes {
		return nil, bad(fmt.Sprintf("is larger than %d bytes; not a credentials file", maxProfileBytes), nil)
	}
	p, err := parseProfile(path, data)
	if err != nil {
		return nil, err
	}
	p.shared = sharedMode(fi.Mode())
	return p, nil
}

// parseProfile reads the [basic] section from an INI document.
func parseProfile(path string, data []byte) (*Profile, error) {
	p := &Profile{Path: path}
	var secrets profileSecrets
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 BOM from Windows editors
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxProfileBytes)
	inBasic, sawBasic := false, false
	setOn := map[string]int{} // the line each key of [basic] was set on
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		lineNo := fmt.Sprintf("line %d", n)
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
			continue
		case line[0] == '[':
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return nil, &ConfigError{Source: path, Field: lineNo, Reason: "section header without ']'"}
			}
			inBasic = strings.EqualFold(strings.TrimSpace(line[1:end]), "basic")
			if inBasic && sawBasic {
				return nil, &ConfigError{Source: path, Field: lineNo, Reason: "a second [basic] section; keep one"}
			}
			sawBasic = sawBasic || inBasic
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			// Say where, not what: the line may be a pasted secret.
			return nil, &ConfigError{Source: path, Field: lineNo, Reason: "expected key = value"}
		}
		if !inBasic {
			continue
		}
		// The errors below name one of these four keys, never other text
		// of the line, which may be a secret.
		name := strings.ToLower(strings.TrimSpace(key))
		var dst *string
		switch name {
		case "ak":
			dst = &p.AccessKey
		case "sk":
			dst = &secrets.secretKey
		case "project_id":
			dst = &p.ProjectID
		case "security_token":
			dst = &secrets.securityToken
		default:
			continue
		}
		if first, dup := setOn[name]; dup {
			// Which one a reader would take is a guess; the official SDKs
			// and this one could disagree, so neither is taken.
			return nil, &ConfigError{Source: path, Field: lineNo,
				Reason: fmt.Sprintf("%s is set twice in [basic] (also on line %d); keep one", name, first)}
		}
		setOn[name] = n
		v, ok := unquote(strings.TrimSpace(val))
		if !ok {
			// Taken as written, the quote would become part of the key,
			// which the service would refuse only once it was sent.
			return nil, &ConfigError{Source: path, Field: lineNo,
				Reason: fmt.Sprintf("the value of %s starts with a quote but does not end with it", name)}
		}
		*dst = v
	}
	if err := sc.Err(); err != nil {
		return nil, &ConfigError{Source: path, Reason: "cannot read the credentials file", Err: errors.Unwrap(err)}
	}
	p.secrets = seal(secrets)
	if _, err := p.Retrieve(context.Background()); err == nil {
		secrets.checkedAK = p.AccessKey
		p.secrets = seal(secrets)
	}
	return p, nil
}

// unquote strips one pair of matching quotes. It reports false for a
// value that starts with a quote and does not end with the same one.
func unquote(v string) (string, bool) {
	if v == "" || (v[0] != '"' && v[0] != '\'') {
		return v, true
	}
	if len(v) < 2 || v[len(v)-1] != v[0] {
		return "", false
	}
	return v[1 : len(v)-1], true
}
