package main

import (
	"time"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
)

// Tasks the --demo server holds.
const (
	demoTask      = "demo-task"  // a dozen hand-written registries
	demoLargeTask = "demo-large" // 1,000 generated ones, for listings across pages
)

// demoSettle is how long the demo's running registries take to settle
// (to finished, or to failed when they carry a reason), so that
// "hss wait --demo" ends within seconds.
const demoSettle = 3 * time.Second

// demoRegistries is sample data for --demo: every type and status, and a
// few failures with the reasons HSS gives.
var demoRegistries = []hsstest.Registry{
	{RegistryID: "6a1f0c2e-swr-private-01", RegistryName: "swr-prod-cn-north-4", RegistryType: hss.RegistryTypeSwrPrivate, SyncStatus: hss.SyncStatusFinished},
	{RegistryID: "6a1f0c2e-swr-private-02", RegistryName: "swr-staging", RegistryType: hss.RegistryTypeSwrPrivate, SyncStatus: hss.SyncStatusRunning},
	{RegistryID: "6a1f0c2e-swr-shared-01", RegistryName: "swr-shared-base-images", RegistryType: hss.RegistryTypeSwrShared, SyncStatus: hss.SyncStatusFinished},
	{RegistryID: "6a1f0c2e-swr-ent-01", RegistryName: "swr-ee-finance", RegistryType: hss.RegistryTypeSwrEnterprise, SyncStatus: hss.SyncStatusFinished},
	{RegistryID: "6a1f0c2e-swr-ent-02", RegistryName: "swr-ee-retail", RegistryType: hss.RegistryTypeSwrEnterprise, SyncStatus: hss.SyncStatusFailed, FailedReason: "insufficient permissions to read the repository"},
	{RegistryID: "6a1f0c2e-harbor-01", RegistryName: "harbor-dev", RegistryType: hss.RegistryTypeHarbor, SyncStatus: hss.SyncStatusFailed, FailedReason: "connection to registry timed out"},
	{RegistryID: "6a1f0c2e-harbor-02", RegistryName: "harbor-ci", RegistryType: hss.RegistryTypeHarbor, SyncStatus: hss.SyncStatusFinished},
	{RegistryID: "6a1f0c2e-harbor-03", RegistryName: "harbor-edge", RegistryType: hss.RegistryTypeHarbor, SyncStatus: hss.SyncStatusRunning},
	{RegistryID: "6a1f0c2e-jfrog-01", RegistryName: "jfrog-artifactory-eu", RegistryType: hss.RegistryTypeJfrog, SyncStatus: hss.SyncStatusFinished},
	{RegistryID: "6a1f0c2e-jfrog-02", RegistryName: "jfrog-legacy", RegistryType: hss.RegistryTypeJfrog, SyncStatus: hss.SyncStatusFailed, FailedReason: "authentication failed: invalid username or password"},
	{RegistryID: "6a1f0c2e-other-01", RegistryName: "quay-mirror", RegistryType: hss.RegistryTypeOther, SyncStatus: hss.SyncStatusFinished},
	{RegistryID: "6a1f0c2e-other-02", RegistryName: "gitlab-registry", RegistryType: hss.RegistryTypeOther, SyncStatus: hss.SyncStatusRunning},
}

// startDemo starts the embedded fake HSS, seeded with the demo tasks, and
// returns a client for it and the function that stops it. With a clock
// (tests), the server settles registries on that clock's time.
func startDemo(clock hss.Clock, opts ...hss.Option) (*hss.Client, func(), error) {
	serverOpts := []hsstest.Option{hsstest.WithSeed(demoLargeTask, 1000), hsstest.WithSettle(demoSettle)}
	if clock != nil {
		serverOpts = append(serverOpts, hsstest.WithNow(clock.Now))
	}
	srv, err := hsstest.Start(false, serverOpts...)
	if err != nil {
		return nil, nil, err
	}
	srv.AddRegistries(demoTask, demoRegistries...)
	client, err := srv.NewClient(opts...)
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return client, srv.Close, nil
}
