package hsstest

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/hsskit/hss/internal/sigcheck"
)

// signPrefix starts the Authorization header of a signed request.
const signPrefix = "SDK-HMAC-SHA256 "

// maxSkew is how far X-Sdk-Date may be from the server's clock; API Gateway
// allows 15 minutes.
const maxSkew = 15 * time.Minute

// APIGW.0301 messages, as the gateway words them. msgExpired is followed by
// "signature time:<X-Sdk-Date>,server time:<the server's time>", both in
// the X-Sdk-Date layout.
const (
	msgNoToken  = "Incorrect IAM authentication information: x-auth-token not found"
	msgBadToken = "Incorrect IAM authentication information: decrypt token fail"
	msgBadSign  = "Incorrect IAM authentication information: verify aksk signature fail"
	msgExpired  = "Incorrect IAM authentication information: signature expired, "
)

// dateLayout is the layout of X-Sdk-Date, which the gateway also uses for
// its own time in msgExpired.
const dateLayout = "20060102T150405Z"

// stampDate sets the Date header of an answer from the server's clock,
// which net/http would otherwise set from the wall clock: a client learns
// the gateway's time from it.
func (s *Server) stampDate(w http.ResponseWriter) {
	w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
}

// authenticate checks the credentials of r, which newRecord has already
// classified into rec.Auth. On failure it returns the APIGW.0301 message
// and sets rec.AuthError.
func (s *Server) authenticate(r *http.Request, rec *RecordedRequest) (msg string, ok bool) {
	switch rec.Auth {
	case AuthAKSK:
		return s.checkSignature(r, rec)
	case AuthToken:
		if !s.cfg.tokenAuth {
			rec.AuthError = "X-Auth-Token refused (WithoutTokenAuth)"
			return msgBadToken, false
		}
		// Constant time, like a real check, so nobody copies a timing leak
		// from a test double.
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Auth-Token")), []byte(s.cfg.token)) == 1 {
			return "", true
		}
		rec.AuthError = "token does not match Token()"
		return msgBadToken, false
	default:
		rec.AuthError = "no X-Auth-Token and no SDK-HMAC-SHA256 Authorization header"
		return msgNoToken, false
	}
}

// checkSignature verifies an SDK-HMAC-SHA256 request with sigcheck.Verify
// and, for a temporary key, its X-Security-Token. An X-Sdk-Date more than
// 15 minutes from the server's clock gets the gateway's "signature
// expired" message, with both times.
func (s *Server) checkSignature(r *http.Request, rec *RecordedRequest) (string, bool) {
	secretFor := func(ak string) (string, bool) {
		k, ok := s.cfg.keys[ak]
		return k.sk, ok
	}
	ak, err := sigcheck.Verify(r, secretFor, s.now(), maxSkew)
	if err != nil {
		rec.AuthError = s.scrub(err.Error(), r)
		if expired := (*sigcheck.ExpiredError)(nil); errors.As(err, &expired) {
			return msgExpired + "signature time:" + expired.SignatureTime +
				",server time:" + expired.ServerTime.UTC().Format(dateLayout), false
		}
		return msgBadSign, false
	}
	rec.AK = ak
	if want := s.cfg.keys[ak].securityToken; want != "" {
		got := r.Header.Get("X-Security-Token")
		if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			rec.AuthError = "temporary AK without a matching X-Security-Token"
			return msgBadSign, false
		}
	}
	return "", true
}

// scrub removes from msg any credential value r carried and every secret
// the server knows. sigcheck promises errors free of the SK and signature;
// this also keeps a token or security token it might quote out of the
// request log.
func (s *Server) scrub(msg string, r *http.Request) string {
	secrets := []string{r.Header.Get("X-Auth-Token"), r.Header.Get("X-Security-Token"), s.cfg.token}
	for _, k := range s.cfg.keys {
		secrets = append(secrets, k.sk, k.securityToken)
	}
	if auth := r.Header.Get("Authorization"); auth != "" {
		secrets = append(secrets, auth)
		for _, part := range strings.Split(auth, ",") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(part), "Signature="); ok {
				secrets = append(secrets, v)
			}
		}
	}
	for _, v := range secrets {
		if len(v) >= 4 { // shorter ones would blank out ordinary words
			msg = strings.ReplaceAll(msg, v, "REDACTED")
		}
	}
	return msg
}
