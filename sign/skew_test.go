// Tests of Skew: what it learns from the gateway's answers, what it ignores, and how it corrects times.
package sign_test

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hsskit/hss/sign"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// local is the local clock's time in the Skew tests.
var local = time.Date(2030, 5, 27, 0, 4, 31, 0, time.UTC)

// answer is a gateway answer with a Date header (empty: none) and a body.
func answer(status int, date string) *http.Response {
	h := http.Header{}
	if date != "" {
		h.Set("Date", date)
	}
	return &http.Response{StatusCode: status, Header: h, Body: http.NoBody}
}

// httpDate formats t as a Date header.
func httpDate(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// expiredBody is API Gateway's answer to a signature dated too far from
// its clock, giving the gateway's time.
func expiredBody(code, kind string, signed, server time.Time) []byte {
	return []byte(`{"error_code":"` + code + `","error_msg":"Incorrect ` + kind + ` authentication information: signature expired, signature time:` +
		signed.UTC().Format(sign.DateFormat) + `,server time:` + server.UTC().Format(sign.DateFormat) + `","request_id":"r-1"}`)
}

func TestSkewStartsAtZero(t *testing.T) {
	var s sign.Skew
	assert.Zero(t, s.Offset())
	assert.Equal(t, local, s.Now(local))
	var nilSkew *sign.Skew
	assert.Zero(t, nilSkew.Offset())
	assert.Equal(t, local, nilSkew.Now(local))
	assert.False(t, nilSkew.Learn(local, answer(200, httpDate(local.Add(time.Hour))), nil))
}

// A 401 that says the signature expired teaches the server time of its
// message, for app (APIG.0303) and IAM (APIGW.0301) authentication alike,
// whatever its Date says; without a readable time in the message, its Date.
func TestSkewLearnsFromExpiredSignature(t *testing.T) {
	for _, offset := range []time.Duration{2*time.Hour + 1*time.Minute + 37*time.Second, -time.Hour, 16 * time.Minute, -23 * time.Hour} {
		for _, kind := range [][2]string{{"APIG.0303", "app"}, {"APIGW.0301", "IAM"}} {
			t.Run(fmt.Sprint(offset, kind[0]), func(t *testing.T) {
				var s sign.Skew
				body := expiredBody(kind[0], kind[1], local, local.Add(offset))
				resp := answer(http.StatusUnauthorized, httpDate(local.Add(time.Minute))) // the message wins
				assert.True(t, sign.SignatureExpired(resp, body))
				assert.True(t, s.Learn(local, resp, body))
				assert.Equal(t, offset, s.Offset())
				assert.Equal(t, local.Add(offset), s.Now(local))
				assert.False(t, s.Learn(local, resp, body), "nothing new")
				assert.False(t, s.Learn(local.Add(2*time.Second), resp, body), "a few seconds are noise")
			})
		}
	}

	var s sign.Skew
	body := []byte(`{"error_code":"APIG.0303","error_msg":"Incorrect app authentication information: Signature Expired"}`)
	assert.True(t, s.Learn(local, answer(http.StatusUnauthorized, httpDate(local.Add(-3*time.Hour))), body))
	assert.Equal(t, -3*time.Hour, s.Offset(), "the Date of a message without its time")

	// Once the gateway and the local clock agree again (the local clock
	// was set right), a refusal brings the offset back to 0.
	body = expiredBody("APIGW.0301", "IAM", local.Add(-3*time.Hour), local)
	assert.True(t, s.Learn(local, answer(http.StatusUnauthorized, ""), body))
	assert.Zero(t, s.Offset())
}

// An expired signature is learned even when the offset is small, since
// the refusal proves the date was wrong; a Date alone must be more than
// five minutes from the corrected clock.
func TestSkewLearnsFromDate(t *testing.T) {
	var s sign.Skew
	for _, off := range []time.Duration{0, 4 * time.Second, -time.Minute, 5 * time.Minute} {
		assert.False(t, s.Learn(local, answer(http.StatusOK, httpDate(local.Add(off))), nil), "%v is within the gateway's window", off)
	}
	assert.Zero(t, s.Offset())
	assert.True(t, s.Learn(local, answer(http.StatusOK, httpDate(local.Add(10*time.Minute))), nil))
	assert.Equal(t, 10*time.Minute, s.Offset())
	assert.False(t, s.Learn(local, answer(http.StatusNotFound, httpDate(local.Add(12*time.Minute))), nil),
		"two minutes from the corrected clock is not worth a change")
	assert.True(t, s.Learn(local, answer(http.StatusTooManyRequests, time.Date(2030, 5, 27, 0, 0, 0, 0, time.UTC).Format(time.RFC850)), nil))
	assert.Equal(t, -(4*time.Minute + 31*time.Second), s.Offset(), "RFC 850 dates are read too")

	// A 401 that is not about the date teaches from its Date only.
	s = sign.Skew{}
	body := []byte(`{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: verify aksk signature fail, server time:20300527T120000Z"}`)
	assert.False(t, sign.SignatureExpired(answer(http.StatusUnauthorized, ""), body))
	assert.False(t, s.Learn(local, answer(http.StatusUnauthorized, httpDate(local.Add(time.Minute))), body))
	assert.Zero(t, s.Offset())
}

// What a broken or hostile answer says never panics, and never moves the
// clock by more than 24 hours.
func TestSkewIgnoresHostileAnswers(t *testing.T) {
	dates := []string{
		"garbage", "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT", "Sat, 29 May 2030 00:04:32 GMT",
		"Tue, 27 May 2030 00:04:31 XYZ", strings.Repeat("9", 10000), "Thu, 99 Zzz 99999999999 99:99:99 GMT", "\x00\xff",
		strconv.FormatInt(math.MaxInt64, 10), "-1", "Tue, 27 May 2030 00:04:31 GMT\r\nX: y",
	}
	messages := []string{
		"server time:99999999T999999Z", "server time:99991231T235959Z", "server time:00010101T000000Z",
		"server time:", "server time:2030", "server time:" + strings.Repeat("9", 1<<20), "server time:\x00\xff\xfe",
		"signature time:20300527T000431Z,server time:20300529T000432Z", // 48 hours
		"signature time:,server time:-0300527T000431Z",
	}
	for _, date := range append(dates, "") {
		for _, msg := range append(messages, "") {
			var s sign.Skew
			body := []byte(`{"error_code":"APIGW.0301","error_msg":"signature expired, ` + msg + `"}`)
			for _, status := range []int{http.StatusOK, http.StatusUnauthorized} {
				require.NotPanics(t, func() { s.Learn(local, answer(status, date), body) }, "date %.40q message %.40q", date, msg)
				assert.LessOrEqual(t, s.Offset().Abs(), 24*time.Hour)
			}
			assert.Zero(t, s.Offset(), "date %.40q message %.40q", date, msg)
		}
	}
	var s sign.Skew
	assert.False(t, s.Learn(local, nil, nil))
	assert.False(t, s.Learn(time.Time{}, answer(http.StatusOK, httpDate(local)), nil), "a zero local time is years away")
	assert.False(t, s.Learn(local, &http.Response{StatusCode: http.StatusUnauthorized}, []byte("signature expired")), "no header at all")
	assert.False(t, sign.SignatureExpired(nil, []byte("signature expired")))
	assert.Zero(t, s.Offset())
}

// An answer the gateway did not refuse for its date was signed within its
// 15 minutes: a Date further than that from the corrected clock is stale
// (a cache, a proxy) and teaches nothing, so that an offset a refusal
// taught, which the gateway then accepted, stays.
func TestSkewKeepsAnOffsetThatWorks(t *testing.T) {
	var s sign.Skew
	for _, status := range []int{http.StatusOK, http.StatusNotFound, http.StatusTooManyRequests, http.StatusUnauthorized} {
		assert.False(t, s.Learn(local, answer(status, httpDate(local.Add(2*time.Hour))), nil), "%d: two hours off an accepted signature", status)
	}
	assert.Zero(t, s.Offset())

	refusal := expiredBody("APIGW.0301", "IAM", local, local.Add(time.Hour))
	assert.True(t, s.Learn(local, answer(http.StatusUnauthorized, httpDate(local)), refusal), "the message wins over a stale Date")
	assert.Equal(t, time.Hour, s.Offset())
	for i := range 5 {
		at := local.Add(time.Duration(i) * time.Minute)
		assert.False(t, s.Learn(at, answer(http.StatusOK, httpDate(at)), nil), "a stale Date on an accepted answer")
		assert.Equal(t, time.Hour, s.Offset(), "the offset that worked stays")
	}
	assert.True(t, s.Learn(local, answer(http.StatusOK, httpDate(local.Add(time.Hour+10*time.Minute))), nil),
		"within the gateway's window, a Date still teaches")
	assert.Equal(t, time.Hour+10*time.Minute, s.Offset())
}

// GatewayTime reads the gateway's clock from an answer the way Learn does:
// a refusal's message first, then the Date header.
func TestGatewayTime(t *testing.T) {
	refusal := expiredBody("APIGW.0301", "IAM", local, local.Add(30*time.Hour))
	got, ok := sign.GatewayTime(answer(http.StatusUnauthorized, httpDate(local)), refusal)
	require.True(t, ok)
	assert.Equal(t, local.Add(30*time.Hour), got, "beyond MaxOffset it is still read")
	got, ok = sign.GatewayTime(answer(http.StatusOK, httpDate(local)), nil)
	require.True(t, ok)
	assert.Equal(t, local, got)
	_, ok = sign.GatewayTime(answer(http.StatusUnauthorized, ""), []byte("signature expired"))
	assert.False(t, ok)
	_, ok = sign.GatewayTime(nil, nil)
	assert.False(t, ok)
	assert.Equal(t, 24*time.Hour, sign.MaxOffset)
}

// Many answers showing one offset at once: one Learn reports it.
func TestSkewLearnsOnceUnderConcurrency(t *testing.T) {
	var s sign.Skew
	body := expiredBody("APIGW.0301", "IAM", local, local.Add(time.Hour))
	var wg sync.WaitGroup
	var mu sync.Mutex
	changes := 0
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if s.Learn(local, answer(http.StatusUnauthorized, ""), body) {
					mu.Lock()
					changes++
					mu.Unlock()
				}
				_ = s.Now(local)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, changes)
	assert.Equal(t, time.Hour, s.Offset())
}

// Learning from a refusal, as Transport does for every 401 it gets.
func BenchmarkSkewLearnExpired(b *testing.B) {
	body := expiredBody("APIGW.0301", "IAM", local, local.Add(time.Hour))
	resp := answer(http.StatusUnauthorized, httpDate(local))
	b.ReportAllocs()
	for b.Loop() {
		var s sign.Skew
		s.Learn(local, resp, body)
	}
}
