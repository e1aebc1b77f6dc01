package hss_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/hsskit/hss"
)

// Access keys sign every request with SDK-HMAC-SHA256.
func ExampleWithAKSK() {
	endpoint, err := hss.RegionEndpoint("cn-north-4")
	if err != nil {
		log.Fatal(err)
	}
	client, err := hss.NewClient(endpoint, os.Getenv(hss.EnvProjectID),
		hss.WithAKSK(os.Getenv(hss.EnvAK), os.Getenv(hss.EnvSK)))
	if err != nil {
		log.Fatal(err)
	}
	_ = client
}

// NewClientFromEnv finds the endpoint, project and credentials the way
// the official Huawei Cloud SDKs do.
func ExampleNewClientFromEnv() {
	client, err := hss.NewClientFromEnv()
	if errors.Is(err, hss.ErrNoCredentials) {
		log.Fatal(err) // the message lists every variable, file and URL it looked at
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client) // never prints credentials
}

// A TokenSource logs in with a password and keeps a fresh IAM token.
func ExampleNewPasswordTokenSource() {
	const region = "cn-north-4"
	projectID := os.Getenv(hss.EnvProjectID)
	ts, err := hss.NewPasswordTokenSource(hss.PasswordTokenConfig{
		DomainName: "my-account",
		UserName:   "hss-reader",
		Password:   os.Getenv("HSS_PASSWORD"),
		ProjectID:  projectID,
		Region:     region,
	})
	if err != nil {
		log.Fatal(err)
	}
	endpoint, err := hss.RegionEndpoint(region)
	if err != nil {
		log.Fatal(err)
	}
	client, err := hss.NewClient(endpoint, projectID, hss.WithCredentials(ts))
	if err != nil {
		log.Fatal(err)
	}
	resp, err := client.ListSyncTaskRegistries(context.Background(), "task-id", nil)
	var ce *hss.CredentialsError
	if errors.As(err, &ce) {
		log.Fatalf("IAM refused: %d %s", ce.StatusCode, ce.Code)
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.TotalNum)
}

// A credentials file read directly, with the region chosen in code.
func ExampleLoadProfile() {
	path, err := hss.DefaultProfilePath()
	if err != nil {
		log.Fatal(err)
	}
	profile, err := hss.LoadProfile(path)
	if err != nil {
		log.Fatal(err)
	}
	creds, err := profile.Credentials()
	if err != nil {
		log.Fatal(err)
	}
	client, err := hss.NewClient("https://hss.ap-southeast-1.myhuaweicloud.com", profile.ProjectID, hss.WithCredentials(creds))
	if err != nil {
		log.Fatal(err)
	}
	_ = client
}

// On an ECS with an agency, the instance's temporary keys renew themselves.
func ExampleNewMetadataCredentials() {
	client, err := hss.NewClient("https://hss.cn-north-4.myhuaweicloud.com", os.Getenv(hss.EnvProjectID),
		hss.WithCredentials(hss.NewMetadataCredentials(nil)))
	if err != nil {
		log.Fatal(err)
	}
	_ = client
}
