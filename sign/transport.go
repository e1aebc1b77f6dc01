package sign

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync"
	"time"
	"weak"
)

// Transport signs every request it sends, dated by Now (time.Now when nil)
// corrected by Skew, then hands it to Base (http.DefaultTransport when
// nil). It never mutates the caller's request. It is safe for concurrent
// use; do not change its fields once it is in use.
//
// It learns the gateway's clock from every answer (see Skew.Learn), so a
// machine whose clock is off (by at most MaxOffset, 24 hours) is refused
// once at most: a request the gateway refuses as "signature expired" is
// signed again with the corrected time and sent once more, when the
// refusal taught an offset other than the one it was signed with and its
// body can be sent again (it has none, GetBody, or was buffered to be
// hashed; not one sent as X-Sdk-Content-Sha256 without GetBody). Later
// requests are right the first time. A refusal that teaches nothing new
// (it tells no time, or one more than MaxOffset away) is returned as it
// is: sending the request again would only be refused again, and count
// towards the gateway's lock of a key that keeps failing.
//
// Its only secrets are in Key, which prints, marshals and logs them as
// REDACTED; encoding/json writes the Key alone, and Format covers the one
// case Key's own methods cannot (see Transport.Format).
type Transport struct {
	// Base sends the signed request; nil means http.DefaultTransport.
	Base http.RoundTripper `json:"-"`
	// Key signs. A Key that Key.Validate refuses makes every request fail
	// with its *KeyError, before anything is sent.
	Key Key `json:"key"`
	// Now dates the signatures; nil means time.Now.
	Now func() time.Time `json:"-"`
	// Skew holds the offset learned from the answers; Transports (and
	// hss Clients) that sign with one clock for one cloud may share one.
	// nil means the Transport keeps a Skew of its own.
	Skew *Skew `json:"-"`
}

// ownSkews holds the Skew of each Transport whose Skew field is nil, for
// as long as the Transport lives. A Transport is a plain struct that
// callers build, copy and print; a Skew inside it would be copied with it,
// while in use. A map with weak keys keeps the Skew beside the Transport
// instead, and drops it with the Transport.
var ownSkews sync.Map // weak.Pointer[Transport] -> *Skew

// skew returns the Skew t corrects its times with.
func (t *Transport) skew() *Skew {
	if t.Skew != nil {
		return t.Skew
	}
	key := weak.Make(t)
	if s, ok := ownSkews.Load(key); ok {
		return s.(*Skew)
	}
	s, loaded := ownSkews.LoadOrStore(key, new(Skew))
	if !loaded {
		runtime.AddCleanup(t, func(key weak.Pointer[Transport]) { ownSkews.Delete(key) }, key)
	}
	return s.(*Skew)
}

// maxPeek bounds how much of a 401's body is read to find the gateway's
// message; the rest is left for the caller.
const maxPeek = 16 << 10

// RoundTrip signs a copy of req and sends it through Base, and once more,
// signed again, when the gateway refuses its date (see Transport). As a
// RoundTripper must, it closes req.Body, also when signing fails.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req == nil {
		return nil, &Error{Reason: "the request is nil"}
	}
	closeBody := func() {
		if req.Body != nil {
			req.Body.Close()
		}
	}
	if t == nil {
		closeBody()
		return nil, &Error{Reason: "nil *Transport", Err: errors.New("create it as &sign.Transport{Key: ...}")}
	}
	now, skew, base := t.now, t.skew(), t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	signed := req.Clone(req.Context()) // headers copied; the body is shared
	used := skew.Offset()
	if err := Request(signed, t.Key, now().Add(used)); err != nil {
		closeBody()
		return nil, err
	}
	resp, err := base.RoundTrip(signed)
	if err != nil || !learn(skew, now(), resp) || skew.Offset() == used {
		return resp, err // a refusal that taught nothing new stands
	}
	again, ok := t.resign(req, signed, skew.Now(now()))
	if !ok {
		return resp, nil // the refusal stands; the next request is dated right
	}
	discard(resp)
	resp, err = base.RoundTrip(again)
	if err == nil {
		learn(skew, now(), resp)
	}
	return resp, err
}

// now reads the Transport's clock.
func (t *Transport) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// learn lets skew read resp, received at local, and reports whether the
// gateway refused the signature as expired. Of a 401 it reads the start of
// the body and puts it back in front of the rest.
func learn(skew *Skew, local time.Time, resp *http.Response) (expired bool) {
	if resp == nil {
		return false
	}
	var body []byte
	if resp.StatusCode == http.StatusUnauthorized && resp.Body != nil && resp.Body != http.NoBody {
		var err error
		body, err = io.ReadAll(io.LimitReader(resp.Body, maxPeek))
		var rest io.Reader = resp.Body
		if err != nil {
			rest = failingReader{err}
		}
		resp.Body = peekedBody{Reader: io.MultiReader(bytes.NewReader(body), rest), Closer: resp.Body}
	}
	skew.Learn(local, resp, body)
	return SignatureExpired(resp, body)
}

// resign returns a copy of req signed again as of at, carrying the body of
// signed (the copy sent first) read again through its GetBody; ok=false
// when that body cannot be read again or signing fails.
func (t *Transport) resign(req, signed *http.Request, at time.Time) (*http.Request, bool) {
	again := req.Clone(req.Context())
	if signed.Body != nil && signed.Body != http.NoBody {
		if signed.GetBody == nil {
			return nil, false
		}
		body, err := signed.GetBody()
		if err != nil || body == nil {
			return nil, false
		}
		again.Body, again.GetBody, again.ContentLength = body, signed.GetBody, signed.ContentLength
	}
	if err := Request(again, t.Key, at); err != nil {
		if again.Body != nil {
			again.Body.Close()
		}
		return nil, false
	}
	return again, true
}

// discard reads what is left of a refused answer (a little, so that its
// connection can be reused) and closes it.
func discard(resp *http.Response) {
	if resp.Body != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxPeek))
		resp.Body.Close()
	}
}

// peekedBody is a body whose start was read and put back.
type peekedBody struct {
	io.Reader
	io.Closer
}

// failingReader returns the error that cut the read of a body short.
type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

// CloseIdleConnections closes the idle connections of Base (of
// http.DefaultTransport when Base is nil) when it has such a method, as
// http.Client.CloseIdleConnections expects of its Transport.
func (t *Transport) CloseIdleConnections() {
	if t == nil {
		return
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if c, ok := base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// Format prints the Key (secrets REDACTED) and whether Base and Now are
// set, for every fmt verb. Key's own methods do not suffice: asked for a
// verb that does not apply to pointers (%s, %q) of a struct, slice or map
// holding a *Transport, such as an http.Client, fmt prints the Transport
// field by field without calling any method of its fields, Key's Format
// included.
func (t Transport) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "sign.Transport{Key: %v, BaseSet: %t, NowSet: %t}", t.Key, t.Base != nil, t.Now != nil)
}
