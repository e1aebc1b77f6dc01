// Limits on what an answer may cost: the body's size, memory for a declared length, the text of a transport error, and the registries in a page.
package hss_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// TestDeclaredContentLengthNotPreallocated: an answer that
// declares a body as long as the cap (16 MiB by default, up to 1 GiB with
// WithMaxBodyBytes) and sends a few bytes costs memory for the bytes
// received, not the bytes promised: otherwise 100 goroutines facing such a
// server would hold 1.6 GiB.
func TestDeclaredContentLengthNotPreallocated(t *testing.T) {
	srv := hsstest.NewServer()
	defer srv.Close()
	// hsstest's handlers cannot declare a Content-Length they do not send.
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return false
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16777216\r\n\r\n{\"total_num\":")
		_ = buf.Flush()
		return true
	})
	client := srv.Client(t, hss.WithRetryPolicy(hss.NoRetries()))
	_, _ = client.ListSyncTaskRegistries(context.Background(), "task", nil) // warm up connections and pools

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := client.ListSyncTaskRegistries(context.Background(), "task", nil)
	runtime.ReadMemStats(&after)
	require.Error(t, err, "the body broke off")
	allocated := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, allocated, uint64(4<<20), "allocated %d bytes for a 13-byte body", allocated)
}

// TestTransportErrorTextBounded: a malformed header line or
// status line is quoted whole by net/http (up to its 10 MiB header
// limit); the Client cuts that text, as it cuts request ids, codes and
// messages from the server, in the error and in every attempt's debug log
// line.
func TestTransportErrorTextBounded(t *testing.T) {
	srv := hsstest.NewServer()
	defer srv.Close()
	junk := strings.Repeat("A", 1<<20)
	for name, answer := range map[string]string{
		"header line without a colon": "HTTP/1.1 200 OK\r\nX-Junk" + junk + "\r\n\r\n",
		"status code":                 "HTTP/1.1 2" + junk + " OK\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			// Bytes that are not HTTP: hsstest's handlers always answer well-formed.
			srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
				conn, buf, err := http.NewResponseController(w).Hijack()
				if err != nil {
					return false
				}
				defer conn.Close()
				_, _ = buf.WriteString(answer)
				_ = buf.Flush()
				return true
			})
			var logs teeLog
			client := srv.Client(t, hss.WithLogger(logs.logger()), hss.WithRetryPolicy(hss.NoRetries()))
			_, err := client.ListSyncTaskRegistries(context.Background(), "task", nil)
			require.Error(t, err)
			assert.Less(t, len(err.Error()), 4096, "the error holds %d bytes", len(err.Error()))
			assert.Less(t, len(logs.take()), 16384, "the log lines hold the junk")
		})
	}
}

// TestHugeBodyIsAnErrorNotOOM: a body past WithMaxBodyBytes is
// ErrBodyTooLarge, whether declared or streamed, and is not retried.
func TestHugeBodyIsAnErrorNotOOM(t *testing.T) {
	const limit = 64 << 10
	for _, declared := range []bool{true, false} {
		t.Run(fmt.Sprintf("content-length=%v", declared), func(t *testing.T) {
			srv, _ := newTestServer(t)
			srv.Handle(func(w http.ResponseWriter, _ *http.Request) bool {
				const size = 16 * limit
				if declared {
					w.Header().Set("Content-Length", strconv.Itoa(size))
				}
				_, _ = io.WriteString(w, `{"total_num":1,"data_list":[{"registry_name":"`)
				chunk := bytes.Repeat([]byte("x"), limit)
				for range 15 {
					if _, err := w.Write(chunk); err != nil {
						return true // the client hung up, as it should
					}
				}
				return true
			})
			c, tr, _ := newTestClient(t, srv, hss.WithMaxBodyBytes(limit))
			_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
			require.ErrorIs(t, err, hss.ErrBodyTooLarge)
			assertNoSecret(t, err, srv.Token())
			assert.Equal(t, 1, tr.Calls(), "an over-long body is not retried")
			assert.Equal(t, 1, countOps(err.Error()))
			var at *hss.AttemptsError
			assert.False(t, errors.As(err, &at))
		})
	}
}

// TestMaxBodyBytesBound: a body of exactly WithMaxBodyBytes is read; one
// byte more is ErrBodyTooLarge.
func TestMaxBodyBytesBound(t *testing.T) {
	const limit = 1024
	page := `{"total_num":0,"data_list":[]}`
	for _, tc := range []struct {
		size int
		ok   bool
	}{{limit, true}, {limit + 1, false}} {
		t.Run(strconv.Itoa(tc.size), func(t *testing.T) {
			srv, _ := newTestServer(t)
			body := page + strings.Repeat(" ", tc.size-len(page))
			srv.FailNextRaw(1, http.StatusOK, []byte(body))
			c, _, _ := newTestClient(t, srv, hss.WithMaxBodyBytes(limit))
			_, err := c.ListSyncTaskRegistries(context.Background(), testTask, nil)
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, hss.ErrBodyTooLarge)
		})
	}
}

// decItemsBody is {"<key>":[<item>,<item>,...]} with n items.
func decItemsBody(key, item string, n int) []byte {
	b := make([]byte, 0, len(key)+8+n*(len(item)+1))
	b = append(b, `{"total_num":100000000,"`+key+`":[`...)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, item...)
	}
	return append(b, "]}"...)
}

// decServe makes srv answer every request 200 with body.
func decServe(srv *hsstest.Server, body []byte) {
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		_, _ = w.Write(body)
		return true
	})
}

// TestDecodeAmplifiedPageRefused: 16 MiB of empty registries (5.6 million
// of them) in a 200 answer is a *DecodeError, whichever decoder reads it,
// not 1.5 GiB of registries. (TestDecodeMemoryAmplification measures what
// the decode allocates.)
func TestDecodeAmplifiedPageRefused(t *testing.T) {
	srv := hsstest.NewServer()
	defer srv.Close()
	client := srv.Client(t, hss.WithMaxBodyBytes(32<<20))
	for _, c := range []struct {
		key      string
		fallback bool
	}{{"data_list", false}, {"DATA_LIST", true}} {
		t.Run(c.key, func(t *testing.T) {
			n := (16<<20 - 40) / 3
			body := decItemsBody(c.key, "{}", n)
			require.LessOrEqual(t, len(body), 16<<20)
			decServe(srv, body)
			before, sent := hss.DecFallbacks(), len(srv.Requests())
			resp, err := client.ListSyncTaskRegistries(context.Background(), "task-1", &hss.ListSyncTaskRegistriesOptions{Limit: 10})
			assert.Nil(t, resp)
			var de *hss.DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, http.StatusOK, de.StatusCode)
			assert.Equal(t, http.MethodGet, de.Method)
			assert.Contains(t, de.Path, "/tasks/task-1/registries")
			assert.NotEmpty(t, de.RequestID)
			assert.Contains(t, err.Error(), "more than 200")
			assert.Equal(t, c.fallback, hss.DecFallbacks() > before, "the fallback decoded it")
			assert.Len(t, srv.Requests(), sent+1, "a DecodeError is not retried")
		})
	}
}

// TestDecodePageCapIsMaxLimit200: a page may hold up to max(limit, 200)
// registries (the largest page the API gives), whatever limit was sent;
// one more is a *DecodeError, from either decoder.
func TestDecodePageCapIsMaxLimit200(t *testing.T) {
	srv := hsstest.NewServer()
	defer srv.Close()
	client := srv.Client(t, hss.WithRetryPolicy(hss.NoRetries()))
	item := `{"registry_id":"r","registry_name":"n","registry_type":"Harbor","sync_status":"failed","failed_reason":"x"}`
	for _, key := range []string{"data_list", "Data_List"} {
		for _, limit := range []int{0, 10, 150, hss.MaxLimit} {
			for _, n := range []int{hss.MaxLimit, hss.MaxLimit + 1} {
				decServe(srv, decItemsBody(key, item, n))
				var opts *hss.ListSyncTaskRegistriesOptions
				if limit != 0 {
					opts = &hss.ListSyncTaskRegistriesOptions{Limit: limit}
				}
				resp, err := client.ListSyncTaskRegistries(context.Background(), "task-1", opts)
				if n <= hss.MaxLimit {
					require.NoError(t, err, "%s, limit %d, %d registries", key, limit, n)
					assert.Len(t, resp.DataList, n)
					continue
				}
				var de *hss.DecodeError
				require.ErrorAs(t, err, &de, "%s, limit %d, %d registries", key, limit, n)
				assert.Contains(t, err.Error(), "more than 200")
			}
		}
	}
}

// TestBodilessAnswersSkipTheBodyCap: an answer without a body (to HEAD,
// or a 204) may declare the Content-Length a GET would get; the cap is on
// what is read, so such an answer is no ErrBodyTooLarge. A GET's answer
// that declares more than the cap still is.
func TestBodilessAnswersSkipTheBodyCap(t *testing.T) {
	const limit, declared = 1024, 1 << 20
	srv, _ := newTestServer(t)
	route := "/v5/{project_id}/big"
	for _, method := range []string{http.MethodHead, http.MethodGet} {
		require.NoError(t, srv.HandleFunc(method, route, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(declared))
			w.WriteHeader(http.StatusOK)
			if r.Method == http.MethodGet {
				_, _ = w.Write(make([]byte, declared))
			}
		}))
	}
	c, _, _ := newTestClient(t, srv, hss.WithMaxBodyBytes(limit), hss.WithRetryPolicy(hss.NoRetries()))
	resp, err := c.Do(context.Background(), http.MethodHead, route, nil, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, strconv.Itoa(declared), resp.Header.Get("Content-Length"))

	_, err = c.Do(context.Background(), http.MethodGet, route, nil, nil, nil)
	assert.ErrorIs(t, err, hss.ErrBodyTooLarge, "a GET's body is held to the cap")

	// net/http drops a 204's Content-Length; a transport of the caller's
	// may keep it.
	tr := &countingTransport{next: srv.HTTPClient().Transport, inject: func(_ int64, r *http.Request) (*http.Response, bool, error) {
		return &http.Response{StatusCode: http.StatusNoContent, Header: http.Header{}, ContentLength: declared,
			Body: http.NoBody, Request: r}, true, nil
	}}
	c = srv.Client(t, hss.WithHTTPClient(&http.Client{Transport: tr}), hss.WithMaxBodyBytes(limit), hss.WithRetryPolicy(hss.NoRetries()))
	resp, err = c.Do(context.Background(), http.MethodDelete, route, nil, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
}
