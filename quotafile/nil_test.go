// Nil receivers: every exported method on a pointer receiver answers a nil receiver without panicking.
package quotafile_test

import (
	"context"
	"testing"
	"time"

	"github.com/hsskit/hss/quotafile"
)

// TestNilReceivers calls every exported method on a pointer receiver of
// the package with a nil receiver: errors read "<nil>", and a nil Store
// refuses to swap and has no path.
func TestNilReceivers(t *testing.T) {
	var (
		argErr    *quotafile.ArgumentError
		formatErr *quotafile.FormatError
		unsafeErr *quotafile.UnsafePathError
		tableErr  *quotafile.NotATableError
		store     *quotafile.Store
	)
	for _, tc := range []struct {
		name string
		call func() any
		want any
	}{
		{"(*ArgumentError).Error", func() any { return argErr.Error() }, "<nil>"},
		{"(*FormatError).Error", func() any { return formatErr.Error() }, "<nil>"},
		{"(*UnsafePathError).Error", func() any { return unsafeErr.Error() }, "<nil>"},
		{"(*NotATableError).Error", func() any { return tableErr.Error() }, "<nil>"},
		{"(*Store).Path", func() any { return store.Path() }, ""},
		{"(*Store).CompareAndSwap", func() any {
			_, swapped, err := store.CompareAndSwap(context.Background(), "k", nil, []byte("v"), time.Minute)
			return swapped || err == nil
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("panicked: %v", p)
				}
			}()
			if got := tc.call(); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}
