package hss_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/hsskit/hss"

	"github.com/hsskit/hss/hsstest"
)

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
