// Examples: a Chain, and what ErrNoCredentials names.
package credentials_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/hsskit/hss/credentials"
)

// Find credentials the way the official SDKs do. A Getenv of its own
// keeps the Chain to the variables it is given: it reads no home
// directory and asks no metadata service, which suits tests.
func ExampleChain() {
	vars := map[string]string{
		credentials.EnvAK: "QTWAOYTTINDUT2QVKYUC",
		credentials.EnvSK: "my-secret-key",
	}
	chain := &credentials.Chain{Getenv: func(k string) string { return vars[k] }}
	p, err := chain.Provider(context.Background())
	if err != nil {
		panic(err)
	}
	v, err := p.Retrieve(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Println(v) // secrets print as REDACTED
	// Output:
	// credentials.Value{kind: access key, token: none, access_key: QTWAOYTTINDUT2QVKYUC, secret_key: REDACTED, security_token: none, expires: none, source: $HUAWEICLOUD_SDK_AK}
}

// When no source has credentials, the error says where the Chain looked.
func ExampleErrNoCredentials() {
	chain := &credentials.Chain{Getenv: func(string) string { return "" }}
	_, err := chain.Provider(context.Background())
	fmt.Println(errors.Is(err, credentials.ErrNoCredentials))
	fmt.Println(err)
	// Output:
	// true
	// credentials: no credentials found; looked at: $HSS_TOKEN; $HUAWEICLOUD_SDK_AK and $HUAWEICLOUD_SDK_SK; [basic] ak and sk in ~/.huaweicloud/credentials (no home directory); ECS metadata (skipped: $HSS_NO_METADATA is not false)
}
