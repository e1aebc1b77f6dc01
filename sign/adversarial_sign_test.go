package sign

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAdversarialGetBodyReturningNothingDoesNotPanic: a request whose
// GetBody returns no body and no error (a hand-built request, or a parent
// SDK's that has no second copy) makes Request call Close on a nil
// io.ReadCloser and panic, through Transport.RoundTrip too, where net/http
// would have sent the request without calling GetBody at all. Signing
// must refuse with an *Error, or hash req.Body instead, never panic.
func TestAdversarialGetBodyReturningNothingDoesNotPanic(t *testing.T) {
	req, err := http.NewRequest(http.MethodPost, "https://h.example.com/x", strings.NewReader(`{"a":1}`))
	require.NoError(t, err)
	req.GetBody = func() (io.ReadCloser, error) { return nil, nil }
	var signErr error
	require.NotPanics(t, func() { signErr = Request(req, permanentKey, vectorTime) })
	if signErr != nil {
		var se *Error
		assert.ErrorAs(t, signErr, &se)
	}
}
