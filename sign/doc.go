// Package sign signs HTTP requests for Huawei Cloud API Gateway with the
// SDK-HMAC-SHA256 scheme, the access-key (AK/SK) authentication every
// Huawei Cloud API accepts. It works for any Huawei Cloud service, not only
// HSS, and depends on the standard library alone.
//
// Request signs one request in place; Transport signs every request an
// http.Client sends:
//
//	hc := &http.Client{Transport: &sign.Transport{Key: sign.Key{AccessKey: ak, SecretKey: sk}}}
//	resp, err := hc.Get("https://ecs.cn-north-4.myhuaweicloud.com/v1/" + projectID + "/cloudservers/detail")
//
// # What is signed
//
// The canonical request is the method, the path, the query, the signed
// headers and the SHA-256 of the body, each in the canonical form Huawei
// Cloud's own signers produce:
//
//   - the path is decoded, split at '/', and each segment encoded again
//     keeping only A-Z a-z 0-9 - _ . ~, with a '/' at the end;
//   - the query is decoded ('+' is a space), sorted by key and then by
//     value, and encoded the same way;
//   - the signed headers are Host and every header of the request except
//     Content-Type, Content-Length, Authorization, hop-by-hop headers
//     (Connection, Keep-Alive, Proxy-*, TE, Trailer, Transfer-Encoding,
//     Upgrade) and names that hold '_', with their values trimmed; X-Sdk-Date (and X-Security-Token for
//     temporary keys) is set first, so it is always signed;
//   - the body hash is the value of X-Sdk-Content-Sha256 when the caller
//     set that header (UNSIGNED-PAYLOAD skips hashing a large body), else
//     the hex SHA-256 of the body.
//
// The gateway accepts an X-Sdk-Date within 15 minutes of its own clock.
//
// # Secrets
//
// A Key prints, marshals and logs its secret key and security token as
// REDACTED, and no error of this package holds a secret or a signature.
package sign
