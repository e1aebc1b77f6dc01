package hss

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// bytesTransport answers every request with a fixed status and body.
type bytesTransport struct {
	status int
	header http.Header
	body   []byte
}

func (b bytesTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: b.status, Header: b.header, Request: r,
		Body: io.NopCloser(bytes.NewReader(b.body)), ContentLength: -1,
	}, nil
}

// FuzzResponse feeds arbitrary answers (status, Retry-After, body) to a
// real Client: it must return a response or a typed error, never panic
// or hang, and never let a secret into the error.
func FuzzResponse(f *testing.F) {
	f.Add(200, "", []byte(`{"total_num":1,"data_list":[{"registry_id":"a","registry_type":"Harbor"}]}`))
	f.Add(200, "", []byte(`{"total_num":1e2}`))
	f.Add(200, "", []byte(`null`))
	f.Add(400, "", []byte(`{"error_code":"HSS.0001","error_msg":"Invalid parameter."}`))
	f.Add(401, "", []byte(`{"code":"APIGW.0301","message":"x"}`))
	f.Add(403, "", []byte(`{"error":{"code":7,"message":"m"}}`))
	f.Add(429, "2", []byte(`{"error_code":"APIGW.0308"}`))
	f.Add(503, "Wed, 21 Oct 2015 07:28:00 GMT", []byte("<html><title>down</title></html>"))
	f.Add(302, "", []byte{})
	f.Add(999, "-1", []byte("\xff\xfe"))
	const token = "fuzz-secret-token"
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		if status < 100 || status > 999 {
			status = 200 + (status%800+800)%800
		}
		h := http.Header{"X-Request-Id": {"rid"}}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		c, err := NewClient("https://hss.example.com", "p", WithToken(token),
			WithHTTPClient(&http.Client{Transport: bytesTransport{status, h, body}}),
			WithClock(noWaitClock{}), WithRetryPolicy(RetryPolicy{MaxAttempts: 2}))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
		if err == nil {
			if status < 200 || status > 299 || resp == nil {
				t.Fatalf("status %d gave no error", status)
			}
			return
		}
		if strings.Contains(err.Error(), token) {
			t.Fatal("token in error")
		}
		var ae *APIError
		var de *DecodeError
		if !errors.As(err, &ae) && !errors.As(err, &de) {
			t.Fatalf("untyped error %T: %v", err, err)
		}
		if ae != nil && (ae.StatusCode != status || len(ae.Body) > MaxErrorBodyBytes || ae.RetryAfter < 0) {
			t.Fatalf("bad APIError %+v", ae)
		}
	})
}

type noWaitClock struct{}

func (noWaitClock) Now() time.Time                                   { return time.Time{} }
func (noWaitClock) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// FuzzErrorBody: the error-body parser never fails, never panics, and
// produces single-line, valid UTF-8 fields of bounded length.
func FuzzErrorBody(f *testing.F) {
	for _, s := range []string{
		`{"error_code":"HSS.0011","error_msg":"Requested resource not found.","request_id":"r"}`,
		`{"code":"APIGW.0308","message":"throttled"}`, `{"error":{"code":"E","message":"m"}}`,
		`{"code":12,"message":null}`, `{"error":null}`, `{"error":"str"}`,
		"<html><body><h1>502</h1></body></html>", "plain\r\nmore", "", "\x00\x01\xff", `{"error_msg":"a\u0000b\nc"}`,
	} {
		f.Add(400, []byte(s))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := parseErrorBody(status, body, []string{"fuzz-secret-token"})
		if e.StatusCode != status {
			t.Fatal("status lost")
		}
		for _, s := range []string{e.Code, e.Message, e.RequestID, e.Error()} {
			if strings.ContainsAny(s, "\r\n\x00") || !utf8.ValidString(s) {
				t.Fatalf("unsafe field %q", s)
			}
		}
		if strings.Contains(e.Error()+string(e.Body), "fuzz-secret-token") {
			t.Fatal("secret survived")
		}
		if len(e.Message) > 4*520 || len(e.Code) > 4*70 {
			t.Fatalf("field too long: %d %d", len(e.Message), len(e.Code))
		}
	})
}

// FuzzOptions: validation plus query encoding never panic; what passes
// validation encodes to a query the server can parse back to the same
// values, and a path that keeps the task id in one segment.
func FuzzOptions(f *testing.F) {
	f.Add("t", "eps", "name", "SwrPrivate,Harbor", "finished", 0, 10)
	f.Add("a b/c?d", "", "", "", "", 2000000, 200)
	f.Add("..", "all_granted_eps", "x", ",", "x", -1, 9)
	f.Add("任务", "e", "n\x00", "Jfrog", "running", 5, 201)
	c, err := NewClient("https://hss.example.com/pre", "p", WithToken("tok"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, task, eps, name, types, status string, offset, limit int) {
		var rt []RegistryType
		if types != "" {
			for _, s := range strings.Split(types, ",") {
				rt = append(rt, RegistryType(s))
			}
		}
		o := &ListSyncTaskRegistriesOptions{EnterpriseProjectID: eps, RegistryName: name, RegistryTypes: rt,
			SyncStatus: SyncStatus(status), Offset: offset, Limit: limit}
		u, err := c.registriesURL(task, o)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field == "" {
				t.Fatalf("untyped validation error %T %v", err, err)
			}
			return
		}
		parsed, err := url.Parse(u.String())
		if err != nil {
			t.Fatalf("unparsable URL %q: %v", u.String(), err)
		}
		segs := strings.Split(parsed.EscapedPath(), "/")
		if len(segs) != 9 || segs[1] != "pre" {
			t.Fatalf("path split wrong: %q", parsed.EscapedPath())
		}
		if got, _ := url.PathUnescape(segs[7]); got != task {
			t.Fatalf("task id %q came back as %q", task, got)
		}
		q := parsed.Query()
		check := func(key, want string) {
			if q.Get(key) != want {
				t.Fatalf("%s: sent %q, want %q", key, q.Get(key), want)
			}
		}
		check("enterprise_project_id", eps)
		check("registry_name", name)
		check("registry_type", types)
		check("sync_status", status)
		if offset != 0 {
			check("offset", strconv.Itoa(offset))
		}
		if limit != 0 {
			check("limit", strconv.Itoa(limit))
		}
	})
}
