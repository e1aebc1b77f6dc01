// Examples: listing, paging, Client.Do, waiting for a task, the errors and region endpoints, against hsstest.
package hss_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// exampleServer stands in for HSS: task sync-task-1 of project my-project
// with three registries.
func exampleServer() *hsstest.Server {
	srv := hsstest.NewServer(hsstest.WithProjectID("my-project"))
	srv.AddRegistries("sync-task-1",
		hsstest.Registry{RegistryID: "r1", RegistryName: "swr-prod", RegistryType: hss.RegistryTypeSwrPrivate, SyncStatus: hss.SyncStatusFinished},
		hsstest.Registry{RegistryID: "r2", RegistryName: "harbor-dev", RegistryType: hss.RegistryTypeHarbor, SyncStatus: hss.SyncStatusFailed, FailedReason: "connection refused"},
		hsstest.Registry{RegistryID: "r3", RegistryName: "jfrog-eu", RegistryType: hss.RegistryTypeJfrog, SyncStatus: hss.SyncStatusRunning},
	)
	return srv
}

func ExampleClient_ListSyncTaskRegistries() {
	srv := exampleServer() // in real code: endpoint, _ := hss.RegionEndpoint("cn-north-4")
	defer srv.Close()

	client, err := hss.NewClient(srv.URL(), "my-project", hss.WithToken(srv.Token()))
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
	fmt.Println("total:", page.TotalNum)
	for _, reg := range page.DataList {
		if reg.SyncStatus == hss.SyncStatusFailed {
			fmt.Println(reg.RegistryName, reg.RegistryType, reg.SyncStatus, "-", reg.FailedReason)
			continue
		}
		fmt.Println(reg.RegistryName, reg.RegistryType, reg.SyncStatus)
	}
	// Output:
	// total: 2
	// swr-prod SwrPrivate finished
	// harbor-dev Harbor failed - connection refused
}

func ExampleClient_ListSyncTaskRegistriesIter() {
	srv := exampleServer()
	defer srv.Close()
	client, err := srv.NewClient()
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
	srv := hsstest.NewServer(hsstest.WithSeed("sync-task-1", 25))
	defer srv.Close()
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	opts := &hss.ListSyncTaskRegistriesOptions{Limit: 10}
	for page, err := range client.ListSyncTaskRegistriesPages(context.Background(), "sync-task-1", opts) {
		if err != nil {
			// An error wrapping hss.ErrIncompletePage says at which
			// Offset to resume.
			log.Fatal(err)
		}
		fmt.Printf("%d of %d registries, first %s\n", len(page.DataList), page.TotalNum, page.DataList[0].RegistryName)
	}
	// Output:
	// 10 of 25 registries, first swr-private-001
	// 10 of 25 registries, first jfrog-011
	// 5 of 25 registries, first swr-enterprise-021
}

// Create an image synchronisation task through Client.Do: a call the SDK
// has no typed method for, with the Client's credentials, retries, quota
// handling and errors. hsstest fakes the route for the example.
func ExampleClient_Do() {
	srv := hsstest.NewServer()
	defer srv.Close()
	srv.HandleFunc(http.MethodPost, "/v5/{project_id}/image/image-sync/tasks", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			RegistryIDs []string `json:"registry_ids"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"task_id":"sync-%d"}`, len(req.RegistryIDs))
	})
	client, err := srv.NewClient()
	if err != nil {
		fmt.Println(err)
		return
	}

	body := map[string]any{"registry_ids": []string{"reg-1", "reg-2"}}
	var created struct {
		TaskID string `json:"task_id"`
	}
	resp, err := client.Do(context.Background(), http.MethodPost, "/v5/{project_id}/image/image-sync/tasks", nil, body, &created)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(created.TaskID, resp.StatusCode, resp.RequestID != "", resp.Attempts)
	// Output: sync-2 200 true 1
}

// Wait for an image synchronisation task to finish. The fake's registries
// settle a moment after they are added; a real task takes minutes.
func ExampleClient_WaitSyncTask() {
	clk := hsstest.NewClock(exampleStart)
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSettle(exampleSettle))
	defer srv.Close()
	srv.AddRegistries("task-1", exampleRunning...)
	client, err := srv.NewClient()
	if err != nil {
		fmt.Println(err)
		return
	}

	res, err := client.WaitSyncTask(context.Background(), "task-1", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d finished, %d failed after %d polls\n", len(res.Finished), len(res.Failed), res.Polls)
	for _, reg := range res.Failed {
		fmt.Println(reg.RegistryName+":", reg.FailedReason)
	}
	// Output:
	// 1 finished, 1 failed after 3 polls
	// harbor-dev: connection to the registry timed out
}

var (
	exampleStart   = time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	exampleSettle  = 30 * time.Second
	exampleRunning = []hsstest.Registry{
		{RegistryName: "swr-prod", RegistryType: hss.RegistryTypeSwrPrivate, SyncStatus: hss.SyncStatusRunning},
		{RegistryName: "harbor-dev", RegistryType: hss.RegistryTypeHarbor, SyncStatus: hss.SyncStatusRunning, FailedReason: "connection to the registry timed out"},
	}
)

func ExampleAPIError() {
	srv := exampleServer()
	defer srv.Close()
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.ListSyncTaskRegistries(context.Background(), "no-such-task", nil)
	var apiErr *hss.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.Message)
		fmt.Println(apiErr.Method, apiErr.Path)
		fmt.Println("request id for a support ticket:", apiErr.RequestID != "")
	}
	// Output:
	// 400 HSS.0011 Requested resource not found.
	// GET /v5/my-project/image/image-sync/tasks/no-such-task/registries
	// request id for a support ticket: true
}

func ExampleValidationError() {
	srv := exampleServer()
	defer srv.Close()
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.ListSyncTaskRegistries(context.Background(), "sync-task-1", &hss.ListSyncTaskRegistriesOptions{Limit: 500})
	var ve *hss.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Field)
	}
	fmt.Println(err)
	fmt.Println("requests sent:", len(srv.Requests()))
	// Output:
	// limit
	// hss: invalid limit: must be 0 (server default, 10) or 10-200, got 500
	// requests sent: 0
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

func ExampleIsNotFound() {
	srv := exampleServer()
	defer srv.Close()
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	for _, task := range []string{"sync-task-1", "no-such-task"} {
		page, err := client.ListSyncTaskRegistries(context.Background(), task, nil)
		switch {
		case hss.IsNotFound(err):
			fmt.Println(task, "does not exist")
		case err != nil:
			log.Fatal(err)
		default:
			fmt.Println(task, "has", page.TotalNum, "registries")
		}
	}
	// Output:
	// sync-task-1 has 3 registries
	// no-such-task does not exist
}

func ExampleIsThrottled() {
	// One call a minute, on a fake clock shared by server and client.
	clk := hsstest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := hsstest.NewServer(hsstest.WithClock(clk), hsstest.WithSeed("sync-task-1", 3), hsstest.WithThrottle(1, time.Minute))
	defer srv.Close()

	// NoRetries reports throttling at once; by default the client waits
	// for the gateway's quota (up to RetryPolicy.MaxThrottleWait).
	client, err := srv.NewClient(hss.WithRetryPolicy(hss.NoRetries()))
	if err != nil {
		log.Fatal(err)
	}
	for call := 1; call <= 2; call++ {
		_, err := client.ListSyncTaskRegistries(context.Background(), "sync-task-1", nil)
		var apiErr *hss.APIError
		switch {
		case hss.IsThrottled(err) && errors.As(err, &apiErr):
			fmt.Printf("call %d throttled (%s); retry after %s\n", call, apiErr.Code, apiErr.RetryAfter)
		case err != nil:
			log.Fatal(err)
		default:
			fmt.Printf("call %d ok\n", call)
		}
	}
	// Output:
	// call 1 ok
	// call 2 throttled (APIGW.0308); retry after 1m0s
}

func ExampleIsAuthError() {
	srv := exampleServer()
	defer srv.Close()

	// A token the gateway refuses, and a project the token is not for.
	wrongToken, err := hss.NewClient(srv.URL(), "my-project", hss.WithToken("MIIexpired-or-wrong"))
	if err != nil {
		log.Fatal(err)
	}
	wrongProject, err := hss.NewClient(srv.URL(), "other-project", hss.WithToken(srv.Token()))
	if err != nil {
		log.Fatal(err)
	}
	for _, client := range []*hss.Client{wrongToken, wrongProject} {
		_, err := client.ListSyncTaskRegistries(context.Background(), "sync-task-1", nil)
		var apiErr *hss.APIError
		if hss.IsAuthError(err) && errors.As(err, &apiErr) {
			fmt.Println("check credentials and project:", apiErr.StatusCode, apiErr.Code)
		}
	}
	// Output:
	// check credentials and project: 401 APIGW.0301
	// check credentials and project: 403 APIGW.0302
}
