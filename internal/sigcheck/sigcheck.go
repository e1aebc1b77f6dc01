// Package sigcheck verifies SDK-HMAC-SHA256 request signatures the way
// Huawei Cloud API Gateway does, for test servers such as hsstest.
//
// It recomputes every signature from the request alone and deliberately
// shares no code with the SDK's signer: a bug copied into both would
// otherwise pass every round-trip test. Keep it that way.
package sigcheck

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

const (
	algorithm  = "SDK-HMAC-SHA256"
	dateLayout = "20060102T150405Z"
	// maxBody bounds the body read to hash it.
	maxBody = 12 << 20
)

// errSignature is API Gateway's message for an unknown AK or a signature
// that does not match.
var errSignature = errors.New("verify aksk signature fail")

// Verify checks an SDK-HMAC-SHA256 signed request as API Gateway would.
// secretFor returns the SK for an AK (ok=false: unknown AK). now and maxSkew
// bound X-Sdk-Date (API Gateway allows 15 minutes). It returns the AK on
// success. Error messages never contain the SK or the signature; an unknown
// AK or wrong signature says "verify aksk signature fail"; an X-Sdk-Date
// more than maxSkew from now is an *ExpiredError.
//
// The signed headers must include x-sdk-date, and x-security-token when the
// request carries X-Security-Token. A body is read (at most 12 MiB) to hash
// it and put back for the handler, unless X-Sdk-Content-Sha256 is set
// (UNSIGNED-PAYLOAD, say): then its value is the signed body hash, as the
// gateway and the official signer take it.
func Verify(r *http.Request, secretFor func(ak string) (sk string, ok bool), now time.Time, maxSkew time.Duration) (ak string, err error) {
	if r == nil || r.URL == nil {
		return "", errors.New("no request")
	}
	if secretFor == nil {
		return "", errors.New("no secret lookup")
	}
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return "", errors.New("authorization header not found")
	}
	ak, signedHeaders, givenSig, err := parseAuthorization(authz)
	if err != nil {
		return "", err
	}

	sdkDate := r.Header.Get("X-Sdk-Date")
	if sdkDate == "" {
		return "", errors.New("x-sdk-date header not found")
	}
	date, err := time.Parse(dateLayout, sdkDate)
	if err != nil {
		return "", errors.New("x-sdk-date is not in the form 20060102T150405Z")
	}
	if skew := now.Sub(date); skew > maxSkew || skew < -maxSkew {
		return "", &ExpiredError{SignatureTime: sdkDate, ServerTime: now, MaxSkew: maxSkew}
	}

	names := strings.Split(signedHeaders, ";")
	if err := checkSignedHeaders(names, r); err != nil {
		return "", err
	}

	sk, ok := secretFor(ak)
	if !ok {
		return "", errSignature
	}

	bodyHash := strings.Trim(r.Header.Get("X-Sdk-Content-Sha256"), " \t") // UNSIGNED-PAYLOAD, or a hash the client vouches for
	if bodyHash == "" {
		if bodyHash, err = hashBody(r); err != nil {
			return "", err
		}
	}
	path := canonicalPath(r.URL.Path)
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}

	var canon strings.Builder
	canon.WriteString(method + "\n")
	canon.WriteString(path + "\n")
	canon.WriteString(canonicalQuery(r.URL.Query()) + "\n")
	for _, name := range names {
		canon.WriteString(name + ":" + strings.TrimSpace(headerValue(r, name)) + "\n")
	}
	canon.WriteString("\n")
	canon.WriteString(signedHeaders + "\n")
	canon.WriteString(bodyHash)

	canonHash := sha256.Sum256([]byte(canon.String()))
	stringToSign := algorithm + "\n" + sdkDate + "\n" + hex.EncodeToString(canonHash[:])
	mac := hmac.New(sha256.New, []byte(sk))
	mac.Write([]byte(stringToSign))
	want := hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(givenSig)) {
		return "", errSignature
	}
	return ak, nil
}

// parseAuthorization splits
// "SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex".
// Its errors never quote the header, which holds the signature.
func parseAuthorization(h string) (ak, signedHeaders, sig string, err error) {
	rest, ok := strings.CutPrefix(h, algorithm+" ")
	if !ok {
		return "", "", "", errors.New("authorization header does not use " + algorithm)
	}
	seen := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || v == "" {
			return "", "", "", errors.New("malformed authorization header")
		}
		switch k {
		case "Access", "SignedHeaders", "Signature":
		default:
			return "", "", "", errors.New("malformed authorization header: unknown field")
		}
		if _, dup := seen[k]; dup {
			return "", "", "", errors.New("malformed authorization header: repeated field")
		}
		seen[k] = v
	}
	ak, signedHeaders, sig = seen["Access"], seen["SignedHeaders"], seen["Signature"]
	if ak == "" || signedHeaders == "" || sig == "" {
		return "", "", "", errors.New("authorization header lacks Access, SignedHeaders or Signature")
	}
	return ak, signedHeaders, sig, nil
}

// checkSignedHeaders wants lower-case, sorted, distinct names that the
// request carries, x-sdk-date among them (else the date could be
// replayed), and x-security-token when the request has one (else the
// token could be swapped).
func checkSignedHeaders(names []string, r *http.Request) error {
	hasDate, hasToken := false, false
	for i, n := range names {
		if n == "" || n != strings.ToLower(n) {
			return errors.New("signed headers must be lower-case names")
		}
		if i > 0 && names[i-1] >= n {
			return errors.New("signed headers must be sorted and distinct")
		}
		if n != "host" && len(r.Header.Values(n)) == 0 {
			return fmt.Errorf("signed header %s is not in the request", n)
		}
		hasDate = hasDate || n == "x-sdk-date"
		hasToken = hasToken || n == "x-security-token"
	}
	if !hasDate {
		return errors.New("x-sdk-date must be a signed header")
	}
	if r.Header.Get("X-Security-Token") != "" && !hasToken {
		return errors.New("x-security-token must be a signed header")
	}
	return nil
}

// headerValue returns what the client sent for a signed header: a header
// sent on several lines is one value, its lines joined by ',' (RFC 9110
// section 5.3), each without the spaces and tabs around it, which are no
// part of a field value (HTTP/1.1 readers drop them; over HTTP/2 a value
// may arrive with them).
func headerValue(r *http.Request, name string) string {
	if name == "host" {
		if r.Host != "" {
			return r.Host
		}
		return r.URL.Host
	}
	values := r.Header.Values(name)
	trimmed := make([]string, len(values))
	for i, v := range values {
		trimmed[i] = strings.Trim(v, " \t")
	}
	return strings.Join(trimmed, ",")
}

// hashBody returns hex(SHA-256(body)) and leaves the body readable.
func hashBody(r *http.Request) (string, error) {
	if r.Body == nil || r.Body == http.NoBody {
		sum := sha256.Sum256(nil)
		return hex.EncodeToString(sum[:]), nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	r.Body.Close()
	if err != nil {
		return "", fmt.Errorf("reading the body: %w", err)
	}
	if len(body) > maxBody {
		return "", errors.New("body too large to verify")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:]), nil
}

// canonicalPath splits the decoded path at '/' (an escaped slash in the
// request line is a separator here, as the gateway reads it) and encodes
// each segment keeping only unreserved characters; the result ends in '/'.
func canonicalPath(decoded string) string {
	segments := strings.Split(decoded, "/")
	for i, seg := range segments {
		segments[i] = encode(seg)
	}
	p := strings.Join(segments, "/")
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

// canonicalQuery sorts the decoded parameters by key, then value, and
// encodes them keeping only unreserved characters.
func canonicalQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vals := append([]string(nil), q[k]...)
		sort.Strings(vals)
		for _, v := range vals {
			parts = append(parts, encode(k)+"="+encode(v))
		}
	}
	return strings.Join(parts, "&")
}

// encode percent-encodes every byte but A-Z a-z 0-9 - _ . ~, with
// upper-case hex.
func encode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
