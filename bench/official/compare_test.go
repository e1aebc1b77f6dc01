// The SDK against the official Huawei Cloud Go SDK: the same page read by both, its cost benchmarked side by side, and the official SDK's request accepted by hsstest.
package official

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	hssv5 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/hss/v5"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/hss/v5/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Keys of the benchmarks; the benchmark server checks none of them.
const (
	benchAK    = "AKBENCHEXAMPLE000001"
	benchSK    = "sk-bench-example-0000000000000000000000"
	benchToken = "MIIbench-token"
)

// benchOfficialClient builds the official SDK's HSS client for endpoint,
// signing with ak/sk (the official SDK has no token authentication). A
// fixed User-Agent keeps it from creating ~/.huaweicloud/application_id,
// which it otherwise does to build its default User-Agent.
func benchOfficialClient(tb testing.TB, endpoint, ak, sk, securityToken string) *hssv5.HssClient {
	tb.Helper()
	cb := basic.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithProjectId(benchProject)
	if securityToken != "" {
		cb = cb.WithSecurityToken(securityToken)
	}
	cred, err := cb.SafeBuild()
	if err != nil {
		tb.Fatal(err)
	}
	hc, err := hssv5.HssClientBuilder().
		WithEndpoints([]string{endpoint}).
		WithCredential(cred).
		WithHttpConfig(config.DefaultHttpConfig().WithUserAgent("hss-bench")).
		SafeBuild()
	if err != nil {
		tb.Fatal(err)
	}
	return hssv5.NewHssClient(hc)
}

// benchOfficialCall is one ListAssociateRegistries call with the official
// SDK; it returns the page.
func benchOfficialCall(tb testing.TB, c *hssv5.HssClient, taskID string, limit int) []model.AssociateRegistriesResponseInfo {
	l := int32(limit)
	resp, err := c.ListAssociateRegistries(&model.ListAssociateRegistriesRequest{TaskId: taskID, Limit: &l})
	if err != nil {
		tb.Fatal(err)
	}
	if resp.DataList == nil || resp.TotalNum == nil {
		tb.Fatalf("official: no data_list or total_num in %v", resp)
	}
	return *resp.DataList
}

// benchHSSCall is the same call through hss.
func benchHSSCall(tb testing.TB, c *hss.Client, taskID string, limit int) []hss.AssociateRegistriesResponseInfo {
	resp, err := c.ListSyncTaskRegistries(context.Background(), taskID, &hss.ListSyncTaskRegistriesOptions{Limit: limit})
	if err != nil {
		tb.Fatal(err)
	}
	return resp.DataList
}

// benchOfficialIDs returns the registry ids of one official SDK call.
func benchOfficialIDs(tb testing.TB, c *hssv5.HssClient, taskID string, limit int) []string {
	var ids []string
	for i, r := range benchOfficialCall(tb, c, taskID, limit) {
		if r.RegistryId == nil {
			tb.Fatalf("official: registry %d has no id", i)
		}
		ids = append(ids, *r.RegistryId)
	}
	return ids
}

// benchHSSIDs returns the registry ids of one hss call.
func benchHSSIDs(tb testing.TB, c *hss.Client, taskID string, limit int) []string {
	var ids []string
	for _, r := range benchHSSCall(tb, c, taskID, limit) {
		ids = append(ids, r.RegistryID)
	}
	return ids
}

// BenchmarkListAssociateRegistries makes the same call, one page of the
// image-sync task's registries, with the official SDK (AK/SK) and with hss
// (token, and AK/SK), against one loopback server. floor is http.Get +
// reading the body into a reused buffer, for scale.
//
// official-aksk also runs hss-aksk in blocks interleaved with its own
// calls (timer stopped), so drift on a busy machine hits both alike, and
// reports hss-aksk-ns/op and x-hss-aksk (its time over hss's, same run).
func BenchmarkListAssociateRegistries(b *testing.B) {
	srv := benchNewServer(b)
	for _, limit := range []int{200, 10} {
		b.Run("page="+strconv.Itoa(limit), func(b *testing.B) {
			b.Run("official-aksk", func(b *testing.B) {
				c := benchOfficialClient(b, srv.URL, benchAK, benchSK, "")
				ref, err := hss.NewClient(srv.URL, benchProject, hss.WithAKSK(benchAK, benchSK))
				require.NoError(b, err)
				benchInterleaved(b, limit,
					func() int { return len(benchOfficialCall(b, c, "task-1", limit)) },
					func() int { return len(benchHSSCall(b, ref, "task-1", limit)) }, "hss-aksk")
			})
			b.Run("hss-token", func(b *testing.B) {
				c, err := hss.NewClient(srv.URL, benchProject, hss.WithToken(benchToken))
				require.NoError(b, err)
				benchLoop(b, limit, func() int { return len(benchHSSCall(b, c, "task-1", limit)) })
			})
			b.Run("hss-aksk", func(b *testing.B) {
				c, err := hss.NewClient(srv.URL, benchProject, hss.WithAKSK(benchAK, benchSK))
				require.NoError(b, err)
				benchLoop(b, limit, func() int { return len(benchHSSCall(b, c, "task-1", limit)) })
			})
			b.Run("floor", func(b *testing.B) {
				u := srv.URL + "/v5/" + benchProject + "/image/image-sync/tasks/task-1/registries?limit=" + strconv.Itoa(limit)
				var buf bytes.Buffer
				benchLoop(b, limit, func() int {
					resp, err := http.Get(u)
					if err != nil {
						b.Fatal(err)
					}
					buf.Reset()
					_, err = buf.ReadFrom(resp.Body)
					resp.Body.Close()
					if err != nil || resp.StatusCode != http.StatusOK {
						b.Fatalf("floor: status %d: %v", resp.StatusCode, err)
					}
					return limit // the floor decodes nothing
				})
			})
		})
	}
}

// benchLoop warms call up once outside the measurement, then runs it b.N
// times; every call must report limit registries.
func benchLoop(b *testing.B, limit int, call func() int) {
	if got := call(); got != limit {
		b.Fatalf("%d registries, want %d", got, limit)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if got := call(); got != limit {
			b.Fatalf("%d registries, want %d", got, limit)
		}
	}
}

// benchInterleaved measures call like benchLoop, and runs ref in blocks
// between its own (timer stopped); it reports ref's time per call as
// <refName>-ns/op and call's time over ref's as x-<refName>.
func benchInterleaved(b *testing.B, limit int, call, ref func() int, refName string) {
	for _, f := range []func() int{call, ref} {
		if got := f(); got != limit {
			b.Fatalf("%d registries, want %d", got, limit)
		}
	}
	const block = 32
	var refDur time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(block, b.N-done)
		b.StopTimer()
		t0 := time.Now()
		for range n {
			if got := ref(); got != limit {
				b.Fatalf("%s: %d registries, want %d", refName, got, limit)
			}
		}
		refDur += time.Since(t0)
		b.StartTimer()
		for range n {
			if got := call(); got != limit {
				b.Fatalf("%d registries, want %d", got, limit)
			}
		}
		done += n
	}
	b.StopTimer()
	refNs := float64(refDur.Nanoseconds()) / float64(b.N)
	b.ReportMetric(refNs, refName+"-ns/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/refNs, "x-"+refName)
}

// TestBothClientsReadTheSamePage makes sure the benchmark compares like
// with like: against its server both clients get the same registries.
func TestBothClientsReadTheSamePage(t *testing.T) {
	srv := benchNewServer(t)
	official := benchOfficialClient(t, srv.URL, benchAK, benchSK, "")
	c, err := hss.NewClient(srv.URL, benchProject, hss.WithToken(benchToken))
	require.NoError(t, err)
	for _, limit := range []int{200, 10} {
		want := benchOfficialIDs(t, official, "task-1", limit)
		require.Len(t, want, limit)
		assert.Equal(t, want, benchHSSIDs(t, c, "task-1", limit), "limit %d", limit)
	}
}

// TestOfficialSDKAgainstHsstest sends the official SDK's signed request to
// hsstest, which verifies AK/SK signatures with internal/sigcheck: the
// fake gateway accepts what the official signer produces, with and without
// a security token, and hss reads the same registries from it.
func TestOfficialSDKAgainstHsstest(t *testing.T) {
	const ak, sk, securityToken = "AKOFFICIALCHECK00001", "official-check-secret-key", "official-check-security-token"
	for _, temporary := range []bool{false, true} {
		t.Run("temporary="+strconv.FormatBool(temporary), func(t *testing.T) {
			opt, tok := hsstest.WithAKSK(ak, sk), ""
			if temporary {
				opt, tok = hsstest.WithTemporaryAKSK(ak, sk, securityToken), securityToken
			}
			srv := hsstest.NewServer(opt)
			t.Cleanup(srv.Close)
			require.Equal(t, benchProject, srv.ProjectID(), "the official client is built for benchProject")
			srv.Seed("task-1", 42)

			got := benchOfficialIDs(t, benchOfficialClient(t, srv.URL(), ak, sk, tok), "task-1", 200)
			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, hsstest.AuthAKSK, reqs[0].Auth)
			assert.Equal(t, ak, reqs[0].AK)
			assert.Empty(t, reqs[0].AuthError)
			assert.Equal(t, http.StatusOK, reqs[0].Status)

			hssOpt := hss.WithAKSK(ak, sk)
			if temporary {
				hssOpt = hss.WithTemporaryAKSK(ak, sk, securityToken)
			}
			want := benchHSSIDs(t, srv.Client(t, hssOpt), "task-1", 200)
			require.Len(t, want, 42)
			assert.Equal(t, want, got)
		})
	}
}
