// Nil receivers and typed nils: every exported method on a pointer receiver answers a nil receiver without panicking, and the Is helpers read a typed nil *APIError as no match.
package hss_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
)

// TestNilReceivers calls every exported method on a pointer receiver of
// the package with a nil receiver, and the Is helpers with typed nils,
// bare and wrapped.
func TestNilReceivers(t *testing.T) {
	ctx := context.Background()
	var (
		apiErr  *hss.APIError
		attErr  *hss.AttemptsError
		decErr  *hss.DecodeError
		redErr  *hss.RedirectError
		reqErr  *hss.RequestError
		valErr  *hss.ValidationError
		c       *hss.Client
		options *hss.ListSyncTaskRegistriesOptions
	)
	notConstructed := func(err error) any {
		var ve *hss.ValidationError
		if errors.As(err, &ve) {
			return ve.Field
		}
		return err
	}
	for _, tc := range []struct {
		name string
		call func() any
		want any
	}{
		{"(*APIError).Error", func() any { return apiErr.Error() }, "<nil>"},
		{"(*AttemptsError).Error", func() any { return attErr.Error() }, "<nil>"},
		{"(*AttemptsError).Unwrap", func() any { return attErr.Unwrap() }, nil},
		{"(*DecodeError).Error", func() any { return decErr.Error() }, "<nil>"},
		{"(*DecodeError).Unwrap", func() any { return decErr.Unwrap() }, nil},
		{"(*RedirectError).Error", func() any { return redErr.Error() }, "<nil>"},
		{"(*RedirectError).Unwrap", func() any { return redErr.Unwrap() }, nil},
		{"(*RequestError).Error", func() any { return reqErr.Error() }, "<nil>"},
		{"(*RequestError).Unwrap", func() any { return reqErr.Unwrap() }, []error(nil)},
		{"(*ValidationError).Error", func() any { return valErr.Error() }, "<nil>"},
		{"(*RequestError).Error with a typed nil inside", func() any {
			return (&hss.RequestError{Method: "GET", Path: "/p", Err: decErr, Last: apiErr, Attempts: 1}).Error()
		}, "hss: GET /p: <nil> (after 1 attempt; last error: <nil>)"},
		{"IsThrottled(typed nil)", func() any { return hss.IsThrottled(apiErr) }, false},
		{"IsNotFound(typed nil)", func() any { return hss.IsNotFound(apiErr) }, false},
		{"IsAuthError(typed nil)", func() any { return hss.IsAuthError(apiErr) }, false},
		{"IsThrottled(wrapped typed nil)", func() any { return hss.IsThrottled(fmt.Errorf("call: %w", apiErr)) }, false},
		{"IsNotFound(wrapped typed nil)", func() any { return hss.IsNotFound(&hss.AttemptsError{Err: apiErr}) }, false},
		{"IsAuthError(wrapped typed nil)", func() any { return hss.IsAuthError(&hss.RequestError{Err: apiErr}) }, false},
		{"(*Client).Endpoint", func() any { return c.Endpoint() }, ""},
		{"(*Client).ProjectID", func() any { return c.ProjectID() }, ""},
		{"(*Client).ListSyncTaskRegistries", func() any {
			_, err := c.ListSyncTaskRegistries(ctx, "task", nil)
			return notConstructed(err)
		}, "Client"},
		{"(*Client).ListSyncTaskRegistriesPages", func() any {
			for _, err := range c.ListSyncTaskRegistriesPages(ctx, "task", nil) {
				return notConstructed(err)
			}
			return "no error"
		}, "Client"},
		{"(*Client).ListSyncTaskRegistriesIter", func() any {
			for _, err := range c.ListSyncTaskRegistriesIter(ctx, "task", nil) {
				return notConstructed(err)
			}
			return "no error"
		}, "Client"},
		{"(*Client).WaitSyncTask", func() any {
			_, err := c.WaitSyncTask(ctx, "task", nil)
			return notConstructed(err)
		}, "Client"},
		{"(*Client).Do", func() any {
			_, err := c.Do(ctx, "GET", "/v5/x", nil, nil, nil)
			return notConstructed(err)
		}, "Client"},
		{"(*ListSyncTaskRegistriesOptions).Validate", func() any { return options.Validate() }, nil},
		{"NewMemoryQuotaStore().CompareAndSwap(nil, ...)", func() any {
			//lint:ignore SA1012 a nil context is what is tested
			_, swapped, err := hss.NewMemoryQuotaStore().CompareAndSwap(nil, "k", nil, []byte("v"), time.Minute)
			assert.False(t, swapped)
			var ve *hss.ValidationError
			require.ErrorAs(t, err, &ve)
			return ve.Field
		}, "ctx"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got any
			require.NotPanics(t, func() { got = tc.call() })
			assert.Equal(t, tc.want, got)
		})
	}
}
