package hss_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsskit/hss"
)

func errClient(t *testing.T, status int, body string, header http.Header) *hss.Client {
	t.Helper()
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		for k, v := range header {
			resp.Header[k] = v
		}
		return resp, nil
	})
	return newTestClient(t, "https://hss.example.com", hss.WithHTTPClient(&http.Client{Transport: mt}), hss.WithRetryPolicy(hss.NoRetries()))
}

func TestAPIErrorShapes(t *testing.T) {
	rid := http.Header{"X-Request-Id": {"abc"}}
	cases := []struct {
		name                     string
		status                   int
		body                     string
		header                   http.Header
		code, msg, reqID, errStr string
	}{
		{"hss shape", 400, `{"error_code":"HSS.0001","error_msg":"Invalid parameter."}`, rid,
			"HSS.0001", "Invalid parameter.", "abc",
			"hss: GET /v5/" + testProject + "/image/image-sync/tasks/t/registries: 400 HSS.0001: Invalid parameter. (request id abc)"},
		{"code/message shape", 401, `{"code":"APIGW.0301","message":"Incorrect IAM authentication information: x-auth-token not found"}`, rid,
			"APIGW.0301", "Incorrect IAM authentication information: x-auth-token not found", "abc", "401 APIGW.0301: Incorrect IAM"},
		{"nested error shape", 403, `{"error":{"code":"APIGW.0302","message":"The IAM user is not authorized."}}`, nil,
			"APIGW.0302", "The IAM user is not authorized.", "", "403 APIGW.0302: The IAM user is not authorized."},
		{"numeric code", 500, `{"code":500,"message":"boom"}`, nil, "500", "boom", "", "500 500: boom"},
		{"request id in body", 400, `{"error_code":"HSS.0011","error_msg":"Requested resource not found.","request_id":"body-rid"}`, nil,
			"HSS.0011", "Requested resource not found.", "body-rid", "(request id body-rid)"},
		{"header request id wins", 400, `{"error_code":"HSS.0011","error_msg":"x","request_id":"body-rid"}`, rid,
			"HSS.0011", "x", "abc", "(request id abc)"},
		{"html gateway page", 502, "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", rid,
			"", "502 Bad Gateway", "abc", "502: 502 Bad Gateway (request id abc)"},
		{"plain text", 503, "service unavailable\nmore lines", nil, "", "service unavailable", "", "503: service unavailable"},
		{"empty body", 404, "", nil, "", "", "", "404 Not Found"},
		{"json array", 400, `[1,2]`, nil, "", "[1,2]", "", "400: [1,2]"},
		{"broken json", 400, `{"error_code":`, nil, "", `{"error_code":`, "", `400: {"error_code":`},
		{"odd field types", 400, `{"error_code":"HSS.0011","error_msg":"Requested resource not found.","error":"bad","request_id":123}`, nil,
			"HSS.0011", "Requested resource not found.", "123", "400 HSS.0011"},
		{"numeric error_code", 400, `{"error_code":1234,"error_msg":"m"}`, nil, "1234", "m", "", "400 1234: m"},
		{"control chars", 400, "{\"error_code\":\"HSS.0001\",\"error_msg\":\"bad\\r\\ninjected\"}", nil, "HSS.0001", "bad  injected", "", "bad  injected"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := errClient(t, tc.status, tc.body, tc.header)
			_, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
			var ae *hss.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.status, ae.StatusCode)
			assert.Equal(t, tc.code, ae.Code)
			assert.Equal(t, tc.msg, ae.Message)
			assert.Equal(t, tc.reqID, ae.RequestID)
			assert.Equal(t, tc.body, string(ae.Body))
			assert.Contains(t, err.Error(), tc.errStr)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

func TestAPIErrorBodyCapped(t *testing.T) {
	big := `{"error_code":"HSS.0001","error_msg":"` + strings.Repeat("x", 2<<20) + `"}`
	c := errClient(t, 400, big, nil)
	_, err := c.ListSyncTaskRegistries(context.Background(), "t", nil)
	var ae *hss.APIError
	require.ErrorAs(t, err, &ae)
	assert.Len(t, ae.Body, hss.MaxErrorBodyBytes)
	assert.Empty(t, ae.Code, "a cut body is not parsed as JSON")
	assert.Less(t, len(err.Error()), 1024, "the message stays short")
}

func TestErrorHelpers(t *testing.T) {
	cases := []struct {
		status                  int
		code                    string
		notFound, thrott, authz bool
	}{
		{400, "HSS.0011", true, false, false},
		{404, "APIGW.0101", false, false, false}, // wrong endpoint, not a missing task
		{429, "APIGW.0308", false, true, false},
		{429, "", false, true, false},
		{401, "APIGW.0301", false, false, true},
		{401, "APIGW.0307", false, false, true},
		{403, "APIGW.0302", false, false, true},
		{400, "HSS.0010", false, false, true},
		{400, "HSS.0013", false, false, true},
		{400, "HSS.0001", false, false, false},
		{500, "APIGW.0601", false, false, false},
	}
	for _, tc := range cases {
		err := error(&hss.APIError{StatusCode: tc.status, Code: tc.code})
		wrapped := &hss.AttemptsError{Attempts: 2, Err: err}
		for _, e := range []error{err, wrapped} {
			assert.Equal(t, tc.notFound, hss.IsNotFound(e), "%d %s", tc.status, tc.code)
			assert.Equal(t, tc.thrott, hss.IsThrottled(e), "%d %s", tc.status, tc.code)
			assert.Equal(t, tc.authz, hss.IsAuthError(e), "%d %s", tc.status, tc.code)
		}
	}
	for _, e := range []error{nil, errors.New("x"), &hss.ValidationError{Field: "limit"}} {
		assert.False(t, hss.IsNotFound(e) || hss.IsThrottled(e) || hss.IsAuthError(e))
	}
	// A credential source refusing is an auth error; one that is down is not.
	assert.True(t, hss.IsAuthError(fmt.Errorf("hss: credentials: %w", &hss.CredentialsError{Source: "IAM", StatusCode: 401})))
	assert.False(t, hss.IsAuthError(&hss.CredentialsError{Source: "IAM", StatusCode: 503}))
}

func TestEchoedLongTokenIsScrubbed(t *testing.T) {
	token := "MIIZ" + strings.Repeat("abcdefgh", 600) // a real IAM token is several KiB
	for _, body := range []string{
		`{"error_code":"APIGW.0301","error_msg":"bad token ` + token + `"}`,
		`{"code":"APIGW.0301","message":"` + token + `","request_id":"` + token + `"}`,
		"<html><head><title>401 " + token + "</title></head></html>",
	} {
		mt := httpmock.NewMockTransport()
		mt.RegisterNoResponder(func(*http.Request) (*http.Response, error) {
			resp := httpmock.NewStringResponse(401, body)
			resp.Header.Set("X-Request-Id", "rid-1")
			return resp, nil
		})
		c, err := hss.NewClient("https://hss.example.com", testProject, hss.WithToken(token),
			hss.WithHTTPClient(&http.Client{Transport: mt}))
		require.NoError(t, err)
		_, err = c.ListSyncTaskRegistries(context.Background(), "t", nil)
		var ae *hss.APIError
		require.ErrorAs(t, err, &ae)
		for _, out := range []string{err.Error(), string(ae.Body), ae.Message, ae.RequestID} {
			assert.NotContains(t, out, "abcdefghabcdefgh", "no part of the token survives")
		}
		assert.Contains(t, string(ae.Body), "REDACTED")
	}
}
