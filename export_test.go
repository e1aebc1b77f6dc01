// Hooks through which the external tests see what the Client keeps to itself.
package hss

import (
	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/sign"
)

// ScrubberBuilt reports whether c has built the Scrubber of its
// credentials: the index of their forms, which only an error, a log line
// or an id that may echo a secret needs.
func ScrubberBuilt(c *Client) bool { return c.scrubs.last.Load() != nil }

// RequestIDFilter returns what tells whether the Client reads a request id
// as sure to hold none of v's secrets, without building their Scrubber.
func RequestIDFilter(v credentials.Value) (isClear func(id string) bool) { return newIDFilter(v).clear }

// KeySigner returns the sign.Signer c signed with last, nil when it has
// not signed.
func KeySigner(c *Client) *sign.Signer {
	if s, ok := c.signer.(*skewedSigner); ok {
		if e := s.last.Load(); e != nil {
			return e.s
		}
	}
	return nil
}

// QuotaStoreKey returns the QuotaStore key of route for the credentials
// identity of v, as c names it.
func QuotaStoreKey(c *Client, v credentials.Value, route string) string {
	return quotaStoreKey(quotaHost(c.endpoint), c.projectEsc, quotaIdentity(v), route)
}
