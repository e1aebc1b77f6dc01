// Package credentials finds and refreshes the credentials a Huawei Cloud
// client authenticates with: an IAM token, or an access key (AK/SK, with a
// security token for temporary keys).
//
// A Provider hands out a Value on demand. The providers here are:
//
//   - Static: fixed credentials (NewStatic);
//   - Chain: the environment, the credentials file and the ECS metadata
//     service, searched the way the official Huawei Cloud SDKs search them;
//   - Profile: the [basic] section of ~/.huaweicloud/credentials (LoadProfile);
//   - Metadata: the temporary keys of an ECS instance's agency (NewMetadata);
//   - TokenSource: IAM user tokens obtained with a password
//     (NewPasswordTokenSource);
//   - Cache: wraps any Provider whose values expire, refreshing ahead of
//     expiry with one request however many goroutines ask.
//
// The package does not sign requests or send them to a service: package hss
// does, with the Value a Provider gives, and package sign signs for any
// Huawei Cloud API. It does not import hss; besides the standard library it
// uses sign and the module's internal helpers.
//
// No type here prints, marshals or logs a secret. Value and PasswordConfig,
// which hold secrets in exported fields, show them as REDACTED; the other
// types keep theirs behind an unexported pointer, which fmt, encoding/json
// and log/slog show as an address or not at all. No error holds a secret.
package credentials
