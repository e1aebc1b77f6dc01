package hss_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

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

// decTrickyText is text the service may well hold in names and failure
// reasons; json.Marshal escapes much of it.
var decTrickyText = []string{
	`the registry said "401 Unauthorized" and 'no'`,
	`C:\registry\path\n is not a newline`,
	`\u0041 is not an escape, \\ is two`,
	"注册表同步失败：认证错误 ¡Sí! ✓ Ünïcödé",
	"emoji 😀🚀👍🏽 and a flag 🇨🇳",
	"<html>&amp; tags & entities</html>",
	"line\nbreaks\r\nand\ttabs",
	"separators \u2028 and \u2029",
	"nul \x00 and del \x7f and esc \x1b[31m",
	"invalid UTF-8 \xff\xfe here",
	strings.Repeat("a long reason, ", 700),
	strings.Repeat("長い理由", 500),
	"ends with a backslash \\",
	"",
	"x",
}

// TestDecodeServiceOutputNeverFallsBack: every page hsstest writes (every
// type and status, known and not, and names and failure reasons with
// quotes, backslashes, unicode, emoji, control characters and long text)
// is decoded by the fast path, never by the encoding/json fallback, and
// decodes to what the server holds.
func TestDecodeServiceOutputNeverFallsBack(t *testing.T) {
	srv := hsstest.NewServer()
	defer srv.Close()
	const task = "task-tricky"
	srv.Seed(task, 90)
	types := append(hss.AllRegistryTypes(), "Quay")
	statuses := append(hss.AllSyncStatuses(), "paused")
	var regs []hsstest.Registry
	for i, text := range decTrickyText {
		for j, typ := range types {
			regs = append(regs, hsstest.Registry{
				RegistryName: fmt.Sprintf("%d-%d %s", i, j, text[:min(len(text), 100)]),
				RegistryType: typ,
				SyncStatus:   statuses[(i+j)%len(statuses)],
				FailedReason: text,
			})
		}
	}
	srv.AddRegistries(task, regs...)
	client := srv.Client(t)
	ctx := context.Background()

	// What the client must decode: the server's registries as the wire
	// carries them (invalid UTF-8 becomes U+FFFD).
	var want []hss.AssociateRegistriesResponseInfo
	for _, r := range srv.Registries(task) {
		info := r.Info()
		b, err := json.Marshal(info)
		require.NoError(t, err)
		var wire hss.AssociateRegistriesResponseInfo
		require.NoError(t, json.Unmarshal(b, &wire))
		want = append(want, wire)
	}

	before := hss.DecFallbacks()
	for _, limit := range []int{10, 37, hss.MaxLimit} {
		var got []hss.AssociateRegistriesResponseInfo
		for reg, err := range client.ListSyncTaskRegistriesIter(ctx, task, &hss.ListSyncTaskRegistriesOptions{Limit: limit}) {
			require.NoError(t, err)
			got = append(got, reg)
		}
		require.Equal(t, want, got, "limit %d", limit)
	}
	for _, typ := range hss.AllRegistryTypes() {
		for _, st := range hss.AllSyncStatuses() {
			resp, err := client.ListSyncTaskRegistries(ctx, task, &hss.ListSyncTaskRegistriesOptions{
				Limit: hss.MaxLimit, RegistryTypes: []hss.RegistryType{typ}, SyncStatus: st})
			require.NoError(t, err)
			for _, r := range resp.DataList {
				assert.Equal(t, typ, r.RegistryType)
				assert.Equal(t, st, r.SyncStatus)
			}
		}
	}
	srv.AddTask("empty-task")
	resp, err := client.ListSyncTaskRegistries(ctx, "empty-task", nil)
	require.NoError(t, err)
	assert.NotNil(t, resp.DataList)
	assert.Empty(t, resp.DataList)

	assert.Equal(t, before, hss.DecFallbacks(), "the encoding/json fallback decoded a page hsstest wrote")
}

// FuzzResponse feeds arbitrary answers (status, Retry-After, body) to a
// real Client through hsstest: it returns a response or a typed error,
// never panics, never lets the token into the error, and keeps every
// field of an APIError bounded and on one line. Its seed corpus is in
// testdata/fuzz/FuzzResponse, next to the seeds below.
func FuzzResponse(f *testing.F) {
	const token = "MIIfuzz-secret-token-0123456789"
	f.Add(200, "", []byte(`{"total_num":1,"data_list":[{"registry_id":"a","registry_type":"Harbor"}]}`))
	f.Add(200, "", []byte(`null`))
	f.Add(400, "", []byte(`{"error_code":"HSS.0001","error_msg":"Invalid parameter."}`))
	f.Add(401, "", []byte(`{"code":"APIGW.0301","message":"bad token `+token+`"}`))
	f.Add(403, "", []byte(`{"error":{"code":7,"message":"m"}}`))
	f.Add(429, "2", []byte(`{"error_code":"APIGW.0308"}`))
	f.Add(503, "Wed, 21 Oct 2015 07:28:00 GMT", []byte("<html><title>down "+token+"</title></html>"))
	f.Add(302, "", []byte{})
	f.Add(999, "-1", []byte("\xff\xfe"))
	clk := hsstest.NewClock(time.Date(2031, 3, 4, 5, 0, 0, 0, time.UTC))
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithToken(token))
	f.Cleanup(srv.Close)
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		// A Client per answer: one learns the gateway's quota from a 429.
		client, err := srv.NewClient(hss.WithRetryPolicy(hss.RetryPolicy{MaxAttempts: 2, RetryBudget: -1, MaxThrottleWait: -1}))
		if err != nil {
			t.Fatal(err)
		}
		if status < 200 || status > 999 {
			status = 200 + (status%800+800)%800 // net/http sends 200-999
		}
		// Only bytes a header value may hold: a control character breaks
		// the framing, which TestSecretNeverInTransportErrors covers.
		retryAfter = strings.Map(func(r rune) rune {
			if r < 0x20 || r > 0x7e {
				return -1
			}
			return r
		}, retryAfter)
		var header http.Header
		if retryAfter != "" {
			header = http.Header{"Retry-After": {retryAfter}}
		}
		srv.ClearFaults()
		srv.FailNextRaw(2, status, body, header) // both attempts
		resp, err := client.ListSyncTaskRegistries(context.Background(), "task-1", nil)
		if err == nil {
			if status > 299 || resp == nil {
				t.Fatalf("status %d gave no error", status)
			}
			return
		}
		if strings.Contains(err.Error(), token) {
			t.Fatalf("the token is in the error: %v", err)
		}
		var ae *hss.APIError
		var de *hss.DecodeError
		switch {
		case errors.As(err, &ae):
			if ae.StatusCode != status || len(ae.Body) > hss.MaxErrorBodyBytes || ae.RetryAfter < 0 || ae.RetryAfter > hss.MaxRetryAfter {
				t.Fatalf("bad APIError for %d: %+v", status, ae)
			}
			for _, s := range []string{ae.Code, ae.Message, ae.RequestID, err.Error()} {
				if strings.ContainsAny(s, "\r\n\x00\x1b") || !utf8.ValidString(s) {
					t.Fatalf("unsafe text %q", s)
				}
			}
			if strings.Contains(string(ae.Body), token) {
				t.Fatalf("the token is in APIError.Body")
			}
		case errors.As(err, &de):
			if status > 299 {
				t.Fatalf("a %d answer gave a DecodeError: %v", status, err)
			}
		default:
			t.Fatalf("untyped error %T: %v", err, err)
		}
	})
}

// FuzzOptions: validation and request building never panic; options that
// pass are sent (as hsstest records them) with the task id in one path
// segment and a query, percent-encoded the strict way, that parses back to
// the same values. Its seed corpus is in testdata/fuzz/FuzzOptions.
func FuzzOptions(f *testing.F) {
	f.Add("t", "eps", "name", "SwrPrivate,Harbor", "finished", 0, 10)
	f.Add("a b?c", "", "", "", "", 2000000, 200)
	f.Add("任务", "e", "n\x00", "Jfrog", "running", 5, 201)
	srv := hsstest.NewServer()
	f.Cleanup(srv.Close)
	var sent struct {
		sync.Mutex
		path, query string
	}
	srv.Handle(func(w http.ResponseWriter, r *http.Request) bool {
		sent.Lock()
		sent.path, sent.query = r.URL.EscapedPath(), r.URL.RawQuery
		sent.Unlock()
		w.WriteHeader(http.StatusNotFound)
		return true
	})
	client, err := hss.NewClient(srv.URL()+"/pre", srv.ProjectID(), hss.WithToken(srv.Token()),
		hss.WithHTTPClient(srv.HTTPClient()), hss.WithRetryPolicy(hss.NoRetries()))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, task, eps, name, types, status string, offset, limit int) {
		var rt []hss.RegistryType
		if types != "" {
			for _, s := range strings.Split(types, ",") {
				rt = append(rt, hss.RegistryType(s))
			}
		}
		o := &hss.ListSyncTaskRegistriesOptions{EnterpriseProjectID: eps, RegistryName: name, RegistryTypes: rt,
			SyncStatus: hss.SyncStatus(status), Offset: offset, Limit: limit}
		sent.Lock()
		sent.path, sent.query = "", ""
		sent.Unlock()
		_, err := client.ListSyncTaskRegistries(context.Background(), task, o)
		var ve *hss.ValidationError
		if errors.As(err, &ve) {
			if ve.Field == "" || ve.Reason == "" {
				t.Fatalf("vague validation error %+v", ve)
			}
			return
		}
		var ae *hss.APIError
		if !errors.As(err, &ae) || ae.StatusCode != http.StatusNotFound {
			t.Fatalf("the request did not reach the server: %v", err)
		}
		sent.Lock()
		path, query := sent.path, sent.query
		sent.Unlock()
		segs := strings.Split(path, "/")
		if len(segs) != 9 || segs[1] != "pre" || segs[8] != "registries" {
			t.Fatalf("path split wrong: %q", path)
		}
		if got, err := url.PathUnescape(segs[7]); err != nil || got != task {
			t.Fatalf("task id %q came back as %q (%v)", task, got, err)
		}
		if strings.Contains(query, "+") {
			t.Fatalf("query %q has a '+', which servers read as a space", query)
		}
		q, err := url.ParseQuery(query)
		if err != nil {
			t.Fatalf("query %q does not parse: %v", query, err)
		}
		want := map[string]string{"enterprise_project_id": eps, "registry_name": name, "registry_type": types, "sync_status": status}
		if offset != 0 {
			want["offset"] = strconv.Itoa(offset)
		}
		if limit != 0 {
			want["limit"] = strconv.Itoa(limit)
		}
		for key, v := range want {
			if q.Get(key) != v {
				t.Fatalf("%s: sent %q, want %q (query %q)", key, q.Get(key), v, query)
			}
		}
	})
}
