package credentials

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// Environment variables a Chain reads. The HUAWEICLOUD_SDK_ ones are those
// of the official Huawei Cloud SDKs, so one set of variables serves both.
// EnvEndpoint, EnvRegion, EnvSDKRegion and EnvProjectID are read by
// hss.NewClientFromEnv, not by the Chain.
const (
	EnvAK              = "HUAWEICLOUD_SDK_AK"               // access key
	EnvSK              = "HUAWEICLOUD_SDK_SK"               // secret key
	EnvSecurityToken   = "HUAWEICLOUD_SDK_SECURITY_TOKEN"   // security token of temporary keys
	EnvProjectID       = "HUAWEICLOUD_SDK_PROJECT_ID"       // project id
	EnvSDKRegion       = "HUAWEICLOUD_SDK_REGION"           // region, when EnvRegion is unset
	EnvCredentialsFile = "HUAWEICLOUD_SDK_CREDENTIALS_FILE" // credentials file, instead of ~/.huaweicloud/credentials
	EnvToken           = "HSS_TOKEN"                        // IAM user token (X-Auth-Token)
	EnvRegion          = "HSS_REGION"                       // region, such as cn-north-4
	EnvEndpoint        = "HSS_ENDPOINT"                     // endpoint URL, instead of the region's
	EnvNoMetadata      = "HSS_NO_METADATA"                  // "true" skips the ECS metadata service, "false" asks it
)

// envVars names the variable behind each part of a key.
var envVars = map[string]string{"ak": "$" + EnvAK, "sk": "$" + EnvSK, "security_token": "$" + EnvSecurityToken}

// MetadataProbeTimeout bounds the Chain's one question to the ECS metadata
// service; the caller's context can cut it shorter.
const MetadataProbeTimeout = metadataTimeout

// Chain finds credentials the way the official Huawei Cloud SDKs do. Its
// Provider method returns the first source that has them:
//
//  1. $HSS_TOKEN, an IAM user token;
//  2. $HUAWEICLOUD_SDK_AK and $HUAWEICLOUD_SDK_SK, with
//     $HUAWEICLOUD_SDK_SECURITY_TOKEN for temporary keys;
//  3. the [basic] section of the credentials file
//     ($HUAWEICLOUD_SDK_CREDENTIALS_FILE, else ~/.huaweicloud/credentials);
//  4. the ECS metadata service, asked once (at most MetadataProbeTimeout).
//
// A source that is half set up (an AK without its SK, a [basic] section with
// sk but no ak) is a *ConfigError, not a reason to try the next one.
//
// With Getenv nil the Chain reads the process environment: the home
// directory is the user's, and ECS metadata is asked unless
// $HSS_NO_METADATA is true. With a Getenv of its own the Chain reads nothing
// that Getenv does not give: the home directory is Getenv("HOME")
// (USERPROFILE on Windows), and ECS metadata is asked only when
// $HSS_NO_METADATA is "false". A map-backed lookup in a test can therefore
// neither read the developer's credentials file nor reach the network.
//
// Use a Chain through a pointer and do not change its fields once it is in
// use: it reads the credentials file at most once and remembers it. Its
// methods are safe for concurrent use. Printing, marshalling or logging a
// Chain never shows a secret: the profile it remembers keeps its keys out
// of reach of fmt, encoding/json and log/slog.
type Chain struct {
	// Getenv reads a variable; nil means the process environment.
	Getenv func(key string) string
	// Metadata says how to reach the ECS metadata service; the zero value
	// takes every default. A URL that cannot work is a *ConfigError from
	// Provider when the Chain gets as far as asking the service.
	Metadata MetadataConfig
	// Logger receives warnings, such as a credentials file that its group
	// or others may read. nil means no warnings.
	Logger *slog.Logger

	mu      sync.Mutex // guards the fields below
	loaded  bool
	profile *Profile
	loadErr error
	path    string
	note    string // why there is no profile: "not found", "no home directory"
}

// errNilChain is what the methods of a nil *Chain return: a nil Chain
// reads no environment, and &Chain{} is the one that reads the process's.
func errNilChain() error {
	return &ConfigError{Source: "credentials.Chain", Reason: "is nil; use &credentials.Chain{} to read the environment"}
}

// Getenv reads one variable through c.Getenv, trimmed of white space.
func (c *Chain) getenv(name string) string {
	if c.Getenv == nil {
		return strings.TrimSpace(os.Getenv(name))
	}
	return strings.TrimSpace(c.Getenv(name))
}

// home returns the home directory the Chain may read.
func (c *Chain) home() (string, error) {
	if c.Getenv == nil {
		return os.UserHomeDir()
	}
	if runtime.GOOS == "windows" {
		return c.getenv("USERPROFILE"), nil
	}
	return c.getenv("HOME"), nil
}

// Profile returns the credentials file's profile, nil when there is no
// file, or a *ConfigError when the file exists but cannot be used. A nil
// *Chain gives the *ConfigError of errNilChain.
func (c *Chain) Profile() (*Profile, error) {
	if c == nil {
		return nil, errNilChain()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.loadProfile()
}

// loadProfile is Profile; c.mu is held.
func (c *Chain) loadProfile() (*Profile, error) {
	if c.loaded {
		return c.profile, c.loadErr
	}
	c.loaded = true
	path, err := profilePath(c.getenv, c.home)
	if err != nil {
		c.note = "no home directory"
		return nil, nil
	}
	c.path = path
	c.profile, c.loadErr = LoadProfile(path)
	if isNotExist(c.loadErr) {
		if c.getenv(EnvCredentialsFile) != "" {
			// A file named on purpose that is not there is a mistake.
			var ce *ConfigError
			if errors.As(c.loadErr, &ce) {
				ce.Reason += "; $" + EnvCredentialsFile + " names it"
			}
			return nil, c.loadErr
		}
		c.profile, c.loadErr, c.note = nil, nil, "not found"
	}
	if c.profile != nil && c.profile.shared && c.Logger != nil {
		c.Logger.Warn("credentials: the credentials file may be read by other users; chmod 600 it", slog.String("path", path))
	}
	return c.profile, c.loadErr
}

// ProfilePath names the credentials file the Chain reads, with why it was
// not used when it was not ("not found"), for messages; "" for a nil
// *Chain.
func (c *Chain) ProfilePath() string {
	if c == nil {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, _ = c.loadProfile()
	if c.path == "" {
		return "~/.huaweicloud/credentials (" + c.note + ")"
	}
	if c.note != "" {
		return c.path + " (" + c.note + ")"
	}
	return c.path
}

// Provider returns the first source of the chain that has credentials.
// When none has, the error wraps ErrNoCredentials and names every
// variable, file and URL looked at; no error names a secret. A nil *Chain
// gives a *ConfigError.
func (c *Chain) Provider(ctx context.Context) (Provider, error) {
	if c == nil {
		return nil, errNilChain()
	}
	var looked []string

	if tok := c.getenv(EnvToken); tok != "" {
		return NewStatic(Value{Token: tok, Source: "$" + EnvToken})
	}
	looked = append(looked, "$"+EnvToken)

	ak, sk, st := c.getenv(EnvAK), c.getenv(EnvSK), c.getenv(EnvSecurityToken)
	switch {
	case ak != "" && sk != "":
		s, err := NewStatic(Value{AccessKey: ak, SecretKey: sk, SecurityToken: st, Source: "$" + EnvAK})
		var ce *ConfigError
		if errors.As(err, &ce) && envVars[ce.Field] != "" {
			ce.Source = envVars[ce.Field] // the variable that holds the bad value
		}
		return s, err
	case ak != "":
		return nil, &ConfigError{Source: "environment", Reason: fmt.Sprintf("$%s is set but $%s is not; set both or neither", EnvAK, EnvSK)}
	case sk != "":
		return nil, &ConfigError{Source: "environment", Reason: fmt.Sprintf("$%s is set but $%s is not; set both or neither", EnvSK, EnvAK)}
	case st != "":
		return nil, &ConfigError{Source: "environment", Reason: fmt.Sprintf("$%s is set without $%s and $%s", EnvSecurityToken, EnvAK, EnvSK)}
	}
	looked = append(looked, "$"+EnvAK+" and $"+EnvSK)

	p, err := c.Profile()
	if err != nil {
		return nil, err
	}
	if p.HasKeys() {
		if _, err := p.Retrieve(ctx); err != nil {
			return nil, err
		}
		return p, nil
	}
	looked = append(looked, "[basic] ak and sk in "+c.ProfilePath())

	ask, err := c.askMetadata()
	if err == nil && ask {
		err = c.Metadata.check()
	}
	switch {
	case err != nil:
		return nil, err
	case !ask:
		looked = append(looked, "ECS metadata (skipped: $"+EnvNoMetadata+" is not false)")
	default:
		m := NewMetadata(c.Metadata)
		pctx, cancel := context.WithTimeout(ctx, MetadataProbeTimeout)
		_, err := m.Retrieve(pctx)
		cancel()
		if err == nil {
			return m, nil // the keys just fetched are cached for the first call
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		looked = append(looked, fmt.Sprintf("ECS metadata (%v)", err))
	}
	return nil, fmt.Errorf("%w; looked at: %s", ErrNoCredentials, strings.Join(looked, "; "))
}

// askMetadata reads $HSS_NO_METADATA; see Chain for the default.
func (c *Chain) askMetadata() (bool, error) {
	v := c.getenv(EnvNoMetadata)
	if v == "" {
		return c.Getenv == nil, nil
	}
	off, err := strconv.ParseBool(v)
	if err != nil {
		return false, &ConfigError{Source: "environment", Field: "$" + EnvNoMetadata, Reason: fmt.Sprintf("must be true or false, got %q", v)}
	}
	return !off, nil
}
