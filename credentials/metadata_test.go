// Metadata: the ECS metadata service's temporary keys, its errors, and MetadataConfig checks.
package credentials_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMetadataKeys(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	ms := newMetadataServer(t, clk)
	v := retrieve(t, credentials.NewMetadata(ms.config()))
	assert.Equal(t, credentials.Value{
		AccessKey: "TMPAK1", SecretKey: "tmp-sk-secret-1", SecurityToken: "tmp-token-secret-1",
		Expires: epoch.Add(time.Hour), Source: "ECS metadata",
	}, v)
	assert.Equal(t, "TMPAK1", v.Key().AccessKey)
	assert.Equal(t, "tmp-token-secret-1", v.Key().SecurityToken)
}

// The keys are cached and fetched again 15 minutes before they expire, in
// the background while they are still valid.
func TestMetadataRefreshesAheadOfExpiry(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	ms := newMetadataServer(t, clk)
	m := credentials.NewMetadata(ms.config())
	assert.Equal(t, "TMPAK1", retrieve(t, m).AccessKey)
	clk.Advance(44 * time.Minute)
	assert.Equal(t, "TMPAK1", retrieve(t, m).AccessKey)
	assert.EqualValues(t, 1, ms.hits.Load())

	clk.Advance(2 * time.Minute)
	assert.Equal(t, "TMPAK1", retrieve(t, m).AccessKey)
	assert.Equal(t, 1, <-ms.arrived)
	assert.Equal(t, 2, <-ms.arrived)
	clk.Advance(15 * time.Minute)
	assert.Equal(t, "TMPAK2", retrieve(t, m).AccessKey)
	assert.EqualValues(t, 2, ms.hits.Load())
}

func TestMetadataInvalidate(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	ms := newMetadataServer(t, clk)
	m := credentials.NewMetadata(ms.config())
	first := retrieve(t, m)
	m.Invalidate(first) // fetched less than RefusalWindow ago: kept
	assert.Equal(t, "TMPAK1", retrieve(t, m).AccessKey)
	clk.Advance(credentials.RefusalWindow)
	m.Invalidate(first)
	assert.Equal(t, "TMPAK2", retrieve(t, m).AccessKey)
	m.Invalidate(first) // stale
	assert.Equal(t, "TMPAK2", retrieve(t, m).AccessKey)
	assert.EqualValues(t, 2, ms.hits.Load())
	var _ credentials.Invalidator = m
}

// Keys that arrive already expired are an error wrapping ErrExpired, and
// the service is not asked again for 30 seconds.
func TestMetadataExpiredOnArrival(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	ms := newMetadataServer(t, clk)
	ms.ttl = -time.Second
	m := credentials.NewMetadata(ms.config())
	for range 3 {
		_, err := m.Retrieve(context.Background())
		require.ErrorIs(t, err, credentials.ErrExpired)
		assertNoSecrets(t, err.Error(), "tmp-sk-secret-1", "tmp-token-secret-1")
	}
	clk.Advance(29 * time.Second)
	_, err := m.Retrieve(context.Background())
	require.ErrorIs(t, err, credentials.ErrExpired)
	assert.EqualValues(t, 1, ms.hits.Load())
	clk.Advance(time.Second)
	_, err = m.Retrieve(context.Background())
	require.ErrorIs(t, err, credentials.ErrExpired)
	assert.EqualValues(t, 2, ms.hits.Load())
}

// Answers that are not usable keys give an *Error that quotes none of the
// secrets in them. Refusals (404, keys a header cannot carry) are
// remembered for 30 seconds; other failures are asked again at once.
func TestMetadataBadAnswers(t *testing.T) {
	const leaked = "leaky-secret-value"
	cases := []struct {
		name    string
		status  int
		body    string
		want    string
		refused bool
	}{
		{"not found", 404, `{"error":"` + leaked + `"}`, "404", true},
		{"forbidden", 403, `{"error_msg":"no agency"}`, "403: no agency", true},
		{"server error", 503, "", "503", false},
		{"not JSON", 200, `<html>` + leaked, "not the securitykey JSON document", false},
		{"no credential", 200, `{"other":"` + leaked + `"}`, "lacks credential.access, secret or securitytoken", false},
		{"null credential", 200, `{"credential":null}`, "lacks credential.access, secret or securitytoken", false},
		{"no secret", 200, `{"credential":{"access":"AK","securitytoken":"` + leaked + `","expires_at":"2031-03-04T06:00:00Z"}}`, "lacks", false},
		{"no security token", 200, `{"credential":{"access":"AK","secret":"` + leaked + `","expires_at":"2031-03-04T06:00:00Z"}}`, "lacks", false},
		{"bad expiry", 200, `{"credential":{"access":"AK","secret":"` + leaked + `","securitytoken":"t","expires_at":"tomorrow"}}`, "credential.expires_at is not an RFC 3339 time", false},
		{"bad access key", 200, `{"credential":{"access":"A K","secret":"` + leaked + `","securitytoken":"t","expires_at":"2031-03-04T06:00:00Z"}}`, "ak: must hold only", true},
		{"secret with newline", 200, `{"credential":{"access":"AK","secret":"` + leaked + `\n","securitytoken":"t","expires_at":"2031-03-04T06:00:00Z"}}`, "sk: must not contain control characters", true},
		{"token with spaces", 200, `{"credential":{"access":"AK","secret":"s","securitytoken":" ` + leaked + `","expires_at":"2031-03-04T06:00:00Z"}}`, "security_token: must not start or end with white space", true},
		{"wrong type", 200, `{"credential":{"access":"AK","secret":["` + leaked + `"]}}`, "not the securitykey JSON document", false},
		{"too long", 200, `{"credential":{"access":"` + leaked + strings.Repeat("A", 64<<10) + `"}}`, "longer than 65536 bytes", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var hits atomic.Int32
			// The bodies are fixed bytes; hand-made like the other fakes.
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				w.WriteHeader(c.status)
				io.WriteString(w, c.body)
			}))
			defer srv.Close()
			clk := hsstest.NewClock(epoch)
			m := credentials.NewMetadata(credentials.MetadataConfig{URL: srv.URL + "/openstack/latest/securitykey", Now: clk.Now})
			for range 2 {
				_, err := m.Retrieve(context.Background())
				var ce *credentials.Error
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, "ECS metadata", ce.Source)
				assert.Contains(t, err.Error(), c.want)
				assertNoSecrets(t, err.Error(), leaked)
				clk.Advance(time.Second) // past the backoff of a first failure, within a refusal's window
			}
			want := int32(2)
			if c.refused {
				want = 1
			}
			assert.Equal(t, want, hits.Load(), "asked again")
		})
	}
}

// A 101 answer ends the fetch at once; a redirect is not followed.
func TestMetadataOddAnswers(t *testing.T) {
	clk := hsstest.NewClock(epoch)
	m := credentials.NewMetadata(credentials.MetadataConfig{URL: switchingServer(t), Now: clk.Now})
	var err error
	mustReturn(t, "a fetch answered 101", func() { _, err = m.Retrieve(context.Background()) })
	assert.ErrorContains(t, err, "unexpected 101 Switching Protocols answer")

	var elsewhere atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer target.Close()
	ms := newMetadataServer(t, clk)
	ms.answer = func(_ int, w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, target.URL+"/x", http.StatusFound)
		return true
	}
	_, err = credentials.NewMetadata(ms.config()).Retrieve(context.Background())
	var ce *credentials.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, http.StatusFound, ce.StatusCode)
	assert.Zero(t, elsewhere.Load())
}

func TestMetadataUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL + "/openstack/latest/securitykey?secret-query=1"
	srv.Close() // nothing listens there any more
	m := credentials.NewMetadata(credentials.MetadataConfig{URL: u})
	_, err := m.Retrieve(context.Background())
	var ce *credentials.Error
	require.ErrorAs(t, err, &ce)
	assert.False(t, ce.Refused())
	assert.Equal(t, u, ce.URL)
	assert.Contains(t, err.Error(), "credentials: ECS metadata "+strings.TrimPrefix(srv.URL, "http://")+": ")
	assert.NotContains(t, err.Error(), "secret-query")
	assert.NotContains(t, err.Error(), "/openstack")
}

func TestMetadataDefaults(t *testing.T) {
	m := credentials.NewMetadata(credentials.MetadataConfig{})
	assert.Equal(t, credentials.DefaultMetadataURL, m.URL())
	assert.Equal(t, "http://169.254.169.254/openstack/latest/securitykey", credentials.DefaultMetadataURL)

	var nilMeta *credentials.Metadata
	for _, m := range []*credentials.Metadata{nilMeta, {}} {
		assert.NotPanics(t, func() {
			_, err := m.Retrieve(context.Background())
			var ce *credentials.ConfigError
			require.ErrorAs(t, err, &ce)
			m.Invalidate(credentials.Value{})
			assert.Empty(t, m.URL())
		})
	}
}

// A metadata URL that cannot work is a *ConfigError naming the field from
// every Retrieve, before anything is sent, not a failed fetch a client
// would retry.
func TestMetadataRefusesBadURL(t *testing.T) {
	for _, u := range []string{"169.254.169.254/openstack", "ftp://169.254.169.254/x", "http:///x", "http://[::1", "file:///etc/passwd"} {
		t.Run(u, func(t *testing.T) {
			m := credentials.NewMetadata(credentials.MetadataConfig{URL: u})
			_, err := m.Retrieve(context.Background())
			var ce *credentials.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "MetadataConfig", ce.Source)
			assert.Equal(t, "URL", ce.Field)
		})
	}
}
