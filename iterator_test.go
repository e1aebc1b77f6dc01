package hss_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
)

func collect(t *testing.T, seq func(func(hss.AssociateRegistriesResponseInfo, error) bool)) ([]hss.AssociateRegistriesResponseInfo, error) {
	t.Helper()
	var out []hss.AssociateRegistriesResponseInfo
	for reg, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, reg)
	}
	return out, nil
}

func TestIterSeveralPages(t *testing.T) {
	for _, tc := range []struct {
		n, limit, wantRequests int
	}{
		{0, 0, 1}, {1, 0, 1}, {200, 0, 1}, {201, 0, 2}, {450, 0, 3}, {1000, 0, 5}, {95, 10, 10}, {100, 10, 10},
	} {
		t.Run(fmt.Sprintf("n=%d limit=%d", tc.n, tc.limit), func(t *testing.T) {
			srv := newPagingServer(t, registries(tc.n))
			c := newTestClient(t, srv.URL)
			got, err := collect(t, c.ListSyncTaskRegistriesIter(context.Background(), "task", &hss.ListSyncTaskRegistriesOptions{Limit: tc.limit}))
			require.NoError(t, err)
			require.Len(t, got, tc.n)
			for i, reg := range got {
				require.Equal(t, "reg-"+strconv.Itoa(i+1), reg.RegistryName, "each registry once, in order")
			}
			assert.Equal(t, int64(tc.wantRequests), srv.requests.Load())
		})
	}
}

func TestIterStartsAtCallerOffset(t *testing.T) {
	srv := newPagingServer(t, registries(250))
	c := newTestClient(t, srv.URL)
	got, err := collect(t, c.ListSyncTaskRegistriesIter(context.Background(), "task", &hss.ListSyncTaskRegistriesOptions{Offset: 40}))
	require.NoError(t, err)
	require.Len(t, got, 210)
	assert.Equal(t, "reg-41", got[0].RegistryName)
	assert.Equal(t, int64(2), srv.requests.Load())
}

func TestIterIsLazyAndCopiesOptions(t *testing.T) {
	srv := newPagingServer(t, registries(30))
	c := newTestClient(t, srv.URL)
	opts := &hss.ListSyncTaskRegistriesOptions{Limit: 10, RegistryTypes: []hss.RegistryType{hss.RegistryTypeHarbor}}
	seq := c.ListSyncTaskRegistriesIter(context.Background(), "task", opts)
	assert.Equal(t, int64(0), srv.requests.Load(), "no request before the loop starts")
	opts.Limit = 50
	opts.RegistryTypes[0] = hss.RegistryTypeJfrog
	var queries []string
	srv.fail = func(_ int64, _ http.ResponseWriter, r *http.Request) bool {
		queries = append(queries, r.URL.RawQuery)
		return false
	}
	got, err := collect(t, seq)
	require.NoError(t, err)
	assert.Len(t, got, 30)
	require.Len(t, queries, 3)
	assert.Equal(t, "limit=10&registry_type=Harbor", queries[0])
	assert.Equal(t, "limit=10&offset=10&registry_type=Harbor", queries[1])
	assert.Equal(t, "limit=10&offset=20&registry_type=Harbor", queries[2])

	// Ranging again starts over from the caller's offset.
	got, err = collect(t, seq)
	require.NoError(t, err)
	assert.Len(t, got, 30)
}

func TestIterBreakAfterFirstItem(t *testing.T) {
	srv := newPagingServer(t, registries(1000))
	c := newTestClient(t, srv.URL)
	n := 0
	for reg, err := range c.ListSyncTaskRegistriesIter(context.Background(), "task", nil) {
		require.NoError(t, err)
		assert.Equal(t, "reg-1", reg.RegistryName)
		n++
		break
	}
	assert.Equal(t, 1, n)
	assert.Equal(t, int64(1), srv.requests.Load())

	pages := 0
	for page, err := range c.ListSyncTaskRegistriesPages(context.Background(), "task", nil) {
		require.NoError(t, err)
		assert.Equal(t, 1000, page.TotalNum)
		pages++
		break
	}
	assert.Equal(t, 1, pages)
	assert.Equal(t, int64(2), srv.requests.Load())
}

func TestIterErrorOnPage3(t *testing.T) {
	srv := newPagingServer(t, registries(1000))
	srv.fail = func(n int64, w http.ResponseWriter, _ *http.Request) bool {
		if n != 3 {
			return false
		}
		w.Header().Set("X-Request-Id", "bad-page")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error_code":"HSS.0001","error_msg":"Invalid parameter."}`)
		return true
	}
	c := newTestClient(t, srv.URL)
	var items, errs int
	var last error
	for _, err := range c.ListSyncTaskRegistriesIter(context.Background(), "task", nil) {
		if err != nil {
			errs++
			last = err
			continue // the iterator must stop by itself
		}
		items++
	}
	assert.Equal(t, 400, items)
	assert.Equal(t, 1, errs)
	var ae *hss.APIError
	require.ErrorAs(t, last, &ae)
	assert.Equal(t, "bad-page", ae.RequestID)
	assert.Equal(t, int64(3), srv.requests.Load())

	// The page iterator yields (nil, err) once too.
	srv.requests.Store(0)
	var pages []*hss.ListSyncTaskRegistriesResponse
	var perr error
	for p, err := range c.ListSyncTaskRegistriesPages(context.Background(), "task", nil) {
		if err != nil {
			assert.Nil(t, p)
			perr = err
			continue
		}
		pages = append(pages, p)
	}
	require.Error(t, perr)
	assert.Len(t, pages, 2)
	assert.Equal(t, "req-1", pages[0].RequestID)
	assert.Equal(t, "req-2", pages[1].RequestID)
}

// staticTransport answers every request with body(offset) without a
// network, for listings too long for a loopback server.
type staticTransport struct {
	calls atomic.Int64
	body  func(offset, limit int) string
}

func (s *staticTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if s.calls.Add(1) > 20000 {
		return nil, errors.New("staticTransport: runaway iterator")
	}
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	return &http.Response{
		StatusCode: 200,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(strings.NewReader(s.body(offset, limit))),
		Request:    r,
	}, nil
}

func pageJSON(total, first, n int) string {
	list := make([]hss.AssociateRegistriesResponseInfo, n)
	for i := range list {
		list[i].RegistryName = "reg-" + strconv.Itoa(first+i+1)
	}
	b, _ := json.Marshal(map[string]any{"total_num": total, "data_list": list})
	return string(b)
}

func TestIterEmptyPagesStop(t *testing.T) {
	tr := &staticTransport{body: func(int, int) string { return `{"total_num":1000,"data_list":[]}` }}
	c := newTestClient(t, "https://hss.example.com", hss.WithHTTPClient(&http.Client{Transport: tr}))
	got, err := collect(t, c.ListSyncTaskRegistriesIter(context.Background(), "task", nil))
	require.NoError(t, err)
	assert.Empty(t, got)
	assert.Equal(t, int64(1), tr.calls.Load(), "an empty page ends the listing even when total_num says more")
}

func TestIterServerIgnoringOffset(t *testing.T) {
	// The server always answers the first page: the iterator still moves
	// on by the items received and ends at total_num.
	tr := &staticTransport{body: func(_, limit int) string { return pageJSON(450, 0, limit) }}
	c := newTestClient(t, "https://hss.example.com", hss.WithHTTPClient(&http.Client{Transport: tr}))
	got, err := collect(t, c.ListSyncTaskRegistriesIter(context.Background(), "task", nil))
	require.NoError(t, err)
	assert.Len(t, got, 600)
	assert.Equal(t, int64(3), tr.calls.Load())
}

func TestIterStopsAtMaxOffset(t *testing.T) {
	// A server claiming a billion registries cannot make the iterator
	// page past the API's 2,000,000 offset bound.
	tr := &staticTransport{body: func(offset, limit int) string { return pageJSON(1_000_000_000, offset, limit) }}
	c := newTestClient(t, "https://hss.example.com", hss.WithHTTPClient(&http.Client{Transport: tr}))
	pages := 0
	last := 0
	for p, err := range c.ListSyncTaskRegistriesPages(context.Background(), "task", &hss.ListSyncTaskRegistriesOptions{Offset: 1_999_000}) {
		require.NoError(t, err)
		pages++
		last = len(p.DataList)
	}
	assert.Equal(t, 6, pages, "offsets 1,999,000 ... 2,000,000")
	assert.Equal(t, 200, last)
	assert.Equal(t, int64(6), tr.calls.Load())
}

func TestIterOverfullPage(t *testing.T) {
	// A server that sends more than limit items still advances by what it sent.
	tr := &staticTransport{body: func(offset, _ int) string { return pageJSON(500, offset, min(300, 500-offset)) }}
	c := newTestClient(t, "https://hss.example.com", hss.WithHTTPClient(&http.Client{Transport: tr}))
	got, err := collect(t, c.ListSyncTaskRegistriesIter(context.Background(), "task", nil))
	require.NoError(t, err)
	assert.Len(t, got, 500)
	assert.Equal(t, "reg-500", got[499].RegistryName)
	assert.Equal(t, int64(2), tr.calls.Load())
}
