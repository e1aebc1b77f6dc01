package main

import (
	"errors"
	"slices"

	"github.com/hsskit/hss"
)

// checkRegion checks a region, from the flag or variable src: it must be
// one of hss.Regions. An unknown one is a usage error that names the
// closest known regions, and --endpoint for a region the list lacks.
func checkRegion(src, r string) error {
	if slices.Contains(hss.Regions(), r) {
		return nil
	}
	endpoint, err := hss.RegionEndpoint(r)
	var ve *hss.ValidationError
	if errors.As(err, &ve) {
		return usagef("invalid %s: %s", src, ve.Reason)
	}
	return usagef("invalid %s %q: not a region where HSS runs; did you mean %s? (to reach a region missing from hss's list, give --endpoint %s instead)",
		src, r, orList(closest(r, hss.Regions(), nil)), endpoint)
}
