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
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	st := quotaState{window: time.Minute, limit: 5, share: 2.75, spread: true, shared: true, gate: now.Add(time.Second),
		probing: true, probeEnd: now.Add(2 * time.Second), fails: 2, next: now.Add(3 * time.Second), winStart: now,
		gen: 7, epoch: 9, sent: 3, throttle: true, held: true, clean: 4, lastPass: now.Add(-time.Second),
		turn: now.Add(-time.Minute), noHint: true, raising: true, probed: true, rtt: 70 * time.Millisecond, rttVar: 10 * time.Millisecond}
	st.recent.add(now, st.window)
	st.recent.add(now.Add(5*time.Second), st.window)
	st.slow = slowStart{limit: 4, out: 2, last: now}
	// Every field is set, so that a field the codec forgets fails below.
	v := reflect.ValueOf(st)
	for i := range v.NumField() {
		require.False(t, v.Field(i).IsZero(), "set %s in this test (and in the codec)", v.Type().Field(i).Name)
	}
	b := encodeQuota(&st)
	assert.LessOrEqual(t, len(b), MaxQuotaValueLen)
	got, ok := decodeQuota(b)
	require.True(t, ok)
	assert.True(t, got.gate.Equal(st.gate) && got.turn.Equal(st.turn) && got.recent.start.Equal(st.recent.start))
	got.gate, got.probeEnd, got.next, got.winStart, got.lastPass, got.turn, got.recent.start, got.slow.last = st.gate, st.probeEnd, st.next, st.winStart, st.lastPass, st.turn, st.recent.start, st.slow.last
	assert.Equal(t, st, got)

	zero, ok := decodeQuota(encodeQuota(&quotaState{}))
	require.True(t, ok)
	assert.Equal(t, quotaState{}, zero)
}

func TestQuotaCodecRefusesOtherValues(t *testing.T) {
	good := encodeQuota(&quotaState{window: time.Minute, share: 3})
	bad := [][]byte{
		nil, {}, {quotaCodecVersion}, good[:len(good)-1], append(append([]byte(nil), good...), 0),
		append([]byte{quotaCodecVersion + 1}, good[1:]...), []byte("{\"json\":true}"),
	}
	negative := quotaState{share: -1}
	bad = append(bad, encodeQuota(&negative), encodeQuota(&quotaState{window: 48 * time.Hour}))
	for i, b := range bad {
		_, ok := decodeQuota(b)
		assert.False(t, ok, "value %d (%q)", i, b)
	}
}

func FuzzQuotaCodec(f *testing.F) {
	f.Add(encodeQuota(&quotaState{window: time.Minute, share: 3, limit: 5}))
	f.Add([]byte{quotaCodecVersion, 1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		st, ok := decodeQuota(b)
		if !ok {
			return
		}
		// Whatever a store holds, the algorithm can run on it.
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		r := st.reserve(now, time.Time{}, func() float64 { return 0.5 })
		if r.ready {
			st.passed(now, r.ticket)
		}
		again, ok := decodeQuota(encodeQuota(&st))
		if !ok || again.share != st.share {
			t.Fatalf("a state read back does not survive another round trip")
		}
	})
}
