package hss

import (
	"strings"
	"testing"

	"github.com/google/go-querystring/query"
)

// goQuerystring is the encoder of record: what the SDK sent before
// encodeQuery replaced it on the hot path.
func goQuerystring(t *testing.T, o *ListSyncTaskRegistriesOptions) string {
	t.Helper()
	v, err := query.Values(o)
	if err != nil {
		t.Fatal(err)
	}
	return v.Encode()
}

func checkQuery(t *testing.T, o *ListSyncTaskRegistriesOptions) {
	t.Helper()
	if got, want := o.encodeQuery(), goQuerystring(t, o); got != want {
		t.Fatalf("encodeQuery(%#v) = %q, go-querystring gives %q", o, got, want)
	}
}

func TestEncodeQueryMatchesGoQuerystring(t *testing.T) {
	for _, o := range []ListSyncTaskRegistriesOptions{
		{},
		{Limit: 200},
		{Limit: 10, Offset: 190},
		{Offset: MaxOffset},
		{Offset: -1, Limit: -7},
		{EnterpriseProjectID: AllEnterpriseProjects},
		{EnterpriseProjectID: "0", RegistryName: "my registry/ä?&=#+%", SyncStatus: SyncStatusFailed},
		{RegistryTypes: []RegistryType{RegistryTypeHarbor}},
		{RegistryTypes: []RegistryType{RegistryTypeSwrPrivate, RegistryTypeJfrog, "x y"}},
		{RegistryTypes: []RegistryType{""}},
		{RegistryTypes: []RegistryType{"", ""}},
		{RegistryTypes: []RegistryType{}},
		{RegistryTypes: []RegistryType{"a,b"}},
		{RegistryName: "\xff\x00\n", SyncStatus: "ü"},
		{EnterpriseProjectID: "e", RegistryName: "n", RegistryTypes: []RegistryType{"Other"}, SyncStatus: "running", Offset: 3, Limit: 30},
	} {
		checkQuery(t, &o)
	}
}

func FuzzEncodeQuery(f *testing.F) {
	f.Add("", "", "", "", 0, 0)
	f.Add("all_granted_eps", "reg 1", "SwrPrivate,Harbor", "failed", 200, 10)
	f.Add("ä&=", "%2C", ",", "+", -1, 1<<40)
	f.Fuzz(func(t *testing.T, epid, name, types, status string, offset, limit int) {
		o := ListSyncTaskRegistriesOptions{
			EnterpriseProjectID: epid,
			RegistryName:        name,
			SyncStatus:          SyncStatus(status),
			Offset:              offset,
			Limit:               limit,
		}
		if types != "" {
			// "|" separates elements, so commas and empty elements reach
			// the encoders too.
			for _, s := range strings.Split(types, "|") {
				o.RegistryTypes = append(o.RegistryTypes, RegistryType(s))
			}
		}
		checkQuery(t, &o)
	})
}
