package sign

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// Transport signs every request it sends, dated by Now (time.Now when nil),
// then hands it to Base (http.DefaultTransport when nil). It never mutates
// the caller's request.
type Transport struct {
	// Base sends the signed request; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Key signs.
	Key Key
	// Now dates the signatures; nil means time.Now.
	Now func() time.Time
}

// RoundTrip signs a copy of req and sends it through Base. As a
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
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	signed := req.Clone(req.Context()) // headers copied; the body is shared
	if err := Request(signed, t.Key, now()); err != nil {
		closeBody()
		return nil, err
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(signed)
}

// MarshalJSON writes the Key (secrets REDACTED) and whether Base and Now
// are set.
func (t Transport) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Key     Key  `json:"key"`
		BaseSet bool `json:"base_set"`
		NowSet  bool `json:"now_set"`
	}{t.Key, t.Base != nil, t.Now != nil})
}

// LogValue shows the Key, whose secrets show as REDACTED.
func (t Transport) LogValue() slog.Value {
	return slog.GroupValue(slog.Any("key", t.Key))
}

// Format prints the Key (secrets REDACTED) and whether Base and Now are
// set, for every fmt verb.
func (t Transport) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "sign.Transport{Key: %v, BaseSet: %t, NowSet: %t}", t.Key, t.Base != nil, t.Now != nil)
}
