package sigcheck

import (
	"fmt"
	"time"
)

// ExpiredError reports an X-Sdk-Date too far from the server's clock: the
// gateway's "signature expired". A server builds its answer from it; its
// message names the header, as a test reading a request log looks for it.
type ExpiredError struct {
	// SignatureTime is the X-Sdk-Date the request carried
	// (20060102T150405Z).
	SignatureTime string
	// ServerTime is the server's clock when it checked the request.
	ServerTime time.Time
	// MaxSkew is how far apart the two may be.
	MaxSkew time.Duration
}

// Error reads like "x-sdk-date 20250101T000000Z is more than 15m0s away from the server time 20250101T010000Z".
func (e *ExpiredError) Error() string {
	return fmt.Sprintf("x-sdk-date %s is more than %s away from the server time %s", e.SignatureTime, e.MaxSkew, e.ServerTime.UTC().Format(dateLayout))
}
