package hss

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// Environment variables read by NewClientFromEnv. The HUAWEICLOUD_SDK_
// ones are those of the official Huawei Cloud SDKs, so one set of
// variables serves both.
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
	EnvNoMetadata      = "HSS_NO_METADATA"                  // "true" skips the ECS metadata service
)

// ErrNoCredentials is wrapped by the error NewClientFromEnv returns when no
// source held credentials; the message lists every place it looked.
var ErrNoCredentials = errors.New("hss: no credentials found")

// NewClientFromEnv returns a Client configured from the environment, the
// way the official Huawei Cloud SDKs find their settings.
//
// Endpoint: $HSS_ENDPOINT, else RegionEndpoint of $HSS_REGION, else of
// $HUAWEICLOUD_SDK_REGION.
//
// Project: $HUAWEICLOUD_SDK_PROJECT_ID, else project_id in the
// credentials file.
//
// Credentials, the first source that has them:
//  1. $HSS_TOKEN, an IAM user token;
//  2. $HUAWEICLOUD_SDK_AK and $HUAWEICLOUD_SDK_SK, with
//     $HUAWEICLOUD_SDK_SECURITY_TOKEN for temporary keys;
//  3. the [basic] section of the credentials file (see DefaultProfilePath
//     and LoadProfile): ak, sk and security_token;
//  4. the ECS metadata service (see NewMetadataCredentials), unless
//     $HSS_NO_METADATA is true; it is asked once, with a 3-second limit.
//
// A source that is half set up (an AK without its SK, say) is an error,
// not a reason to try the next one. Options win over what the chain finds:
// given WithToken, WithAKSK, WithTemporaryAKSK or WithCredentials, the
// chain does not look for credentials at all. When nothing is found the
// error wraps ErrNoCredentials and names every variable, file and URL it
// looked at; no error names a secret.
func NewClientFromEnv(opts ...Option) (*Client, error) {
	return NewClientFromEnvFunc(os.Getenv, opts...)
}

// NewClientFromEnvFunc is NewClientFromEnv reading variables through
// getenv instead of the process environment. A command-line tool lays its
// flags over the environment this way, and a test passes a map without
// touching the process. A nil getenv reads the process environment.
func NewClientFromEnvFunc(getenv func(key string) string, opts ...Option) (*Client, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	return credChain{metadataURL: DefaultMetadataURL, lookup: getenv}.newClient(opts)
}

// credChain is NewClientFromEnv's search; tests point metadataURL at a
// local server.
type credChain struct {
	metadataURL    string                  // "" skips the metadata step
	metadataClient *http.Client            // nil: metadataHTTPClient()
	lookup         func(key string) string // nil: os.Getenv
}

// getenv reads one variable, trimmed.
func (ch credChain) getenv(name string) string {
	if ch.lookup == nil {
		return strings.TrimSpace(os.Getenv(name))
	}
	return strings.TrimSpace(ch.lookup(name))
}

func (ch credChain) newClient(opts []Option) (*Client, error) {
	// Apply the caller's options to a scratch Client first: they win, so
	// the chain only fills in what they leave open, and built credentials
	// use the clock they chose.
	probe := &Client{clock: realClock{}}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(probe); err != nil {
			return nil, err
		}
	}
	endpoint, err := ch.envEndpoint()
	if err != nil {
		return nil, err
	}
	pf := &profileSource{getenv: ch.getenv}
	project := ch.getenv(EnvProjectID)
	if project == "" {
		p, err := pf.load()
		if err != nil {
			return nil, err
		}
		if p != nil {
			project = p.ProjectID
		}
		if project == "" {
			return nil, &ValidationError{Field: "project_id", Reason: fmt.Sprintf("not set: set $%s or project_id in [basic] of %s", EnvProjectID, pf.describe())}
		}
	}
	all := opts
	if probe.creds == nil {
		cr, err := ch.credentials(probe.clock, pf)
		if err != nil {
			return nil, err
		}
		all = append([]Option{WithCredentials(cr)}, opts...)
	}
	return NewClient(endpoint, project, all...)
}

// envEndpoint resolves the endpoint from the environment.
func (ch credChain) envEndpoint() (string, error) {
	if ep := ch.getenv(EnvEndpoint); ep != "" {
		return ep, nil
	}
	for _, name := range []string{EnvRegion, EnvSDKRegion} {
		if r := ch.getenv(name); r != "" {
			ep, err := RegionEndpoint(r)
			if err != nil {
				return "", fmt.Errorf("%w (from $%s)", err, name)
			}
			return ep, nil
		}
	}
	return "", &ValidationError{Field: "endpoint", Reason: fmt.Sprintf("not set: set $%s, $%s or $%s", EnvEndpoint, EnvRegion, EnvSDKRegion)}
}

// credentials walks the sources in order. looked collects where it looked
// for the final error.
func (ch credChain) credentials(clk Clock, pf *profileSource) (Credentials, error) {
	var looked []string

	if tok := ch.getenv(EnvToken); tok != "" {
		return NewTokenCredentials(tok)
	}
	looked = append(looked, "$"+EnvToken)

	ak, sk, st := ch.getenv(EnvAK), ch.getenv(EnvSK), ch.getenv(EnvSecurityToken)
	switch {
	case ak != "" && sk != "":
		return chainAKSK(ak, sk, st, clk)
	case ak != "" || sk != "":
		return nil, fmt.Errorf("hss: %s and %s must be set together; only one is", EnvAK, EnvSK)
	case st != "":
		return nil, fmt.Errorf("hss: %s is set without %s and %s", EnvSecurityToken, EnvAK, EnvSK)
	}
	looked = append(looked, "$"+EnvAK+" and $"+EnvSK)

	p, err := pf.load()
	if err != nil {
		return nil, err
	}
	if p != nil && (p.AccessKey != "" || p.secretKey != "" || p.securityToken != "") {
		if err := p.checkKeys(); err != nil {
			return nil, err
		}
		return chainAKSK(p.AccessKey, p.secretKey, p.securityToken, clk)
	}
	looked = append(looked, "[basic] ak and sk in "+pf.describe())

	off, err := ch.noMetadata()
	switch {
	case err != nil:
		return nil, err
	case off:
		looked = append(looked, "ECS metadata (skipped: $"+EnvNoMetadata+" is true)")
	case ch.metadataURL == "":
		looked = append(looked, "ECS metadata (skipped)")
	default:
		m := newMetadataCredentials(ch.metadataURL, ch.metadataClient, clk)
		ctx, cancel := context.WithTimeout(context.Background(), metadataTimeout)
		_, err := m.cache.get(ctx)
		cancel()
		if err == nil {
			return m, nil // the keys just fetched are cached for the first call
		}
		looked = append(looked, fmt.Sprintf("ECS metadata %s (%v)", ch.metadataURL, err))
	}
	return nil, fmt.Errorf("%w; looked at: %s", ErrNoCredentials, strings.Join(looked, "; "))
}

// chainAKSK builds AK/SK credentials dated by the new Client's clock (no
// typed nil on error).
func chainAKSK(ak, sk, securityToken string, clk Clock) (Credentials, error) {
	cr, err := newAKSK(ak, sk, securityToken, clk)
	if err != nil {
		return nil, err
	}
	return cr, nil
}

// noMetadata reads $HSS_NO_METADATA.
func (ch credChain) noMetadata() (bool, error) {
	v := ch.getenv(EnvNoMetadata)
	if v == "" {
		return false, nil
	}
	off, err := strconv.ParseBool(v)
	if err != nil {
		return false, &ValidationError{Field: "$" + EnvNoMetadata, Reason: fmt.Sprintf("must be true or false, got %q", v)}
	}
	return off, nil
}

// profileSource loads the credentials file at most once per chain run.
type profileSource struct {
	getenv  func(string) string // reads $HUAWEICLOUD_SDK_CREDENTIALS_FILE
	done    bool
	path    string
	note    string // why there is no profile: "not found", "no home directory"
	profile *Profile
	err     error
}

// load returns the profile, nil when there is no file (or no home
// directory to look in), or an error when the file exists but cannot be
// read or parsed.
func (s *profileSource) load() (*Profile, error) {
	if s.done {
		return s.profile, s.err
	}
	s.done = true
	get := s.getenv
	if get == nil {
		get = os.Getenv
	}
	path, err := profilePath(get)
	if err != nil {
		s.note = "no home directory"
		return nil, nil
	}
	s.path = path
	s.profile, s.err = LoadProfile(path)
	if errors.Is(s.err, fs.ErrNotExist) {
		s.profile, s.err, s.note = nil, nil, "not found"
	}
	return s.profile, s.err
}

// describe names the file for error messages.
func (s *profileSource) describe() string {
	if s.path == "" {
		return "~/.huaweicloud/credentials (" + s.note + ")"
	}
	if s.note != "" {
		return s.path + " (" + s.note + ")"
	}
	return s.path
}
