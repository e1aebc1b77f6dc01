package hss

import (
	"fmt"
	"slices"

	"github.com/hsskit/hss/internal/region"
)

// hssRegions are the regions where HSS is documented to run.
var hssRegions = []string{
	"af-south-1", "ae-ad-1", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
	"cn-east-2", "cn-east-3", "cn-east-4", "cn-east-5", "cn-north-1", "cn-north-2", "cn-north-4",
	"cn-north-9", "cn-north-11", "cn-north-12", "cn-south-1", "cn-south-2", "cn-south-4",
	"cn-southwest-2", "cn-southwest-3", "eu-west-101", "la-north-2", "la-south-2", "me-east-1",
	"my-kualalumpur-1", "na-mexico-1", "ru-moscow-1", "sa-brazil-1", "tr-west-1",
}

// Regions returns the regions where HSS is documented to run. The slice is
// new on every call.
func Regions() []string { return slices.Clone(hssRegions) }

// RegionEndpoint returns the HSS endpoint of a region:
// "cn-north-4" gives "https://hss.cn-north-4.myhuaweicloud.com", and
// "eu-west-101" gives "https://hss.eu-west-101.myhuaweicloud.eu".
// A region not in Regions is accepted when it is well formed (lower-case
// letters and digits in dash-separated parts), since new regions open.
func RegionEndpoint(r string) (string, error) {
	if !region.Valid(r) {
		return "", &ValidationError{Field: "region", Reason: fmt.Sprintf("must look like cn-north-4 (lower-case letters and digits in 2-8 dash-separated parts, at most 64 characters), got %q", r)}
	}
	return region.Endpoint("hss", r), nil
}
