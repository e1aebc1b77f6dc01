// Durations for people: rounded by size, also inside the SDK's messages.

package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestRoundDuration: to the second from 10s, a tenth from 1s, the
// millisecond from 1ms, the microsecond below.
func TestRoundDuration(t *testing.T) {
	for in, want := range map[time.Duration]string{
		59999998504 * time.Nanosecond: "1m0s",
		12400 * time.Millisecond:      "12s",
		2345678901 * time.Nanosecond:  "2.3s",
		31234567 * time.Nanosecond:    "31ms",
		1234567 * time.Nanosecond:     "1ms",
		1234 * time.Nanosecond:        "1µs",
		0:                             "0s",
		5 * time.Minute:               "5m0s",
	} {
		assert.Equal(t, want, roundDuration(in).String(), "%d ns", int64(in))
	}
}

// TestRoundDurations: a duration with a fraction inside a message reads
// rounded; other numbers and words are left as they are.
func TestRoundDurations(t *testing.T) {
	for in, want := range map[string]string{
		"waiting 59.999998504s (GET /x)":                     "waiting 1m0s (GET /x)",
		"allows the next call in 9.999998762s.":              "allows the next call in 10s.",
		"quota needs 1m29.99999s more, past the 5m0s budget": "quota needs 1m30s more, past the 5m0s budget",
		"attempt timed out after 1.234567ms":                 "attempt timed out after 1ms",
		"version 1.2.3s and v1.5s and 2.5 seconds":           "version 1.2.3s and v1.5s and 2.5 seconds",
		"request id 0a1b2c3.5s9 (x)":                         "request id 0a1b2c3.5s9 (x)",
		"took 3.25µs":                                        "took 3µs",
		"no durations here: 1.5, 10s":                        "no durations here: 1.5, 10s",
	} {
		assert.Equal(t, want, roundDurations(in), "%q", in)
	}
}
