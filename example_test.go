package hss_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/hsskit/hss"
)

// exampleServer stands in for HSS: three registries, served two per page.
func exampleServer() *httptest.Server {
	pages := map[string]string{
		"0": `{"total_num":3,"data_list":[` +
			`{"registry_id":"r1","registry_name":"swr-prod","registry_type":"SwrPrivate","sync_status":"finished"},` +
			`{"registry_id":"r2","registry_name":"harbor-dev","registry_type":"Harbor","sync_status":"failed","failed_reason":"connection refused"}]}`,
		"2": `{"total_num":3,"data_list":[` +
			`{"registry_id":"r3","registry_name":"jfrog-eu","registry_type":"Jfrog","sync_status":"running"}]}`,
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v5/my-project/image/image-sync/tasks/no-such-task/registries" {
			w.Header().Set("X-Request-Id", "4f1c")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error_code":"HSS.0011","error_msg":"Requested resource not found."}`)
			return
		}
		offset := r.URL.Query().Get("offset")
		if offset == "" {
			offset = "0"
		}
		w.Header().Set("X-Request-Id", "req-"+offset)
		_, _ = io.WriteString(w, pages[offset])
	}))
}

func ExampleClient_ListSyncTaskRegistries() {
	srv := exampleServer() // in real code: endpoint, _ := hss.RegionEndpoint("cn-north-4")
	defer srv.Close()

	client, err := hss.NewClient(srv.URL, "my-project", hss.WithToken("my-iam-token"))
	if err != nil {
		log.Fatal(err)
	}
	page, err := client.ListSyncTaskRegistries(context.Background(), "sync-task-1", &hss.ListSyncTaskRegistriesOptions{
		RegistryTypes: []hss.RegistryType{hss.RegistryTypeSwrPrivate, hss.RegistryTypeHarbor},
		Limit:         10,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("total:", page.TotalNum, "request id:", page.RequestID)
	for _, reg := range page.DataList {
		if reg.SyncStatus == hss.SyncStatusFailed {
			fmt.Println(reg.RegistryName, reg.RegistryType, reg.SyncStatus, "-", reg.FailedReason)
			continue
		}
		fmt.Println(reg.RegistryName, reg.RegistryType, reg.SyncStatus)
	}
	// Output:
	// total: 3 request id: req-0
	// swr-prod SwrPrivate finished
	// harbor-dev Harbor failed - connection refused
}

func ExampleClient_ListSyncTaskRegistriesIter() {
	srv := exampleServer()
	defer srv.Close()
	client, err := hss.NewClient(srv.URL, "my-project", hss.WithToken("my-iam-token"))
	if err != nil {
		log.Fatal(err)
	}

	// Pages are fetched as the loop needs them.
	for reg, err := range client.ListSyncTaskRegistriesIter(context.Background(), "sync-task-1", nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(reg.RegistryID, reg.RegistryName, reg.SyncStatus)
	}
	// Output:
	// r1 swr-prod finished
	// r2 harbor-dev failed
	// r3 jfrog-eu running
}

func ExampleClient_ListSyncTaskRegistriesPages() {
	srv := exampleServer()
	defer srv.Close()
	client, err := hss.NewClient(srv.URL, "my-project", hss.WithToken("my-iam-token"))
	if err != nil {
		log.Fatal(err)
	}
	for page, err := range client.ListSyncTaskRegistriesPages(context.Background(), "sync-task-1", nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d of %d\n", page.RequestID, len(page.DataList), page.TotalNum)
	}
	// Output:
	// req-0: 2 of 3
	// req-2: 1 of 3
}

func ExampleAPIError() {
	srv := exampleServer()
	defer srv.Close()
	client, err := hss.NewClient(srv.URL, "my-project", hss.WithToken("my-iam-token"))
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.ListSyncTaskRegistries(context.Background(), "no-such-task", nil)
	var apiErr *hss.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.RequestID)
	}
	fmt.Println("not found:", hss.IsNotFound(err))
	fmt.Println(err)
	// Output:
	// 400 HSS.0011 4f1c
	// not found: true
	// hss: GET /v5/my-project/image/image-sync/tasks/no-such-task/registries: 400 HSS.0011: Requested resource not found. (request id 4f1c)
}

func ExampleValidationError() {
	client, err := hss.NewClient("https://hss.cn-north-4.myhuaweicloud.com", "my-project", hss.WithToken("my-iam-token"))
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.ListSyncTaskRegistries(context.Background(), "sync-task-1", &hss.ListSyncTaskRegistriesOptions{Limit: 500})
	var ve *hss.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Field)
	}
	fmt.Println(err)
	// Output:
	// limit
	// hss: invalid limit: must be 0 (server default, 10) or 10-200, got 500
}

func ExampleRegionEndpoint() {
	for _, region := range []string{"cn-north-4", "eu-west-101"} {
		endpoint, err := hss.RegionEndpoint(region)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(endpoint)
	}
	// Output:
	// https://hss.cn-north-4.myhuaweicloud.com
	// https://hss.eu-west-101.myhuaweicloud.eu
}
