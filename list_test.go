package hss_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/hsskit/hss"
)

// TestIterRequestCount: a listing of N registries with no Limit set takes
// ceil(N/200) requests (one for an empty listing, which only the service
// can tell).
func TestIterRequestCount(t *testing.T) {
	for _, n := range []int{0, 1, 10, 199, 200, 201, 399, 400, 401, 1000, 4321} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			srv := newSynthServer(t, n)
			c, err := hss.NewClient(srv.URL, "proj", hss.WithToken("t"))
			if err != nil {
				t.Fatal(err)
			}
			got := 0
			for reg, err := range c.ListSyncTaskRegistriesIter(context.Background(), "task-1", nil) {
				if err != nil {
					t.Fatal(err)
				}
				got++
				if want := fmt.Sprintf("reg-%08d", got); reg.RegistryID != want {
					t.Fatalf("registry %d: id %q, want %q", got, reg.RegistryID, want)
				}
			}
			if got != n {
				t.Errorf("listed %d registries, want %d", got, n)
			}
			want := int64(max(1, (n+hss.MaxLimit-1)/hss.MaxLimit))
			if r := srv.requests.Load(); r != want {
				t.Errorf("%d requests, want %d", r, want)
			}
		})
	}
}

// TestResponsesSurviveLaterCalls keeps every response while later calls
// reuse the pooled body buffers for bodies of the same length, and checks
// that no kept string changed.
func TestResponsesSurviveLaterCalls(t *testing.T) {
	var calls atomic.Int64
	srv := newCountingServer(t, &listServer{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		// Same length every time, different bytes.
		body := fmt.Sprintf(`{"total_num":1,"data_list":[{"registry_id":"id-%06d","registry_name":"nm-%06d","registry_type":"T-%06d","sync_status":"S-%06d","failed_reason":"fr-%06d\u00e9"}]}`, n, n, n, n, n)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write([]byte(body))
	}))
	c, err := hss.NewClient(srv.URL, "proj", hss.WithToken("t"))
	if err != nil {
		t.Fatal(err)
	}
	var kept []*hss.ListSyncTaskRegistriesResponse
	for range 50 {
		resp, err := c.ListSyncTaskRegistries(context.Background(), "task-1", nil)
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, resp)
	}
	for i, resp := range kept {
		n := i + 1
		want := hss.AssociateRegistriesResponseInfo{
			RegistryID:   fmt.Sprintf("id-%06d", n),
			RegistryName: fmt.Sprintf("nm-%06d", n),
			RegistryType: hss.RegistryType(fmt.Sprintf("T-%06d", n)),
			SyncStatus:   hss.SyncStatus(fmt.Sprintf("S-%06d", n)),
			FailedReason: fmt.Sprintf("fr-%06dé", n),
		}
		if len(resp.DataList) != 1 || resp.DataList[0] != want {
			t.Fatalf("response %d changed: %#v, want %#v", n, resp.DataList, want)
		}
	}
}
