package hss

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestQuotaHint(t *testing.T) {
	cases := []struct {
		msg    string
		limit  int
		window time.Duration
	}{
		{"The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 minute", 5, time.Minute},
		{"The throttling threshold has been reached: policy ip over ratelimit,limit:600,time:1 minute", 600, time.Minute},
		{"policy api over ratelimit,limit:10,time:1 second", 10, time.Second},
		{"policy user over ratelimit,limit:100,time:2 hours", 100, 2 * time.Hour},
		{"The throttling threshold has been reached.", 0, 0},
		{"limit:5", 0, 0},
		{"limit:0,time:1 minute", 0, 0},
		{"limit:5,time:0 minute", 0, 0},
		{"limit:5,time:1 fortnight", 0, 0},
		{"limit:99999999999999,time:1 minute", 0, 0},
	}
	for _, tc := range cases {
		limit, window := quotaHint(tc.msg)
		assert.Equal(t, tc.limit, limit, tc.msg)
		assert.Equal(t, tc.window, window, tc.msg)
	}
}

// TestQuotaProbesUpAndLearnsDown drives one quota by hand: a throttle
// teaches the limit, a window used up cleanly probes an eighth more, a
// late answer from an older window moves nothing.
func TestQuotaProbesUpAndLearnsDown(t *testing.T) {
	var q quota
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	send := func(n int) (sent int, gen uint64) {
		for range n {
			wait, g := q.reserve(now)
			if wait > 0 {
				return sent, gen
			}
			sent, gen = sent+1, g
			q.passed(g)
		}
		return sent, gen
	}
	_, gen := send(8)
	gate := q.throttledAt(now, gen, &APIError{StatusCode: 429, Code: "APIGW.0308"})
	assert.Equal(t, now.Add(time.Minute), gate, "no Retry-After: wait a whole window")
	assert.Equal(t, 8, q.limit, "the calls that got through")

	now = gate
	sent, gen := send(100)
	assert.Equal(t, 8, sent, "a window lets the learned limit through")
	now = now.Add(time.Minute)
	sent, _ = send(100)
	assert.Equal(t, 9, sent, "a window used up without a throttle probes an eighth more")

	// A throttle from the window before moves neither the gate nor the limit.
	assert.Equal(t, gate, q.throttledAt(now, gen, &APIError{StatusCode: 429}))
	assert.Equal(t, 8, q.limit)

	// Retry-After sets the gate; the message's limit wins over the count.
	now = now.Add(time.Minute)
	_, gen = send(1)
	gate = q.throttledAt(now, gen, &APIError{StatusCode: 429, RetryAfter: 5 * time.Second,
		Message: "policy user over ratelimit,limit:3,time:1 minute"})
	assert.Equal(t, now.Add(5*time.Second), gate)
	assert.Equal(t, 3, q.limit)
}
