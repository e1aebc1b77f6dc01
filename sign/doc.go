// Package sign signs HTTP requests for Huawei Cloud API Gateway with the
// SDK-HMAC-SHA256 scheme, the access-key (AK/SK) authentication every
// Huawei Cloud API accepts. It works for any Huawei Cloud service, not only
// HSS, and depends on the standard library alone.
//
// Request signs one request in place; a Signer signs many with one key,
// checked once; Transport signs every request an http.Client sends:
//
//	hc := &http.Client{Transport: &sign.Transport{Key: sign.Key{AccessKey: ak, SecretKey: sk}}}
//	resp, err := hc.Get("https://ecs.cn-north-4.myhuaweicloud.com/v1/" + projectID + "/cloudservers/detail")
//
// # What is signed
//
// What the gateway verifies is what arrives, so Request signs the request
// as net/http sends it. The canonical request is the method, the path, the
// query, the signed headers and the SHA-256 of the body, each in the
// canonical form Huawei Cloud's own signers produce:
//
//   - the path is decoded, split at '/', and each segment encoded again
//     keeping only A-Z a-z 0-9 - _ . ~, with a '/' at the end;
//   - the query is decoded ('+' is a space), sorted by key and then by
//     value, and encoded the same way;
//   - the signed headers are Host and every header of the request except
//     Content-Type, Content-Length, Authorization, hop-by-hop headers
//     (Connection, Keep-Alive, Proxy-*, TE, Trailer, Transfer-Encoding,
//     Upgrade) and names that hold '_'; X-Sdk-Date (and X-Security-Token
//     for temporary keys) is set first, so it is always signed;
//   - the body hash is the value of X-Sdk-Content-Sha256 when the caller
//     set that header (UNSIGNED-PAYLOAD skips hashing a large body), else
//     the hex SHA-256 of the body.
//
// Where net/http sends something other than what the request holds, the
// signature follows net/http:
//
//   - a header's values are sent one line each, trimmed, and a server
//     joins the lines with ','; so {"a ", " b"} is signed as "a,b";
//   - a header with no values is not sent, nor is a User-Agent whose first
//     value is empty; of a User-Agent only the first value is sent; what
//     is not sent is not signed;
//   - header names are put in canonical form first (x-sdk-content-sha256
//     becomes X-Sdk-Content-Sha256), and the spellings of one name become
//     one header, so that every protocol sends its values in one order;
//   - the host (Request.Host, else URL.Host) is sent without the zone of
//     an IPv6 literal ("[fe80::1%eth0]" goes as "[fe80::1]");
//   - a host that net/http would not send as given (empty, not ASCII, or
//     holding '/', a space and such) is refused with a *HostError.
//
// # Clock skew
//
// The gateway accepts an X-Sdk-Date within 15 minutes of its own clock and
// refuses others with 401 "signature expired". A Skew learns how far the
// gateway's clock is from the local one, from that refusal (its message
// gives the gateway's time) and from the Date header of other answers, and
// corrects signing times by it, by up to MaxOffset (24 hours). Transport
// uses one, so that a machine whose clock is off is refused once at most:
// it signs the refused request again with the corrected time and sends it
// once more. A clock more than MaxOffset off is not corrected, and each of
// its requests is refused once.
//
// # Secrets
//
// A Key prints, marshals and logs its secret key and security token as
// REDACTED, and so does a Transport, whose only secrets are in its Key. A
// Signer shows nothing of its key. No error of this package holds a secret
// or a signature.
package sign
