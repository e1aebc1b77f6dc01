// The iterators: pages fetched lazily from the caller's offset, early stops, errors, incomplete pages, and listings through throttling and failures.
package hss_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// listingJSON is a page holding regs with total_num total.
func listingJSON(total int, regs []hss.AssociateRegistriesResponseInfo) []byte {
	if regs == nil {
		regs = []hss.AssociateRegistriesResponseInfo{}
	}
	b, _ := json.Marshal(map[string]any{"total_num": total, "data_list": regs})
	return b
}

func TestIterPagesAndRequestCount(t *testing.T) {
	for _, tc := range []struct {
		n, limit, wantRequests int
	}{
		{0, 0, 1}, {1, 0, 1}, {199, 0, 1}, {200, 0, 1}, {201, 0, 2}, {450, 0, 3}, {1000, 0, 5},
		{95, 10, 10}, {100, 10, 10}, {101, 10, 11}, {9, 10, 1},
	} {
		t.Run(fmt.Sprintf("n=%d limit=%d", tc.n, tc.limit), func(t *testing.T) {
			srv, _ := newTestServer(t, hsstest.WithSeed(testTask, tc.n))
			c, tr, _ := newTestClient(t, srv)
			want := infosOf(srv.Registries(testTask))
			got, errs, err := collectRegistries(c.ListSyncTaskRegistriesIter(context.Background(), testTask, &hss.ListSyncTaskRegistriesOptions{Limit: tc.limit}))
			require.NoError(t, err)
			assert.Zero(t, errs)
			require.Len(t, got, tc.n)
			if tc.n > 0 {
				assert.Equal(t, want, got, "each registry once, in order")
			}
			assert.Equal(t, tc.wantRequests, tr.Calls())
			limit := tc.limit
			if limit == 0 {
				limit = hss.MaxLimit
			}
			for i, r := range srv.Requests() {
				q := "limit=" + strconv.Itoa(limit)
				if i > 0 {
					q += "&offset=" + strconv.Itoa(i*limit)
				}
				assert.Equal(t, q, r.Query, "request %d", i)
			}

			// The page iterator sees the same pages, with their request ids.
			before := len(srv.Requests())
			pages := 0
			for page, err := range c.ListSyncTaskRegistriesPages(context.Background(), testTask, &hss.ListSyncTaskRegistriesOptions{Limit: tc.limit}) {
				require.NoError(t, err)
				assert.Equal(t, tc.n, page.TotalNum)
				assert.Equal(t, srv.Requests()[before+pages].RequestID, page.RequestID)
				pages++
			}
			assert.Equal(t, tc.wantRequests, pages)
		})
	}
}

func TestIterStartsAtCallerOffset(t *testing.T) {
	srv, _ := newTestServer(t, hsstest.WithSeed(testTask, 250))
	c, tr, _ := newTestClient(t, srv)
	got, _, err := collectRegistries(c.ListSyncTaskRegistriesIter(context.Background(), testTask, &hss.ListSyncTaskRegistriesOptions{Offset: 40}))
	require.NoError(t, err)
	assert.Equal(t, infosOf(srv.Registries(testTask))[40:], got)
	assert.Equal(t, 2, tr.Calls())
	assert.Equal(t, "limit=200&offset=40", srv.Requests()[0].Query)
	assert.Equal(t, "limit=200&offset=240", srv.Requests()[1].Query)
}

func TestIterIsLazyAndCopiesOptions(t *testing.T) {
	srv, _ := newTestServer(t)
	for i := range 30 {
		srv.AddRegistries(testTask, hsstest.Registry{RegistryName: fmt.Sprintf("harbor-%02d", i), RegistryType: hss.RegistryTypeHarbor})
	}
	srv.AddRegistries(testTask, hsstest.Registry{RegistryName: "jfrog", RegistryType: hss.RegistryTypeJfrog})
	c, tr, _ := newTestClient(t, srv)
	opts := &hss.ListSyncTaskRegistriesOptions{Limit: 10, RegistryTypes: []hss.RegistryType{hss.RegistryTypeHarbor}}
	seq := c.ListSyncTaskRegistriesIter(context.Background(), testTask, opts)
	pages := c.ListSyncTaskRegistriesPages(context.Background(), testTask, opts)
	assert.Zero(t, tr.Calls(), "no request before the loop starts")
	opts.Limit = 50
	opts.Offset = 7
	opts.RegistryTypes[0] = hss.RegistryTypeJfrog

	got, _, err := collectRegistries(seq)
	require.NoError(t, err)
	assert.Len(t, got, 30)
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, "limit=10&registry_type=Harbor", reqs[0].Query)
	assert.Equal(t, "limit=10&offset=10&registry_type=Harbor", reqs[1].Query)
	assert.Equal(t, "limit=10&offset=20&registry_type=Harbor", reqs[2].Query)

	// Ranging again starts over from the caller's offset.
	got, _, err = collectRegistries(seq)
	require.NoError(t, err)
	assert.Len(t, got, 30)
	assert.Equal(t, 6, tr.Calls())

	n := 0
	for page, err := range pages {
		require.NoError(t, err)
		n += len(page.DataList)
	}
	assert.Equal(t, 30, n)

	// Two loops over one iterator at once do not share their offset.
	var wg sync.WaitGroup
	counts := make([]int, 4)
	for i := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, err := range seq {
				if err == nil {
					counts[i]++
				}
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, []int{30, 30, 30, 30}, counts)
}

func TestIterBreak(t *testing.T) {
	srv, _ := newTestServer(t, hsstest.WithSeed(testTask, 1000))
	c, tr, _ := newTestClient(t, srv)
	first := srv.Registries(testTask)[0].Info()
	n := 0
	for reg, err := range c.ListSyncTaskRegistriesIter(context.Background(), testTask, nil) {
		require.NoError(t, err)
		assert.Equal(t, first, reg)
		n++
		break
	}
	assert.Equal(t, 1, n)
	assert.Equal(t, 1, tr.Calls())

	pages := 0
	for page, err := range c.ListSyncTaskRegistriesPages(context.Background(), testTask, nil) {
		require.NoError(t, err)
		assert.Equal(t, 1000, page.TotalNum)
		pages++
		break
	}
	assert.Equal(t, 1, pages)
	assert.Equal(t, 2, tr.Calls())
}

func TestIterErrorOnPage3(t *testing.T) {
	srv, _ := newTestServer(t, hsstest.WithSeed(testTask, 1000))
	var n atomic.Int64
	srv.Handle(func(w http.ResponseWriter, _ *http.Request) bool {
		if n.Add(1) != 3 { // the third request of each listing below
			return false
		}
		writeAPIError(w, http.StatusBadRequest, "HSS.0001", "Invalid parameter.")
		return true
	})
	c, tr, _ := newTestClient(t, srv)
	got, errs, err := collectRegistries(c.ListSyncTaskRegistriesIter(context.Background(), testTask, nil))
	assert.Len(t, got, 400)
	assert.Equal(t, 1, errs, "the iterator yields the error once and stops")
	var ae *hss.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, srv.Requests()[2].RequestID, ae.RequestID)
	assert.Equal(t, "limit=200&offset=400", srv.Requests()[2].Query)
	assert.Equal(t, 3, tr.Calls(), "a 400 is not retried, and the listing stops")

	// The page iterator yields (nil, err) once too.
	n.Store(0)
	before := len(srv.Requests())
	var pages []*hss.ListSyncTaskRegistriesResponse
	var perr error
	perrs := 0
	for p, err := range c.ListSyncTaskRegistriesPages(context.Background(), testTask, nil) {
		if err != nil {
			assert.Nil(t, p)
			perr = err
			perrs++
			continue
		}
		pages = append(pages, p)
	}
	require.ErrorAs(t, perr, &ae)
	assert.Equal(t, 1, perrs)
	require.Len(t, pages, 2)
	reqs := srv.Requests()
	assert.Equal(t, reqs[before].RequestID, pages[0].RequestID)
	assert.Equal(t, reqs[before+1].RequestID, pages[1].RequestID)
}

func TestIterEmptyPageStops(t *testing.T) {
	srv, _ := newTestServer(t)
	served := servePages(srv, func(int, int) []byte { return listingJSON(1000, nil) })
	c, _, _ := newTestClient(t, srv)
	got, _, err := collectRegistries(c.ListSyncTaskRegistriesIter(context.Background(), testTask, nil))
	require.ErrorIs(t, err, hss.ErrIncompletePage, "an empty page while total_num says more is an error, not a silent end")
	assert.Contains(t, err.Error(), "resume with Offset 0")
	assert.Empty(t, got)
	assert.Equal(t, int64(1), served.Load())
}

func TestIterServerIgnoringOffset(t *testing.T) {
	// The server always answers the first page: the iterator still moves
	// on by the items received and ends at total_num.
	srv, _ := newTestServer(t)
	served := servePages(srv, func(_, limit int) []byte { return pageJSON(450, 0, limit) })
	c, _, _ := newTestClient(t, srv)
	got, _, err := collectRegistries(c.ListSyncTaskRegistriesIter(context.Background(), testTask, nil))
	require.NoError(t, err)
	assert.Len(t, got, 600)
	assert.Equal(t, int64(3), served.Load())
}

func TestIterOverfullPage(t *testing.T) {
	// More than the limit but within a page's 200: the iterator advances
	// by what it got.
	srv, _ := newTestServer(t)
	served := servePages(srv, func(offset, _ int) []byte { return pageJSON(45, offset, min(15, 45-offset)) })
	c, _, _ := newTestClient(t, srv)
	got, _, err := collectRegistries(c.ListSyncTaskRegistriesIter(context.Background(), testTask, &hss.ListSyncTaskRegistriesOptions{Limit: 10}))
	require.NoError(t, err)
	require.Len(t, got, 45)
	for i, reg := range got {
		require.Equal(t, "reg-"+strconv.Itoa(i+1), reg.RegistryName)
	}
	assert.Equal(t, int64(3), served.Load())

	// More than any page may hold is a decode error, yielded once.
	srv2, _ := newTestServer(t)
	servePages(srv2, func(offset, _ int) []byte { return pageJSON(500, offset, hss.MaxLimit+1) })
	c2, tr2, _ := newTestClient(t, srv2)
	got, errs, err := collectRegistries(c2.ListSyncTaskRegistriesIter(context.Background(), testTask, nil))
	assert.Empty(t, got)
	assert.Equal(t, 1, errs)
	var de *hss.DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, 1, tr2.Calls(), "a decode error is not retried")
}

// TestIterStopsAtMaxOffset: a server claiming a billion registries cannot
// make the iterator page past the API's 2,000,000 offset, so a listing
// never takes more than ceil((2,000,000-offset)/limit)+1 requests.
func TestIterStopsAtMaxOffset(t *testing.T) {
	for _, tc := range []struct {
		offset, limit, wantRequests int
	}{
		{hss.MaxOffset - 1000, 200, 6}, // offsets 1,999,000 ... 2,000,000
		{hss.MaxOffset - 95, 10, 10},   // offsets 1,999,905 ... 1,999,995
		{hss.MaxOffset, 10, 1},
	} {
		t.Run(fmt.Sprintf("offset=%d limit=%d", tc.offset, tc.limit), func(t *testing.T) {
			srv, _ := newTestServer(t)
			var mu sync.Mutex
			var offsets []int
			servePages(srv, func(offset, limit int) []byte {
				mu.Lock()
				offsets = append(offsets, offset)
				mu.Unlock()
				return pageJSON(1_000_000_000, offset, limit)
			})
			c, tr, _ := newTestClient(t, srv)
			pages, last := 0, 0
			for p, err := range c.ListSyncTaskRegistriesPages(context.Background(), testTask, &hss.ListSyncTaskRegistriesOptions{Offset: tc.offset, Limit: tc.limit}) {
				require.NoError(t, err)
				pages++
				last = len(p.DataList)
			}
			assert.Equal(t, tc.wantRequests, pages)
			assert.Equal(t, tc.limit, last)
			assert.Equal(t, tc.wantRequests, tr.Calls())
			bound := (hss.MaxOffset-tc.offset+tc.limit-1)/tc.limit + 1
			assert.LessOrEqual(t, tr.Calls(), bound)
			mu.Lock()
			defer mu.Unlock()
			for _, o := range offsets {
				assert.LessOrEqual(t, o, hss.MaxOffset)
			}
		})
	}
}

// TestIterIncompletePage: a page shorter than the limit while total_num
// promises more ends the listing with an error wrapping ErrIncompletePage
// that says where to resume. A server answering one registry per page
// with a huge total_num thus costs one request, far within the
// ceil(2,000,000/limit)+1 bound, instead of two million.
func TestIterIncompletePage(t *testing.T) {
	for _, tc := range []struct {
		offset, limit, sentLimit int
	}{
		{0, 0, 200}, {0, 200, 200}, {0, 10, 10}, {500, 10, 10}, {hss.MaxOffset - 100, 50, 50},
	} {
		t.Run(fmt.Sprintf("offset=%d limit=%d", tc.offset, tc.limit), func(t *testing.T) {
			srv, _ := newTestServer(t)
			servePages(srv, func(offset, _ int) []byte { return pageJSON(1_000_000_000, offset, 1) })
			c, tr, _ := newTestClient(t, srv)
			opts := &hss.ListSyncTaskRegistriesOptions{Offset: tc.offset, Limit: tc.limit}

			var pages []*hss.ListSyncTaskRegistriesResponse
			var err error
			errs := 0
			for p, e := range c.ListSyncTaskRegistriesPages(context.Background(), testTask, opts) {
				if e != nil {
					err = e
					errs++
					continue
				}
				pages = append(pages, p)
			}
			require.Len(t, pages, 1, "the short page is yielded before the error")
			assert.Equal(t, 1, errs)
			require.ErrorIs(t, err, hss.ErrIncompletePage)
			resume := tc.offset + 1
			assert.Contains(t, err.Error(), fmt.Sprintf("resume with Offset %d", resume))
			assert.Contains(t, err.Error(), fmt.Sprintf("held 1 of the %d registries", tc.sentLimit))
			assert.Contains(t, err.Error(), "(request id "+pages[0].RequestID+")")
			assert.Equal(t, 1, countOps(err.Error()))
			var re *hss.RequestError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, http.MethodGet, re.Method)
			assert.Equal(t, "/v5/"+testProject+"/image/image-sync/tasks/"+testTask+"/registries", re.Path)
			assert.Equal(t, pages[0].RequestID, re.RequestID)
			assert.NotErrorIs(t, err, context.DeadlineExceeded)
			assert.Equal(t, 1, tr.Calls())
			assert.LessOrEqual(t, tr.Calls(), (hss.MaxOffset+tc.sentLimit-1)/tc.sentLimit+1)

			// The item iterator yields the page's registry, then the error.
			got, errs, err := collectRegistries(c.ListSyncTaskRegistriesIter(context.Background(), testTask, opts))
			require.Len(t, got, 1)
			assert.Equal(t, "reg-"+strconv.Itoa(tc.offset+1), got[0].RegistryName)
			assert.Equal(t, 1, errs)
			assert.ErrorIs(t, err, hss.ErrIncompletePage)
			assert.Equal(t, 2, tr.Calls())
		})
	}
}

// TestIterIncompletePageResume: resuming at the offset the error names
// lists the rest, so nothing is skipped or repeated.
func TestIterIncompletePageResume(t *testing.T) {
	srv, _ := newTestServer(t, hsstest.WithSeed(testTask, 450))
	all := infosOf(srv.Registries(testTask))
	var n atomic.Int64
	srv.Handle(func(w http.ResponseWriter, _ *http.Request) bool {
		if n.Add(1) != 2 {
			return false
		}
		// The second page breaks off after 150 of its 200 registries.
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(listingJSON(len(all), all[200:350]))
		return true
	})
	c, _, _ := newTestClient(t, srv)
	got, _, err := collectRegistries(c.ListSyncTaskRegistriesIter(context.Background(), testTask, nil))
	require.ErrorIs(t, err, hss.ErrIncompletePage)
	require.Len(t, got, 350)
	require.Contains(t, err.Error(), "resume with Offset 350")

	rest, _, err := collectRegistries(c.ListSyncTaskRegistriesIter(context.Background(), testTask, &hss.ListSyncTaskRegistriesOptions{Offset: 350}))
	require.NoError(t, err)
	assert.Equal(t, all, append(got, rest...))
}

// TestIterContextCancelledMidListing: a context cancelled between pages
// ends the listing with context.Canceled after the pages already yielded.
func TestIterContextCancelledMidListing(t *testing.T) {
	srv, _ := newTestServer(t, hsstest.WithSeed(testTask, 1000))
	c, tr, _ := newTestClient(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got int
	var err error
	for _, e := range c.ListSyncTaskRegistriesIter(ctx, testTask, nil) {
		if e != nil {
			err = e
			continue
		}
		if got++; got == 200 {
			cancel()
		}
	}
	assert.Equal(t, 200, got)
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, errors.Is(err, hss.ErrIncompletePage))
	assert.LessOrEqual(t, tr.Calls(), 2)
}

// TestIntegrationListingThroughThrottleAndFailures: 4 calls per 5 s on the
// server's clock, which is the client's, and every third request failing
// before it reaches the API: the listing still holds every registry once.
func TestIntegrationListingThroughThrottleAndFailures(t *testing.T) {
	srv, clk := newTestServer(t, hsstest.WithSeed(testTask, 2000), hsstest.WithThrottle(4, 5*time.Second))
	var n atomic.Int64
	srv.Handle(func(w http.ResponseWriter, _ *http.Request) bool {
		if n.Add(1)%3 == 0 {
			w.WriteHeader(http.StatusBadGateway)
			return true
		}
		return false
	})
	start := clk.Now()
	c, _, _ := newTestClient(t, srv, hss.WithRetryPolicy(hss.RetryPolicy{RetryBudget: -1}))
	seen := map[string]int{}
	for reg, err := range c.ListSyncTaskRegistriesIter(context.Background(), testTask, nil) {
		require.NoError(t, err)
		seen[reg.RegistryID]++
	}
	require.Len(t, seen, 2000)
	for id, c := range seen {
		require.Equal(t, 1, c, id)
	}
	statuses := map[int]int{}
	for _, r := range srv.Requests() {
		statuses[r.Status]++
	}
	assert.Equal(t, 10, statuses[http.StatusOK], "ceil(2000/200) pages answered")
	assert.Positive(t, statuses[http.StatusBadGateway])
	assert.GreaterOrEqual(t, clk.Now().Sub(start), 10*time.Second, "10 pages at 4 per 5 s take two windows at least")
}
