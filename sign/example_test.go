// Examples: Request, Transport and Skew.
package sign_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/hsskit/hss/hsstest"
	"github.com/hsskit/hss/sign"
)

// Sign one request in place. The date is fixed here so that the output
// is too; pass time.Now() in real code.
func ExampleRequest() {
	req, err := http.NewRequest("GET", "https://hss.cn-north-4.myhuaweicloud.com/v5/0123456789abcdef0123456789abcdef/image/image-sync/tasks/task-1/registries?limit=20", nil)
	if err != nil {
		panic(err)
	}
	req.Header.Set("X-Project-Id", "0123456789abcdef0123456789abcdef")
	key := sign.Key{AccessKey: "QTWAOYTTINDUT2QVKYUC", SecretKey: "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"}
	if err := sign.Request(req, key, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		panic(err)
	}
	fmt.Println(req.Header.Get("X-Sdk-Date"))
	fmt.Println(req.Header.Get("Authorization"))
	fmt.Println(key)
	// Output:
	// 20250101T000000Z
	// SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=host;x-project-id;x-sdk-date, Signature=9a611651668e6e029145e0a376fdf03e0bf0ecbee8d145dc469f420faa0d46bf
	// sign.Key{AccessKey: QTWAOYTTINDUT2QVKYUC, SecretKey: REDACTED, SecurityToken: none}
}

// Sign every request of an http.Client, here one that creates an
// image-sync task on the fake gateway of package hsstest, which verifies
// signatures as API Gateway does.
func ExampleTransport() {
	clk := hsstest.NewClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := hsstest.NewServer(hsstest.WithAKSK("QTWAOYTTINDUT2QVKYUC", "my-secret-key"), hsstest.WithoutTokenAuth(), hsstest.WithClock(clk))
	defer srv.Close()
	srv.HandleFunc("POST", "/v5/{project_id}/image/image-sync/tasks", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"task_id":"task-1"}`)
	})

	hc := &http.Client{Transport: &sign.Transport{
		Base: srv.HTTPClient().Transport,
		Key:  sign.Key{AccessKey: "QTWAOYTTINDUT2QVKYUC", SecretKey: "my-secret-key"},
		Now:  clk.Now, // nil in real code: the wall clock
	}}
	resp, err := hc.Post(srv.URL()+"/v5/"+srv.ProjectID()+"/image/image-sync/tasks", "application/json",
		strings.NewReader(`{"name":"nightly"}`))
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status, string(body))
	// Output:
	// 200 OK {"task_id":"task-1"}
}

// Date each signature by the gateway's clock, learned from its answers, as
// Transport does for every request. Here the fake gateway's clock is an
// hour ahead of the client's: the first request is refused as "signature
// expired", and the refusal says the gateway's time.
func ExampleSkew() {
	clk := hsstest.NewClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := hsstest.NewServer(hsstest.WithAKSK("QTWAOYTTINDUT2QVKYUC", "my-secret-key"), hsstest.WithClock(clk),
		hsstest.WithClockOffset(time.Hour), hsstest.WithSeed("task-1", 2))
	defer srv.Close()
	key := sign.Key{AccessKey: "QTWAOYTTINDUT2QVKYUC", SecretKey: "my-secret-key"}

	var skew sign.Skew // one for all requests dated by this clock
	for range 2 {
		req, err := http.NewRequest("GET", srv.URL()+"/v5/"+srv.ProjectID()+"/image/image-sync/tasks/task-1/registries", nil)
		if err != nil {
			panic(err)
		}
		if err := sign.Request(req, key, skew.Now(clk.Now())); err != nil { // time.Now() in real code
			panic(err)
		}
		resp, err := srv.HTTPClient().Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.Status)
		if skew.Learn(clk.Now(), resp, body) {
			fmt.Println("the gateway's clock is", skew.Offset(), "ahead of ours")
		}
	}
	// Output:
	// 401 Unauthorized
	// the gateway's clock is 1h0m0s ahead of ours
	// 200 OK
}
