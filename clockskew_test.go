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
