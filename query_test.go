package hss

import (
	"net/url"
	"reflect"
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

// checkQuery requires encodeQuery to carry exactly the values
// go-querystring gives, in strict percent-encoding, in sorted key order.
func checkQuery(t *testing.T, o *ListSyncTaskRegistriesOptions) {
	t.Helper()
	got, want := o.encodeQuery(), goQuerystring(t, o)
	gotVals, err := url.ParseQuery(got)
	if err != nil {
		t.Fatalf("encodeQuery(%#v) = %q does not parse: %v", o, got, err)
	}
	wantVals, _ := url.ParseQuery(want)
	if !reflect.DeepEqual(gotVals, wantVals) {
		t.Fatalf("encodeQuery(%#v) = %q carries %v; go-querystring gives %v", o, got, gotVals, wantVals)
	}
	if strings.Contains(got, "+") {
		t.Fatalf("encodeQuery(%#v) = %q: '+' is ambiguous on the wire", o, got)
	}
	if gotVals.Encode() != want || strings.ReplaceAll(want, "+", "%20") != got {
		t.Fatalf("encodeQuery(%#v) = %q, want go-querystring's %q with %%20 for spaces", o, got, want)
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
