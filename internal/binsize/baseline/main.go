// Command baseline is the reference program of the binary-size check: it
// already uses net/http and encoding/json, like any program that would
// adopt the SDK. See scripts/binsize.sh.
package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
)

type page struct {
	TotalNum int `json:"total_num"`
	DataList []struct {
		RegistryID string `json:"registry_id"`
	} `json:"data_list"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: baseline URL")
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
}
