package hss

import (
	"bufio"
	"bytes"
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
//	security_token = ...   # temporary keys only
//
// The secret key and security token are kept unexported and never
// printed; turn the profile into Credentials with its Credentials method.
type Profile struct {
	// Path is the file the profile was read from.
	Path string
	// AccessKey is the ak entry (an identifier, not a secret).
	AccessKey string
	// ProjectID is the project_id entry.
	ProjectID string

	secretKey     string
	securityToken string
}

// HasKeys reports whether the profile holds an access key and a secret key.
func (p *Profile) HasKeys() bool { return p != nil && p.AccessKey != "" && p.secretKey != "" }

// Credentials returns AK/SK credentials made of the profile's ak, sk and
// security_token (if any), dated by the wall clock. It fails with a
// *ValidationError, which never quotes a secret, when the keys are
// missing or malformed.
func (p *Profile) Credentials() (Credentials, error) {
	if p == nil {
		return nil, &ValidationError{Field: "profile", Reason: "must not be nil"}
	}
	if err := p.checkKeys(); err != nil {
		return nil, err
	}
	return NewAKSKCredentials(p.AccessKey, p.secretKey, p.securityToken)
}

// checkKeys explains a profile whose keys are incomplete.
func (p *Profile) checkKeys() error {
	switch {
	case p.AccessKey == "" && p.secretKey == "" && p.securityToken != "":
		return &ValidationError{Field: "ak", Reason: "[basic] of " + p.Path + " has security_token but no ak and sk"}
	case p.AccessKey == "":
		return &ValidationError{Field: "ak", Reason: "missing from [basic] of " + p.Path}
	case p.secretKey == "":
		return &ValidationError{Field: "sk", Reason: "missing from [basic] of " + p.Path}
	}
	return nil
}

// Format prints the path, ak and project; sk and the security token show
// as REDACTED, for every fmt verb. Its value receiver covers a Profile
// printed by value too.
func (p Profile) Format(f fmt.State, _ rune) {
	sk, tok := "none", "none"
	if p.secretKey != "" {
		sk = redacted
	}
	if p.securityToken != "" {
		tok = redacted
	}
	fmt.Fprintf(f, "hss.Profile{path: %s, ak: %s, sk: %s, security_token: %s, project_id: %s}",
		p.Path, p.AccessKey, sk, tok, p.ProjectID)
}

// DefaultProfilePath returns the credentials file the official SDKs read:
// $HUAWEICLOUD_SDK_CREDENTIALS_FILE when set, else
// ~/.huaweicloud/credentials.
func DefaultProfilePath() (string, error) {
	return profilePath(os.Getenv)
}

func profilePath(getenv func(string) string) (string, error) {
	if p := strings.TrimSpace(getenv(EnvCredentialsFile)); p != "" {
		return p, nil
	}
	h, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("hss: no home directory for the credentials file: %w", err)
	}
	return filepath.Join(h, ".huaweicloud", "credentials"), nil
}

// LoadProfile reads the [basic] section of the INI credentials file at
// path. Lines starting with '#' or ';' are comments; keys are matched
// without regard to case; other sections are ignored; a value may be
// wrapped in matching quotes. A missing file gives an error satisfying
// errors.Is(err, fs.ErrNotExist). Errors name the path and line, never a
// line's content, which may be a secret.
func LoadProfile(path string) (*Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *fs.PathError: names the path only
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxProfileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("hss: reading %s: %w", path, err)
	}
	if len(data) > maxProfileBytes {
		return nil, fmt.Errorf("hss: %s is larger than %d bytes; not a credentials file", path, maxProfileBytes)
	}
	return parseProfile(path, data)
}

// parseProfile reads the [basic] section from an INI document.
func parseProfile(path string, data []byte) (*Profile, error) {
	p := &Profile{Path: path}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 BOM from Windows editors
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxProfileBytes)
	inBasic := false
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
			continue
		case line[0] == '[':
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return nil, fmt.Errorf("hss: %s line %d: section header without ']'", path, n)
			}
			inBasic = strings.EqualFold(strings.TrimSpace(line[1:end]), "basic")
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			// Say where, not what: the line may be a pasted secret.
			return nil, fmt.Errorf("hss: %s line %d: expected key = value", path, n)
		}
		if !inBasic {
			continue
		}
		val = unquote(strings.TrimSpace(val))
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "ak":
			p.AccessKey = val
		case "sk":
			p.secretKey = val
		case "project_id":
			p.ProjectID = val
		case "security_token":
			p.securityToken = val
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("hss: reading %s: %w", path, err)
	}
	return p, nil
}

// unquote strips one pair of matching quotes.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}
