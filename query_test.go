// The query encoder: encodeQuery writes what go-querystring does, in strict percent-encoding.
package hss

// Internal: encodeQuery and encodeValues are unexported, and the fuzzer
// must reach them with values Validate would refuse.

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-querystring/query"
)

// goQuerystring is the encoder of record: the values the struct tags
// of ListSyncTaskRegistriesOptions describe.
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
	if strings.ReplaceAll(want, "+", "%20") != strictQuery(gotVals) || got != strictQuery(gotVals) {
		t.Fatalf("encodeQuery(%#v) = %q, want go-querystring's %q with %%20 for spaces", o, got, want)
	}
}

// strictQuery encodes v sorted by key, escaping every byte outside
// A-Z a-z 0-9 - _ . ~, written independently of request.go.
func strictQuery(v url.Values) string {
	// Encode sorts by key and escapes all but the strict set, except
	// that it writes a space as '+'; '+' itself it writes as %2B.
	return strings.ReplaceAll(v.Encode(), "+", "%20")
}

func TestEncodeQueryMatchesGoQuerystring(t *testing.T) {
	for _, o := range []ListSyncTaskRegistriesOptions{
		{},
		{Limit: 200},
		{Limit: 10, Offset: 190},
		{Offset: MaxOffset},
		{Offset: -1, Limit: -7},
		{EnterpriseProjectID: AllEnterpriseProjects},
		{EnterpriseProjectID: "0", RegistryName: "my registry/ä?&=#+%*~", SyncStatus: SyncStatusFailed},
		{RegistryTypes: []RegistryType{RegistryTypeHarbor}},
		{RegistryTypes: []RegistryType{RegistryTypeSwrPrivate, RegistryTypeJfrog, "x y"}},
		{RegistryTypes: []RegistryType{""}},
		{RegistryTypes: []RegistryType{"", ""}},
		{RegistryTypes: []RegistryType{}},
		{RegistryTypes: []RegistryType{"a,b"}},
		{RegistryName: "\xff\x00\n", SyncStatus: "ü"},
		{RegistryName: "任务 1", EnterpriseProjectID: "\u202e"},
		{EnterpriseProjectID: "e", RegistryName: "n", RegistryTypes: []RegistryType{"Other"}, SyncStatus: "running", Offset: 3, Limit: 30},
	} {
		checkQuery(t, &o)
	}
	// The exact bytes of one query with everything set.
	o := ListSyncTaskRegistriesOptions{EnterpriseProjectID: "all_granted_eps", RegistryName: "my reg+1", RegistryTypes: []RegistryType{"SwrPrivate", "Harbor"},
		SyncStatus: "failed", Offset: 20, Limit: 50}
	const want = "enterprise_project_id=all_granted_eps&limit=50&offset=20&registry_name=my%20reg%2B1&registry_type=SwrPrivate%2CHarbor&sync_status=failed"
	if got := o.encodeQuery(); got != want {
		t.Fatalf("encodeQuery = %q, want %q", got, want)
	}
}

// TestEncodeValuesStrict: the encoder Client.Do uses for url.Values
// writes the same strict form, keys sorted, values in order.
func TestEncodeValuesStrict(t *testing.T) {
	for _, v := range []url.Values{
		nil,
		{},
		{"b": {"2", "1"}, "a": {"x y"}},
		{"k": {""}, "": {"v"}},
		{"name": {"a+b&c=d/ä*~"}, "limit": {"10"}},
	} {
		got := encodeValues(v)
		if want := strictQuery(v); got != want {
			t.Errorf("encodeValues(%v) = %q, want %q", v, got, want)
		}
		back, err := url.ParseQuery(got)
		if err != nil {
			t.Fatalf("encodeValues(%v) = %q does not parse: %v", v, got, err)
		}
		if len(v) > 0 && !reflect.DeepEqual(back, v) {
			t.Errorf("encodeValues(%v) = %q reads back as %v", v, got, back)
		}
	}
}

func FuzzEncodeQuery(f *testing.F) {
	f.Add("", "", "", "", 0, 0)
	f.Add("all_granted_eps", "reg 1", "SwrPrivate|Harbor", "failed", 200, 10)
	f.Add("ä&=", "%2C", ",", "+", -1, 1<<40)
	f.Add("*", "~", "|", "\x00", MaxOffset, MaxLimit)
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
