package main

import (
	"errors"

	"github.com/hsskit/hss"
)

// client builds the SDK client: the embedded fake for --demo, otherwise
// the SDK's own chain (NewClientFromEnvFunc) with the flags laid over the
// environment, so a flag wins over its variable and the chain's rules
// (and error messages) stay the SDK's.
func (f *registriesFlags) client(e env) (*hss.Client, func(), error) {
	opts := append([]hss.Option{hss.WithUserAgent("hss-cli/" + hss.Version)}, e.clientOpts...)
	if f.demo {
		return startDemo(opts...)
	}
	getenv := func(key string) string {
		switch key {
		case hss.EnvEndpoint:
			if f.endpoint != "" || f.region != "" {
				return f.endpoint // --region beats $HSS_ENDPOINT
			}
		case hss.EnvRegion:
			if f.region != "" {
				return f.region
			}
		case hss.EnvProjectID:
			if f.projectID != "" {
				return f.projectID
			}
		case hss.EnvToken:
			if f.token != "" {
				return f.token
			}
		}
		return e.getenv(key)
	}
	c, err := hss.NewClientFromEnvFunc(getenv, opts...)
	return c, func() {}, err
}

// isNoCredentials reports whether the chain found no credentials at all,
// which scripts treat like a rejected login.
func isNoCredentials(err error) bool { return errors.Is(err, hss.ErrNoCredentials) }
