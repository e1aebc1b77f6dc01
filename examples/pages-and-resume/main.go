// Command pages-and-resume walks a listing page by page, showing total_num
// and request ids as they arrive, and resumes at the right offset after a
// page fails for good (here: the fake server answers 400 once, which the
// SDK does not retry).
//
//	go run ./examples/pages-and-resume
package main

import (
	"context"
	"fmt"
	"log"
	"net/http"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

func main() {
	srv := hsstest.NewServer(hsstest.WithSeed("task-1", 450))
	defer srv.Close()
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// The second page will fail once.
	srv.Handle(failSecondPageOnce())

	opts := &hss.ListSyncTaskRegistriesOptions{Limit: 200}
	seen := 0
	for seen < 450 {
		opts.Offset = seen
		for page, err := range client.ListSyncTaskRegistriesPages(ctx, "task-1", opts) {
			if err != nil {
				fmt.Printf("page at offset %d failed (%v); resuming there\n", seen, err)
				break
			}
			seen += len(page.DataList)
			fmt.Printf("request %s: %d registries, %d of %d\n", page.RequestID, len(page.DataList), seen, page.TotalNum)
		}
	}
}

// failSecondPageOnce answers the first request for offset 200 with
// 400 HSS.0001.
func failSecondPageOnce() func(http.ResponseWriter, *http.Request) bool {
	failed := false
	return func(w http.ResponseWriter, r *http.Request) bool {
		if failed || r.URL.Query().Get("offset") != "200" {
			return false
		}
		failed = true
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error_code":"HSS.0001","error_msg":"Invalid parameter."}`))
		return true
	}
}
