// Command withsdk is the baseline program plus one SDK call; the size
// difference between the two is what the SDK adds. See scripts/binsize.sh.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"

	"github.com/hsskit/hss"
)

type page struct {
	TotalNum int `json:"total_num"`
	DataList []struct {
		RegistryID string `json:"registry_id"`
	} `json:"data_list"`
}

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: withsdk URL ENDPOINT PROJECT_ID (token in HSS_TOKEN)")
		os.Exit(2)
	}
	req, err := http.NewRequest(http.MethodGet, os.Args[1], nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	var p page
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(p.TotalNum, len(p.DataList))

	c, err := hss.NewClient(os.Args[2], os.Args[3], hss.WithToken(os.Getenv("HSS_TOKEN")))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	regs, err := c.ListSyncTaskRegistries(context.Background(), "task", nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(regs.TotalNum, len(regs.DataList))
}
