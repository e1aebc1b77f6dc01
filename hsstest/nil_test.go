// Nil receivers: every exported method on a pointer receiver answers a nil receiver without panicking.
package hsstest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// fatalTB is an hsstest.TB that records what it is told to fail with.
type fatalTB struct{ failed string }

func (*fatalTB) Helper() {}

func (tb *fatalTB) Fatalf(format string, args ...any) { tb.failed = fmt.Sprintf(format, args...) }

// TestNilReceivers calls every exported method on a pointer receiver of
// the package with a nil receiver: a nil Clock reads the zero time and
// never moves; a nil Server's methods that return an error return an
// *ArgError, Client fails its t, and the others do nothing; a nil
// ArgError reads "<nil>"; a nil Faults refuses every fault.
func TestNilReceivers(t *testing.T) {
	ctx := context.Background()
	var (
		clk    *hsstest.Clock
		srv    *hsstest.Server
		argErr *hsstest.ArgError
		faults *hsstest.Faults
	)
	isArgError := func(err error) any {
		var ae *hsstest.ArgError
		if errors.As(err, &ae) && ae != nil {
			return ae.Arg
		}
		return err
	}
	nothing := func(f func()) func() any { return func() any { f(); return nil } }
	for _, tc := range []struct {
		name string
		call func() any
		want any
	}{
		{"(*ArgError).Error", func() any { return argErr.Error() }, "<nil>"},
		{"(*Clock).Now", func() any { return clk.Now() }, time.Time{}},
		{"(*Clock).Sleep", func() any { return clk.Sleep(ctx, time.Hour) }, nil},
		{"(*Clock).SleepUntil", func() any { return clk.SleepUntil(ctx, time.Now()) }, nil},
		{"(*Clock).Advance", nothing(func() { clk.Advance(time.Hour) }), nil},
		{"(*Clock).Sleeps", func() any { return clk.Sleeps() }, []time.Duration(nil)},
		{"(*Clock).Slept", func() any { return clk.Slept() }, time.Duration(0)},
		{"(*Faults).FailNext", func() any { return isArgError(faults.FailNext(1, 500, "c", "m")) }, "receiver"},
		{"(*Faults).FailNextRaw", func() any { return isArgError(faults.FailNextRaw(1, 500, nil)) }, "receiver"},
		{"(*Faults).DelayNext", func() any { return isArgError(faults.DelayNext(1, time.Second)) }, "receiver"},
		{"(*Faults).HangNext", func() any { return isArgError(faults.HangNext(1)) }, "receiver"},
		{"(*Faults).ResetNext", func() any { return isArgError(faults.ResetNext(1)) }, "receiver"},
		{"(*Faults).TruncateNext", func() any { return isArgError(faults.TruncateNext(1)) }, "receiver"},
		{"(*Server).Close", nothing(srv.Close), nil},
		{"(*Server).URL", func() any { return srv.URL() }, ""},
		{"(*Server).ProjectID", func() any { return srv.ProjectID() }, ""},
		{"(*Server).Token", func() any { return srv.Token() }, ""},
		{"(*Server).HTTPClient", func() any { return srv.HTTPClient() }, (*http.Client)(nil)},
		{"(*Server).NewClient", func() any {
			c, err := srv.NewClient()
			assert.Nil(t, c)
			return isArgError(err)
		}, "receiver"},
		{"(*Server).Client", func() any {
			tb := &fatalTB{}
			assert.Nil(t, srv.Client(tb))
			return tb.failed
		}, "hsstest: building hss client: hsstest: Server.NewClient: receiver is nil; start a Server with NewServer, NewTLSServer or Start"},
		{"(*Server).Seed", func() any {
			regs, err := srv.Seed("task", 1)
			assert.Nil(t, regs)
			return isArgError(err)
		}, "receiver"},
		{"(*Server).HandleFunc", func() any {
			return isArgError(srv.HandleFunc(http.MethodGet, "/x", func(http.ResponseWriter, *http.Request) {}))
		}, "receiver"},
		{"(*Server).On", func() any { return isArgError(srv.On(http.MethodGet, "/x").FailNext(1, 500, "c", "m")) }, "receiver"},
		{"(*Server).OnRequest", func() any {
			return isArgError(srv.OnRequest(func(*http.Request) bool { return true }).HangNext(1))
		}, "receiver"},
		{"(*Server).AddTask", nothing(func() { srv.AddTask("task") }), nil},
		{"(*Server).AddRegistries", nothing(func() { srv.AddRegistries("task", hsstest.Registry{}) }), nil},
		{"(*Server).Registries", func() any { return srv.Registries("task") }, []hsstest.Registry(nil)},
		{"(*Server).Requests", func() any { return srv.Requests() }, []hsstest.RecordedRequest(nil)},
		{"(*Server).FailNext", nothing(func() { srv.FailNext(1, 500, "c", "m") }), nil},
		{"(*Server).FailNextRaw", nothing(func() { srv.FailNextRaw(1, 500, nil) }), nil},
		{"(*Server).DelayNext", nothing(func() { srv.DelayNext(1, time.Second) }), nil},
		{"(*Server).HangNext", nothing(func() { srv.HangNext(1) }), nil},
		{"(*Server).ResetNext", nothing(func() { srv.ResetNext(1) }), nil},
		{"(*Server).TruncateNext", nothing(func() { srv.TruncateNext(1) }), nil},
		{"(*Server).SetLatency", nothing(func() { srv.SetLatency(time.Second) }), nil},
		{"(*Server).SetLatencyRange", nothing(func() { srv.SetLatencyRange(time.Second, time.Minute) }), nil},
		{"(*Server).Handle", nothing(func() { srv.Handle(nil) }), nil},
		{"(*Server).ClearFaults", nothing(srv.ClearFaults), nil},
		{"(*Server).PendingFaults", func() any { return srv.PendingFaults() }, 0},
		{"(*Server).SetQuota", nothing(func() { srv.SetQuota(hsstest.Quota{}) }), nil},
		{"(*Server).Throttled", func() any { return srv.Throttled() }, 0},
		{"hss.WithClock((*Clock)(nil))", func() any {
			_, err := hss.NewClient("https://hss.example.com", "p", hss.WithToken("t"), hss.WithClock(clk))
			var ve *hss.ValidationError
			require.ErrorAs(t, err, &ve)
			return ve.Field
		}, "WithClock"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got any
			require.NotPanics(t, func() { got = tc.call() })
			assert.Equal(t, tc.want, got)
		})
	}
}
