// A skewed clock still signs: the Client learns the gateway's time from its answers, with one refused request at most.
package hss_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

func TestClockSkewCorrected(t *testing.T) {
	for _, offset := range []time.Duration{time.Hour, -time.Hour, 16 * time.Minute, -23 * time.Hour} {
		t.Run(offset.String(), func(t *testing.T) {
			clk := hsstest.NewClock(time.Now())
			srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithClockOffset(offset), hsstest.WithSeed("task", 3),
				hsstest.WithAKSK(signingAK, signingSK), hsstest.WithoutTokenAuth())
			defer srv.Close()
			var logs bytes.Buffer
			client := srv.Client(t, hss.WithAKSK(signingAK, signingSK),
				hss.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))))
			for range 3 {
				_, err := client.ListSyncTaskRegistries(context.Background(), "task", nil)
				require.NoError(t, err)
			}
			refused := 0
			for _, r := range srv.Requests() {
				if r.Status == http.StatusUnauthorized {
					refused++
					assert.Contains(t, r.AuthError, "more than 15m0s away")
				}
			}
			assert.Equal(t, 1, refused, "one refused request, then the gateway's clock")
			assert.Len(t, srv.Requests(), 4)
			assert.Equal(t, 1, strings.Count(logs.String(), "the gateway's clock is off"), logs.String())
			assert.Empty(t, clk.Sleeps(), "signing again is not a backoff")
		})
	}
}

// TestClockSkewLearnedFromDate: an answer whose Date is more than five
// minutes off teaches the Client the gateway's clock before any refusal.
func TestClockSkewLearnedFromDate(t *testing.T) {
	clk := hsstest.NewClock(time.Now())
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithClockOffset(10*time.Minute), hsstest.WithSeed("task", 3),
		hsstest.WithAKSK(signingAK, signingSK), hsstest.WithoutTokenAuth())
	defer srv.Close()
	client := srv.Client(t, hss.WithAKSK(signingAK, signingSK))
	_, err := client.ListSyncTaskRegistries(context.Background(), "task", nil)
	require.NoError(t, err, "10 minutes is within the gateway's 15")
	clk.Advance(6 * time.Minute) // the client's clock alone would now be 16 minutes off
	_, err = client.ListSyncTaskRegistries(context.Background(), "task", nil)
	require.NoError(t, err)
	for _, r := range srv.Requests() {
		assert.Equal(t, http.StatusOK, r.Status)
	}
}

// TestClockSkewBeyondCorrectionIsFinal: a refusal for the signature's date
// that teaches no new offset (the gateway's clock is more than
// sign.MaxOffset away, or its answer tells no time) is not signed again:
// each call costs one refused request, not two, towards the gateway's lock
// of a failing key, and its error says why the SDK cannot correct the
// clock.
func TestClockSkewBeyondCorrectionIsFinal(t *testing.T) {
	for name, tc := range map[string]struct {
		offset time.Duration
		hook   func(w http.ResponseWriter, r *http.Request) bool
		says   string
	}{
		"30 hours": {offset: 30 * time.Hour, says: "more than the 24h0m0s the SDK corrects"},
		"no time": {hook: func(w http.ResponseWriter, _ *http.Request) bool {
			w.Header()["Date"] = nil // net/http adds none
			writeAPIError(w, http.StatusUnauthorized, "APIGW.0301", "Incorrect IAM authentication information: signature expired")
			return true
		}, says: "without telling its own time"},
	} {
		t.Run(name, func(t *testing.T) {
			clk := hsstest.NewClock(time.Now())
			srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithClockOffset(tc.offset), hsstest.WithSeed("task", 3),
				hsstest.WithAKSK(signingAK, signingSK), hsstest.WithoutTokenAuth())
			defer srv.Close()
			if tc.hook != nil {
				srv.Handle(tc.hook)
			}
			client, tr, _ := newTestClient(t, srv, hss.WithAKSK(signingAK, signingSK))
			for range 3 {
				_, err := client.ListSyncTaskRegistries(context.Background(), "task", nil)
				require.Error(t, err)
				assert.True(t, hss.IsAuthError(err), "%v", err)
				assert.Contains(t, err.Error(), tc.says)
				assertNoSecret(t, err, signingSK)
			}
			assert.Equal(t, 3, tr.Calls(), "one refused request per call")
			assert.Empty(t, clk.Sleeps())
		})
	}
}

// staleDateTransport rewrites the Date of every 2xx answer to the client's
// clock, as a cache in front of a gateway whose clock is off might.
func staleDateTransport(next http.RoundTripper, clk *hsstest.Clock) *countingTransport {
	return &countingTransport{next: next, inject: func(_ int64, r *http.Request) (*http.Response, bool, error) {
		resp, err := next.RoundTrip(r)
		if err == nil && resp.StatusCode/100 == 2 {
			resp.Header.Set("Date", clk.Now().UTC().Format(http.TimeFormat))
		}
		return resp, true, err
	}}
}

// TestClockSkewStaleDateKeepsTheOffset: a gateway an hour ahead whose
// accepted answers carry a stale Date refuses the Client once; the offset
// its refusal taught, which then worked, is kept against those Dates.
func TestClockSkewStaleDateKeepsTheOffset(t *testing.T) {
	clk := hsstest.NewClock(time.Now())
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithClockOffset(time.Hour), hsstest.WithSeed("task", 3),
		hsstest.WithAKSK(signingAK, signingSK), hsstest.WithoutTokenAuth())
	defer srv.Close()
	tr := staleDateTransport(srv.HTTPClient().Transport, clk)
	client := srv.Client(t, hss.WithAKSK(signingAK, signingSK), hss.WithHTTPClient(&http.Client{Transport: tr}))
	for range 5 {
		_, err := client.ListSyncTaskRegistries(context.Background(), "task", nil)
		require.NoError(t, err)
		clk.Advance(time.Minute)
	}
	refused := 0
	for _, r := range srv.Requests() {
		if r.Status == http.StatusUnauthorized {
			refused++
		}
	}
	assert.Equal(t, 1, refused)
	assert.Equal(t, 6, tr.Calls())
}
