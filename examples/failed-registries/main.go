// Command failed-registries prints the registries of an image
// synchronisation task whose synchronisation failed, with the reason,
// using the SDK's item iterator.
//
//	go run ./examples/failed-registries -demo                  # against an in-process fake HSS
//	HSS_REGION=cn-north-4 HUAWEICLOUD_SDK_PROJECT_ID=... HUAWEICLOUD_SDK_AK=... HUAWEICLOUD_SDK_SK=... \
//	  go run ./examples/failed-registries -task-id TASK
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

func main() {
	taskID := flag.String("task-id", "demo-task", "image synchronisation task id")
	demo := flag.Bool("demo", false, "use an in-process fake HSS with generated data")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var client *hss.Client
	var err error
	if *demo {
		srv := hsstest.NewServer(hsstest.WithSeed(*taskID, 500))
		defer srv.Close()
		client, err = srv.NewClient()
	} else {
		client, err = hss.NewClientFromEnv(ctx) // env, ~/.huaweicloud/credentials, ECS metadata
	}
	if err != nil {
		log.Fatal(err)
	}

	opts := &hss.ListSyncTaskRegistriesOptions{SyncStatus: hss.SyncStatusFailed}
	n := 0
	for reg, err := range client.ListSyncTaskRegistriesIter(ctx, *taskID, opts) {
		if err != nil {
			var apiErr *hss.APIError
			if errors.As(err, &apiErr) {
				log.Fatalf("HSS refused (%s, request id %s): %v", apiErr.Code, apiErr.RequestID, err)
			}
			log.Fatal(err)
		}
		n++
		fmt.Printf("%-14s %-28s %s\n", reg.RegistryType, reg.RegistryName, reg.FailedReason)
	}
	fmt.Printf("%d registries failed to synchronise\n", n)
}
