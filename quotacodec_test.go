// The encoding of a quota's state in a QuotaStore: it reads back what it
// wrote, and anything else reads as no state.
package hss

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuotaCodecRoundTrip(t *testing.T) {
	now := time.Unix(1796637600, 0) // as decoded times are: no monotonic reading, the local zone
	st := quotaState{window: time.Minute, limit: 5, share: 2.75, spread: true, shared: true, gate: now.Add(time.Second),
		probing: true, probeEnd: now.Add(2 * time.Second), fails: 2, next: now.Add(3 * time.Second), winStart: now,
		gen: 7, epoch: 9, sent: 3, throttle: true, held: true, clean: 4, lastPass: now.Add(-time.Second),
		turn: now.Add(-time.Minute), sliding: true, raising: true, probed: true, rtt: 70 * time.Millisecond, rttVar: 10 * time.Millisecond,
		cut: now.Add(-2 * time.Second), changed: now.Add(-3 * time.Minute), stride: 1.25, raiseFrom: now.Add(-4 * time.Second), raiseSent: 6}
	st.recent.add(now, st.window)
	st.recent.add(now.Add(5*time.Second), st.window)
	st.slow = slowStart{limit: 4, out: 2, last: now}
	// Every field is set, so that a field the codec forgets fails below.
	v := reflect.ValueOf(st)
	for i := range v.NumField() {
		require.False(t, v.Field(i).IsZero(), "set %s in this test (and in the codec)", v.Type().Field(i).Name)
	}
	b := encodeQuota(&st, now)
	assert.LessOrEqual(t, len(b), MaxQuotaValueLen)
	got, ok := decodeQuota(b, now)
	require.True(t, ok)
	assert.True(t, got.gate.Equal(st.gate) && got.turn.Equal(st.turn) && got.recent.start.Equal(st.recent.start))
	assert.Equal(t, st, got)

	zero, ok := decodeQuota(encodeQuota(&quotaState{}, now), now)
	require.True(t, ok)
	assert.Equal(t, quotaState{}, zero)
}

// TestQuotaCodecRefusesTimesFarAhead: a value written more than an hour
// after the reader's now, or holding a time more than an hour after its
// writing (a day and a window for a gate, which a Retry-After may set up
// to a day ahead) reads as no value, so that a store's garbage or a clock
// far off holds no Client back; values within that read as written.
func TestQuotaCodecRefusesTimesFarAhead(t *testing.T) {
	now := time.Unix(1796637600, 0)
	for name, tc := range map[string]struct {
		written time.Time
		st      quotaState
		ok      bool
	}{
		"a gate a window ahead":        {now, quotaState{window: time.Minute, gate: now.Add(time.Minute)}, true},
		"written a minute ahead":       {now.Add(time.Minute), quotaState{window: time.Minute}, true},
		"a gate two years ahead":       {now, quotaState{window: time.Minute, gate: now.AddDate(2, 0, 0)}, false},
		"a gate 23 hours ahead":        {now, quotaState{window: time.Minute, gate: now.Add(23 * time.Hour)}, true},
		"a gate 25 hours ahead":        {now, quotaState{window: time.Minute, gate: now.Add(25 * time.Hour)}, false},
		"a paced slot 23 hours ahead":  {now, quotaState{window: time.Minute, next: now.Add(23 * time.Hour)}, false},
		"a slow start two years ahead": {now, quotaState{window: time.Minute, slow: slowStart{limit: 1, last: now.AddDate(2, 0, 0)}}, false},
		"written two hours ahead":      {now.Add(2 * time.Hour), quotaState{window: time.Minute}, false},
	} {
		_, ok := decodeQuota(encodeQuota(&tc.st, tc.written), now)
		assert.Equal(t, tc.ok, ok, name)
	}
}

func TestQuotaCodecRefusesOtherValues(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	good := encodeQuota(&quotaState{window: time.Minute, share: 3}, now)
	bad := [][]byte{
		nil, {}, {quotaCodecVersion}, good[:len(good)-1], append(append([]byte(nil), good...), 0),
		append([]byte{quotaCodecVersion + 1}, good[1:]...), []byte("{\"json\":true}"),
	}
	negative := quotaState{share: -1}
	bad = append(bad, encodeQuota(&negative, now), encodeQuota(&quotaState{window: 48 * time.Hour}, now), encodeQuota(&quotaState{}, time.Time{}))
	for i, b := range bad {
		_, ok := decodeQuota(b, now)
		assert.False(t, ok, "value %d (%q)", i, b)
	}
}

func FuzzQuotaCodec(f *testing.F) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Add(encodeQuota(&quotaState{window: time.Minute, share: 3, limit: 5}, now))
	f.Add([]byte{quotaCodecVersion, 1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		st, ok := decodeQuota(b, now)
		if !ok {
			return
		}
		// Whatever a store holds, the algorithm can run on it.
		r := st.reserve(now, time.Time{}, func() float64 { return 0.5 })
		if r.ready {
			st.passed(now, r.ticket)
		}
		again, ok := decodeQuota(encodeQuota(&st, now), now)
		if !ok || again.share != st.share {
			t.Fatalf("a state read back does not survive another round trip")
		}
	})
}
