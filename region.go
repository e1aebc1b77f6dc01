package hss

import (
	"fmt"
	"slices"
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
func RegionEndpoint(region string) (string, error) {
	if !wellFormedRegion(region) {
		return "", &ValidationError{Field: "region", Reason: fmt.Sprintf("must look like cn-north-4 (lower-case letters and digits in 2-8 dash-separated parts, at most 64 characters), got %q", region)}
	}
	if region == "eu-west-101" {
		return "https://hss.eu-west-101.myhuaweicloud.eu", nil
	}
	return "https://hss." + region + ".myhuaweicloud.com", nil
}

func wellFormedRegion(r string) bool {
	if len(r) == 0 || len(r) > 64 {
		return false
	}
	parts, partLen := 1, 0
	for i := 0; i < len(r); i++ {
		switch ch := r[i]; {
		case ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9':
			partLen++
		case ch == '-':
			if partLen == 0 {
				return false
			}
			parts++
			partLen = 0
		default:
			return false
		}
	}
	return partLen > 0 && parts >= 2 && parts <= 8
}
