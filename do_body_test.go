// What Client.Do sends and what it decodes into: bodies byte for byte, outs checked before anything is sent, bounded decoding, and Response.
package hss_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"runtime/pprof"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
)

const doTasks = "/v5/{project_id}/image/image-sync/tasks"

// failingReader fails after its first bytes.
type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n > 0 {
		return 0, errors.New("disk on fire")
	}
	r.n = copy(p, "{\"partial")
	return r.n, nil
}

func TestDoSendsBodiesByteForByte(t *testing.T) {
	srv, _ := doServer(t)
	client := srv.Client(t)
	ctx := context.Background()
	raw := `{"registry_ids": ["r1",  "r2"]}` // spacing kept: not re-encoded
	cases := []struct {
		name string
		body any
		opts []hss.DoOption
		want string
		ct   string
	}{
		{"strings.Reader", strings.NewReader(raw), nil, raw, "application/json;charset=UTF-8"},
		{"bytes.Buffer", bytes.NewBufferString(raw), nil, raw, "application/json;charset=UTF-8"},
		{"[]byte", []byte(raw), nil, raw, "application/json;charset=UTF-8"},
		{"json.RawMessage", json.RawMessage(raw), nil, raw, "application/json;charset=UTF-8"},
		{"a value, encoded", map[string]int{"a": 1}, nil, `{"a":1}`, "application/json;charset=UTF-8"},
		{"the caller's Content-Type", strings.NewReader("a,b\n1,2\n"), []hss.DoOption{hss.WithDoHeader(http.Header{"Content-Type": {"text/csv"}})}, "a,b\n1,2\n", "text/csv"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out map[string]string
			_, err := client.Do(ctx, http.MethodPost, doTasks, nil, tc.body, &out, tc.opts...)
			require.NoError(t, err)
			assert.Equal(t, tc.want, out["body"])
			assert.Equal(t, tc.ct, out["content_type"])
		})
	}

	before := len(srv.Requests())
	_, err := client.Do(ctx, http.MethodPost, doTasks, nil, &failingReader{}, nil)
	var ve *hss.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "body", ve.Field)
	assert.Contains(t, err.Error(), "disk on fire")
	_, err = client.Do(ctx, http.MethodPost, doTasks, nil, io.LimitReader(zeros{}, hss.MaxRequestBodyBytes+1), nil)
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Reason, "MaxRequestBodyBytes")
	_, err = client.Do(ctx, http.MethodPost, doTasks, nil, nil, nil, hss.WithDoHeader(http.Header{"X-Auth-Token": {"mine"}}))
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "WithDoHeader", ve.Field)
	_, err = client.Do(ctx, http.MethodPost, doTasks, nil, nil, nil, hss.WithDoHeader(http.Header{"X-Note": {"a\r\nb"}}))
	require.ErrorAs(t, err, &ve)
	assert.Len(t, srv.Requests(), before, "nothing sent")
}

// TestDoRefusesNilReadersAndWriters: a nil pointer that is an io.Reader
// body or an io.Writer out is a *ValidationError naming the argument,
// before anything is sent, not a panic once the request is on its way.
func TestDoRefusesNilReadersAndWriters(t *testing.T) {
	srv, _ := doServer(t)
	client := srv.Client(t)
	ctx := context.Background()
	for name, tc := range map[string]struct {
		body, out any
		field     string
	}{
		"nil *strings.Reader body": {body: (*strings.Reader)(nil), field: "body"},
		"nil *bytes.Buffer body":   {body: (*bytes.Buffer)(nil), field: "body"},
		"nil *bytes.Buffer out":    {out: (*bytes.Buffer)(nil), field: "out"},
	} {
		t.Run(name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { _, err = client.Do(ctx, http.MethodPost, doTasks, nil, tc.body, tc.out) })
			var ve *hss.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.Contains(t, ve.Reason, "nil")
		})
	}
	assert.Empty(t, srv.Requests(), "nothing sent")
}

// blockingReader blocks every Read until release is closed.
type blockingReader struct{ release chan struct{} }

func (r blockingReader) Read([]byte) (int, error) {
	<-r.release
	return 0, io.EOF
}

// goroutinesIn counts the goroutines whose stack holds fn, a function
// named as runtime stacks name it ("hss.readAllWithin"); unlike
// runtime.NumGoroutine, it does not count what other tests left running.
func goroutinesIn(fn string) int {
	var buf bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&buf, 2)
	n := 0
	for _, g := range strings.Split(buf.String(), "\n\n") {
		if strings.Contains(g, fn+"(") || strings.Contains(g, fn+".func") {
			n++
		}
	}
	return n
}

// TestDoBodyReadEndsWithTheContext: Do stops reading an io.Reader body
// when ctx ends, with an error that wraps ctx's end, and sends nothing.
// A body that is an io.Closer is closed, which ends the read; the read of
// one that is not ends when its Read returns, and no goroutine is left.
func TestDoBodyReadEndsWithTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := refusingTransport()
		client, err := hss.NewClient("http://127.0.0.1:1", testProject, hss.WithToken(testToken), hss.WithHTTPClient(&http.Client{Transport: tr}))
		require.NoError(t, err)

		pr, pw := io.Pipe()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err = client.Do(ctx, http.MethodPost, doTasks, nil, pr, nil)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		var re *hss.RequestError
		require.ErrorAs(t, err, &re)
		assert.Contains(t, err.Error(), "reading the body")
		_, werr := pw.Write([]byte("late"))
		assert.ErrorIs(t, werr, io.ErrClosedPipe, "the body was closed")
		synctest.Wait()
		assert.Zero(t, goroutinesIn("hss.readAllWithin"), "the read ended with the body's Close")

		ctx2, cancel2 := context.WithCancel(context.Background())
		body := blockingReader{release: make(chan struct{})}
		go func() {
			time.Sleep(time.Second)
			cancel2()
		}()
		_, err = client.Do(ctx2, http.MethodPost, doTasks, nil, body, nil)
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 1, goroutinesIn("hss.readAllWithin"), "the read goes on until Read returns")
		close(body.release)
		synctest.Wait()
		assert.Zero(t, goroutinesIn("hss.readAllWithin"), "the read ended once Read returned")
		assert.Zero(t, tr.Calls(), "nothing sent")
	})
}

// TestDoBoundsDynamicDecodingAnywhere: MaxDynamicDecodeBytes applies to
// every out whose type holds an interface or a map anywhere (in a slice,
// an array, a pointer or a field, recursive types included), not only to
// *any and maps at the top.
func TestDoBoundsDynamicDecodingAnywhere(t *testing.T) {
	srv, _ := doServer(t)
	big := `[` + strings.Repeat(`{"a":1,"b":"xxxxxxxxxx","kids":[]},`, hss.MaxDynamicDecodeBytes/30) + `{}]`
	require.Greater(t, len(big), hss.MaxDynamicDecodeBytes)
	srv.HandleFunc(http.MethodGet, "/v5/{project_id}/big", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, big)
	})
	client := srv.Client(t)
	ctx := context.Background()
	type withAny struct{ B any }
	type withMap struct{ M map[string]int }
	type node struct {
		Kids []node
		Meta *struct{ Extra []any }
	}
	type plainNode struct {
		A    int
		B    string
		Kids []*plainNode
	}
	for name, out := range map[string]any{
		"*[]any":                 new([]any),
		"*[]map[string]any":      new([]map[string]any),
		"*[]struct{B any}":       new([]withAny),
		"*[2]struct{map}":        new([2]withMap),
		"*[]*struct{map}":        new([]*withMap),
		"a recursive type":       new([]node),
		"*[]json.RawMessage-ish": new([]struct{ R *any }),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := client.Do(ctx, http.MethodGet, "/v5/{project_id}/big", nil, nil, out)
			var de *hss.DecodeError
			require.ErrorAs(t, err, &de)
			assert.ErrorIs(t, err, hss.ErrBodyTooLarge)
		})
	}
	var plain []plainNode
	_, err := client.Do(ctx, http.MethodGet, "/v5/{project_id}/big", nil, nil, &plain)
	require.NoError(t, err, "a recursive type without interfaces or maps takes it")
	assert.Greater(t, len(plain), 1000)
}

// failingWriter refuses every write.
type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

// TestDoReportsAWriterThatFails: an io.Writer out that fails is reported
// as its write error, not as an answer that is not JSON.
func TestDoReportsAWriterThatFails(t *testing.T) {
	srv, _ := doServer(t)
	full := errors.New("disk full")
	_, err := srv.Client(t).Do(context.Background(), http.MethodPost, doTasks, nil, nil, failingWriter{full})
	require.ErrorIs(t, err, full)
	var de *hss.DecodeError
	assert.False(t, errors.As(err, &de), "the answer was fine: %v", err)
	assert.NotContains(t, err.Error(), "not the expected JSON")
	assert.Contains(t, err.Error(), "writing the answer to out")
}

// zeros reads zero bytes forever.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestDoChecksOutBeforeSending(t *testing.T) {
	srv, _ := doServer(t)
	client := srv.Client(t)
	ctx := context.Background()
	var nilMap *map[string]any
	for name, out := range map[string]any{
		"a map value":       map[string]any{},
		"a struct value":    struct{ A int }{},
		"a typed nil":       nilMap,
		"a string":          "out",
		"a pointer to fn":   new(func()),
		"a pointer to chan": new(chan int),
	} {
		_, err := client.Do(ctx, http.MethodPost, doTasks, nil, nil, out)
		var ve *hss.ValidationError
		require.ErrorAs(t, err, &ve, name)
		assert.Equal(t, "out", ve.Field, name)
	}
	assert.Empty(t, srv.Requests(), "a bad out is found before anything is sent")

	// An io.Writer gets the raw body, whatever else it is.
	var buf bytes.Buffer
	resp, err := client.Do(ctx, http.MethodPost, doTasks, nil, nil, &buf)
	require.NoError(t, err)
	assert.True(t, json.Valid(buf.Bytes()) && strings.Contains(buf.String(), "task-new"), buf.String())
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	_, err = client.Do(ctx, http.MethodPost, doTasks, nil, nil, io.Discard)
	require.NoError(t, err)
}

func TestDoBoundsDynamicDecoding(t *testing.T) {
	srv, _ := doServer(t)
	big := `{"items":[` + strings.Repeat(`{"a":1,"b":"xxxxxxxxxx"},`, hss.MaxDynamicDecodeBytes/20) + `{}]}`
	srv.HandleFunc(http.MethodGet, "/v5/{project_id}/big", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, big)
	})
	client := srv.Client(t)
	ctx := context.Background()
	var anything any
	resp, err := client.Do(ctx, http.MethodGet, "/v5/{project_id}/big", nil, nil, &anything)
	var de *hss.DecodeError
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, err, hss.ErrBodyTooLarge)
	assert.Contains(t, err.Error(), "MaxDynamicDecodeBytes")
	assert.Nil(t, anything)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the answer came, and Response says so")

	var typed struct {
		Items []struct{ A int } `json:"items"`
	}
	_, err = client.Do(ctx, http.MethodGet, "/v5/{project_id}/big", nil, nil, &typed)
	require.NoError(t, err, "a struct takes it")
	assert.Greater(t, len(typed.Items), 1000)
}

func TestDoResponseOnErrors(t *testing.T) {
	srv, _ := doServer(t)
	client := srv.Client(t)
	resp, err := client.Do(context.Background(), http.MethodGet, "/v5/{project_id}/nothing", nil, nil, nil)
	var apiErr *hss.APIError
	require.ErrorAs(t, err, &apiErr)
	require.NotNil(t, resp, "an answer came")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Equal(t, apiErr.RequestID, resp.RequestID)
	assert.Equal(t, 1, resp.Attempts)

	srv.Close()
	resp, err = client.Do(context.Background(), http.MethodPost, doTasks, nil, nil, nil)
	require.Error(t, err)
	assert.Nil(t, resp, "no answer came")
}
