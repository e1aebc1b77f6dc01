// The page decoder's behaviour: what the fast path accepts and declines, how it shares strings, and the bounds on pages, nesting and memory.
package hss

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// DecFallbacks returns how many bodies the encoding/json fallback has
// decoded so far, for the external tests (imagesync_test.go,
// limits_test.go) that check which decoder read a page.
func DecFallbacks() int64 { return fallbacks.Load() }

// decFullBody writes a document for struct type typ with every json-tagged
// field set, recursively, to a value distinct from every other (lists hold
// three elements). reverse writes the members in reverse declaration
// order, spaced puts white space around every ':' and ',', and knownEnums
// gives the RegistryType and SyncStatus fields the documented values in
// turn instead of distinct ones.
func decFullBody(t *testing.T, typ reflect.Type, reverse, spaced, knownEnums bool) []byte {
	t.Helper()
	var b strings.Builder
	colon, comma := ":", ","
	if spaced {
		colon, comma = " :\t", " ,\n "
	}
	n := 0
	types, statuses := AllRegistryTypes(), AllSyncStatuses()
	var value func(name string, ft reflect.Type)
	var object func(st reflect.Type)
	value = func(name string, ft reflect.Type) {
		n++
		switch {
		case knownEnums && ft == reflect.TypeFor[RegistryType]():
			b.WriteString(strconv.Quote(string(types[n%len(types)])))
			return
		case knownEnums && ft == reflect.TypeFor[SyncStatus]():
			b.WriteString(strconv.Quote(string(statuses[n%len(statuses)])))
			return
		}
		switch ft.Kind() {
		case reflect.String:
			b.WriteString(strconv.Quote(name + "-" + strconv.Itoa(n)))
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			b.WriteString(strconv.Itoa(n))
		case reflect.Float32, reflect.Float64:
			b.WriteString(strconv.Itoa(n) + ".5")
		case reflect.Bool:
			b.WriteString("true")
		case reflect.Pointer:
			value(name, ft.Elem())
		case reflect.Struct:
			object(ft)
		case reflect.Slice:
			count := 3
			if knownEnums {
				count = len(types) // every type and status at least once
			}
			b.WriteString("[")
			for i := range count {
				if i > 0 {
					b.WriteString(comma)
				}
				value(name, ft.Elem())
			}
			b.WriteString("]")
		case reflect.Map:
			b.WriteString(`{"k` + strconv.Itoa(n) + `"` + colon)
			value(name, ft.Elem())
			b.WriteString("}")
		default:
			t.Fatalf("field %s has type %s, which decFullBody cannot fill; teach it", name, ft)
		}
	}
	object = func(st reflect.Type) {
		fields, err := decTaggedFields(st)
		require.NoError(t, err)
		if reverse {
			for i, j := 0, len(fields)-1; i < j; i, j = i+1, j-1 {
				fields[i], fields[j] = fields[j], fields[i]
			}
		}
		b.WriteString("{")
		for i, f := range fields {
			if i > 0 {
				b.WriteString(comma)
			}
			b.WriteString(strconv.Quote(f.name) + colon)
			value(f.name, f.typ)
		}
		b.WriteString("}")
	}
	object(typ)
	return []byte(b.String())
}

// decRequireAllSet fails unless every json-tagged field reachable from v
// holds a non-zero value and every list is non-empty: the body the test
// built really set everything.
func decRequireAllSet(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	switch v.Kind() {
	case reflect.Struct:
		fields, err := decTaggedFields(v.Type())
		require.NoError(t, err)
		for _, f := range fields {
			decRequireAllSet(t, v.FieldByIndex(decFieldIndex(t, v.Type(), f.name)), path+"."+f.name)
		}
	case reflect.Slice:
		require.NotZero(t, v.Len(), "%s is empty", path)
		for i := range v.Len() {
			decRequireAllSet(t, v.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Pointer:
		require.False(t, v.IsNil(), "%s is nil", path)
		decRequireAllSet(t, v.Elem(), path)
	default:
		require.False(t, v.IsZero(), "%s is zero", path)
	}
}

// decFieldIndex finds the struct field encoding/json fills for name.
func decFieldIndex(t *testing.T, st reflect.Type, name string) []int {
	t.Helper()
	for i := range st.NumField() {
		f := st.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name || tag == "" && f.Name == name {
			return f.Index
		}
	}
	t.Fatalf("%s has no field for %q", st, name)
	return nil
}

// TestDecodeFastPathCoversEveryTaggedField builds, from the json tags of
// ListSyncTaskRegistriesResponse and AssociateRegistriesResponseInfo, a
// body that sets every field, and requires the fast path to accept it and
// to decode what encoding/json decodes. A field added to either struct and
// not taught to the fast path (registryKeys, pageDecoder.object) makes it
// fail: the fast path would skip the member and leave the field empty.
func TestDecodeFastPathCoversEveryTaggedField(t *testing.T) {
	for _, v := range []struct {
		name                        string
		reverse, spaced, knownEnums bool
	}{
		{"service order", false, false, false},
		{"service order, documented enums", false, false, true},
		{"reversed and spaced", true, true, false},
	} {
		t.Run(v.name, func(t *testing.T) {
			body := decFullBody(t, reflect.TypeFor[ListSyncTaskRegistriesResponse](), v.reverse, v.spaced, v.knownEnums)
			var want ListSyncTaskRegistriesResponse
			require.NoError(t, json.Unmarshal(body, &want), "%s", body)
			decRequireAllSet(t, reflect.ValueOf(want), "response")

			d := pageDecoder{maxItems: MaxLimit}
			require.True(t, d.decode(body), "the fast path declined a body that sets every field:\n%s", body)
			got := ListSyncTaskRegistriesResponse{TotalNum: d.total, DataList: d.list}
			require.Equal(t, want, got, "the fast path misses a field of\n%s", body)

			before := fallbacks.Load()
			var page ListSyncTaskRegistriesResponse
			require.NoError(t, decodeRegistriesPage(body, &page, MaxLimit))
			require.Equal(t, want, page)
			require.Equal(t, before, fallbacks.Load(), "decodeRegistriesPage fell back to encoding/json")
		})
	}
}

// TestDecodeRegistryKeysMatchTags: registryKeys are the json names of
// AssociateRegistriesResponseInfo's fields in declaration order (the order
// the service sends them), and every registryTokens entry is `"key":"`,
// 8-24 bytes, compared on every byte.
func TestDecodeRegistryKeysMatchTags(t *testing.T) {
	fields, err := decTaggedFields(reflect.TypeFor[AssociateRegistriesResponseInfo]())
	require.NoError(t, err)
	var names []string
	for _, f := range fields {
		names = append(names, f.name)
		assert.Equal(t, reflect.String, f.typ.Kind(), "the fast path reads %s as a string", f.name)
	}
	require.Equal(t, names, registryKeys[:])

	for i, k := range registryKeys {
		want := `"` + k + `":"`
		tok := registryTokens[i]
		require.Equal(t, len(want), tok.n, k)
		require.GreaterOrEqual(t, tok.n, 8, "%s: a token compares 8-byte loads", k)
		require.LessOrEqual(t, tok.n, 24, "%s: a token compares three 8-byte loads", k)
		s := []byte("{ " + want + "x")
		assert.True(t, tok.at(s, 2), k)
		assert.False(t, tok.at(s, 1), k)
		assert.False(t, tok.at(s, 3), k)
		assert.False(t, tok.at(s, -1), k)
		assert.False(t, tok.at([]byte(want[:len(want)-1]), 0), "%s: past the end", k)
		for j := range want {
			b := bytes.Clone(s)
			b[2+j] ^= 0x01
			assert.False(t, tok.at(b, 2), "%s: byte %d changed", k, j)
		}
	}
}

// decPage is a page of n registries as the service writes it.
func decPage(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"total_num":%d,"data_list":[`, n*3)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"registry_id":"reg-%08d","registry_name":"registry-%d","registry_type":"SwrPrivate","sync_status":"failed","failed_reason":"timeout \"%d\""}`, i+1, i+1, i)
	}
	b.WriteString("]}")
	return b.String()
}

func decNested(open, closing string, n int, inner string) string {
	return `{"x":` + strings.Repeat(open, n) + inner + strings.Repeat(closing, n) + `,"total_num":1}`
}

// TestDecodeUnexpectedGoesToFallback: whatever the fast path does not
// expect, it declines (it does not report too many elements), and the
// result is encoding/json's, by the fallback.
func TestDecodeUnexpectedGoesToFallback(t *testing.T) {
	declined := []string{
		// Duplicate keys.
		`{"total_num":1,"total_num":2}`,
		`{"data_list":[],"data_list":[{"registry_id":"a"}]}`,
		`{"data_list":[{"registry_id":"a"},{"registry_id":"b"}],"data_list":[{"registry_name":"x"}]}`,
		`{"data_list":[{"registry_id":"a","registry_id":"b"}]}`,
		`{"data_list":[{"sync_status":"failed","registry_name":"n","sync_status":"running"}]}`,
		// Case-folded keys.
		`{"TOTAL_NUM":3}`, `{"Data_List":[{"registry_id":"a"}]}`, `{"data_liſt":[{}]}`,
		`{"data_list":[{"REGISTRY_ID":"x","Registry_Name":"y"}]}`, `{"data_list":[{"ſync_ſtatuſ":"failed"}]}`,
		`{"total_num":1,"Total_Num":2}`,
		// Nulls.
		`{"data_list":null}`, `{"total_num":null}`, `{"data_list":[null]}`, `{"data_list":[{"registry_id":"a"},null]}`,
		// Escaped keys.
		`{"total\u005fnum":7}`, `{"\u0064ata_list":[{}]}`, `{"data_list":[{"registry\u005fid":"x"}]}`,
		// An unknown value nested deeper than the fast path skips.
		decNested("[", "]", maxSkipDepth+1, ""),
		`{"data_list":[{"x":` + strings.Repeat("[", maxSkipDepth+1) + strings.Repeat("]", maxSkipDepth+1) + `}]}`,
		// Wrong types, which encoding/json reports.
		`{"total_num":"5"}`, `{"total_num":1.5}`, `{"data_list":{}}`, `{"data_list":[1]}`,
		`{"data_list":[{"registry_id":1}]}`, `{"total_num":9223372036854775808}`,
	}
	for _, body := range declined {
		d := pageDecoder{maxItems: MaxLimit}
		assert.False(t, d.decode([]byte(body)), "fast path accepted %s", body)
		assert.False(t, d.tooMany, "fast path reported too many elements in %s", body)
		before := fallbacks.Load()
		decCheck(t, []byte(body), MaxLimit)
		assert.Equal(t, before+1, fallbacks.Load(), "%s did not go to encoding/json", body)
	}

	accepted := []string{
		`{}`, " {} ", `{"total_num":0,"data_list":[]}`, decPage(1), decPage(200),
		"\n{\n \"total_num\" : 1 ,\r\n\"data_list\" :\t[ { \"registry_id\" : \"a\" } ] }\n\t\r ",
		`{"data_list":[{"registry_id":null,"registry_name":null,"registry_type":null,"sync_status":null,"failed_reason":null}]}`,
		`{"request_id":"r","x":{"a":[1,{"b":null}]},"total_num":1,"data_list":[{"extra":[[[]]],"registry_id":"a"}]}`,
		`{"data_list":[{"failed_reason":"\u00e9\ud83d\ude00\"\\\/\n","registry_type":"Swr\u0050rivate"}]}`,
		decNested("[", "]", maxSkipDepth-1, "1"),
	}
	for _, body := range accepted {
		d := pageDecoder{maxItems: MaxLimit}
		assert.True(t, d.decode([]byte(body)), "fast path declined %s", body)
		before := fallbacks.Load()
		decCheck(t, []byte(body), MaxLimit)
		assert.Equal(t, before, fallbacks.Load(), "%s went to encoding/json", body)
	}
}

// TestDecodeSpecifics spells out results the differential checks only
// imply.
func TestDecodeSpecifics(t *testing.T) {
	decode := func(body string) (ListSyncTaskRegistriesResponse, error) {
		var out ListSyncTaskRegistriesResponse
		err := decodeRegistriesPage([]byte(body), &out, MaxLimit)
		return out, err
	}
	r, err := decode(`{"data_list":[]}`)
	require.NoError(t, err)
	assert.NotNil(t, r.DataList, "[] decodes to an empty, non-nil list")
	assert.Empty(t, r.DataList)

	r, err = decode(`{"total_num":3}`)
	require.NoError(t, err)
	assert.Nil(t, r.DataList, "no data_list decodes to nil")

	// The documented enums are interned: they do not point into the body.
	r, err = decode(`{"data_list":[{"registry_type":"Harbor","sync_status":"running"}]}`)
	require.NoError(t, err)
	assert.Same(t, unsafe.StringData(string(RegistryTypeHarbor)), unsafe.StringData(string(r.DataList[0].RegistryType)))
	assert.Same(t, unsafe.StringData(string(SyncStatusRunning)), unsafe.StringData(string(r.DataList[0].SyncStatus)))

	// RequestID is json:"-": never read from the body, never touched.
	keep := ListSyncTaskRegistriesResponse{RequestID: "from-header"}
	require.NoError(t, decodeRegistriesPage([]byte(`{"RequestID":"x","requestid":"y","-":"z","request_id":"w"}`), &keep, MaxLimit))
	assert.Equal(t, "from-header", keep.RequestID)

	// Nesting past the fast path's depth goes to encoding/json, which
	// decodes it up to its own limit.
	r, err = decode(decNested("[", "]", 500, ""))
	require.NoError(t, err)
	assert.Equal(t, 1, r.TotalNum)
	_, err = decode(decNested("[", "]", 10001, ""))
	assert.Error(t, err, "nesting past encoding/json's limit")

	// Not an object.
	for _, body := range []string{``, ` `, `[]`, `null`, `"x"`, `1`, "\xef\xbb\xbf{}"} {
		_, err := decode(body)
		assert.Error(t, err, "%q", body)
	}

	// The fallback's errors are encoding/json's own.
	var se *json.SyntaxError
	_, err = decode(`{"total_num":1}x`)
	assert.ErrorAs(t, err, &se)
	var te *json.UnmarshalTypeError
	_, err = decode(`{"total_num":"1"}`)
	assert.ErrorAs(t, err, &te)
}

// TestDecodeStringsShareOneCopy: the strings of a page are substrings of
// one copy of its values, back to back in the order the body gives them
// (escaped ones decoded), never of the caller's buffer; known registry
// types and statuses are the package constants. A page of 200, escapes and
// all, costs two allocations.
func TestDecodeStringsShareOneCopy(t *testing.T) {
	body := []byte(`{"total_num":2,"data_list":[{"registry_id":"id-one","registry_name":"name-one","registry_type":"Quay","sync_status":"odd","failed_reason":"x\u00e9"},` +
		`{"registry_id":"id-two","registry_name":"name-two","registry_type":"Harbor","sync_status":"failed","failed_reason":"plain reason"}]}`)
	var out ListSyncTaskRegistriesResponse
	before := fallbacks.Load()
	require.NoError(t, decodeRegistriesPage(body, &out, MaxLimit))
	require.Equal(t, before, fallbacks.Load())
	require.Len(t, out.DataList, 2)

	addr := func(s string) uintptr { return uintptr(unsafe.Pointer(unsafe.StringData(s))) }
	values := []string{out.DataList[0].RegistryID, out.DataList[0].RegistryName, string(out.DataList[0].RegistryType),
		string(out.DataList[0].SyncStatus), out.DataList[0].FailedReason, out.DataList[1].RegistryID,
		out.DataList[1].RegistryName, out.DataList[1].FailedReason}
	assert.Equal(t, []string{"id-one", "name-one", "Quay", "odd", "xé", "id-two", "name-two", "plain reason"}, values)
	bodyStart, bodyEnd := uintptr(unsafe.Pointer(&body[0])), uintptr(unsafe.Pointer(&body[0]))+uintptr(len(body))
	next := addr(values[0])
	for _, v := range values {
		assert.Equal(t, next, addr(v), "%q does not follow the value before it in the page's one copy", v)
		next += uintptr(len(v))
		assert.False(t, addr(v) >= bodyStart && addr(v) < bodyEnd, "%q aliases the caller's buffer", v)
	}
	assert.Equal(t, addr(string(RegistryTypeHarbor)), addr(string(out.DataList[1].RegistryType)), "a known type is the constant")
	assert.Equal(t, addr(string(SyncStatusFailed)), addr(string(out.DataList[1].SyncStatus)), "a known status is the constant")

	page := []byte(decPage(200))
	allocs := testing.AllocsPerRun(20, func() {
		var out ListSyncTaskRegistriesResponse
		if err := decodeRegistriesPage(page, &out, MaxLimit); err != nil {
			t.Fatal(err)
		}
	})
	want := 2.0
	if raceEnabled {
		want++ // the race detector's sync.Pool drops some scratch
	}
	assert.LessOrEqual(t, allocs, want, "a page of 200 costs the copy of its values and the list")
}

// TestDecodeDoesNotAliasBody decodes page A from a pooled buffer,
// overwrites the buffer with page B (as the pool does on the next call),
// and checks that A's strings did not change.
func TestDecodeDoesNotAliasBody(t *testing.T) {
	pageA := `{"total_num":2,"data_list":[{"registry_id":"aaaa","registry_name":"alpha","registry_type":"Quay","sync_status":"odd","failed_reason":"x\u00e9"}]}`
	pageB := `{"total_num":2,"data_list":[{"registry_id":"bbbb","registry_name":"bravo","registry_type":"Zzzz","sync_status":"odd","failed_reason":"y\u00e9"}]}`
	require.Len(t, pageB, len(pageA), "B must overwrite all of A")
	for _, variant := range []func(string) string{
		func(s string) string { return s },
		func(s string) string { return strings.Replace(s, "data_list", "Data_List", 1) }, // the fallback
	} {
		a, b := variant(pageA), variant(pageB)
		buf := getBuffer()
		buf.WriteString(a)
		var gotA ListSyncTaskRegistriesResponse
		require.NoError(t, decodeRegistriesPage(buf.Bytes(), &gotA, MaxLimit))
		backing := buf.Bytes()
		putBuffer(buf)
		copy(backing, b) // whatever the pool's next user writes
		wantA := AssociateRegistriesResponseInfo{RegistryID: "aaaa", RegistryName: "alpha", RegistryType: "Quay", SyncStatus: "odd", FailedReason: "xé"}
		assert.Equal(t, wantA, gotA.DataList[0], "page A changed when its buffer was reused")
	}
}

// TestDecodeStringBoundaries puts each kind of special byte at every
// position of strings around the 8-byte scanning width, in values and keys.
func TestDecodeStringBoundaries(t *testing.T) {
	specials := []string{`\n`, `\"`, `\u00e9`, `\ud83d\ude00`, "\x01", "\xff", "é", "😀", "\x7f", `\\`, "\xed\xa0\x80", `\u`, "\""}
	for n := 0; n <= 20; n++ {
		for p := 0; p <= n; p++ {
			for _, sp := range specials {
				v := strings.Repeat("a", p) + sp + strings.Repeat("b", n-p)
				decCheck(t, []byte(`{"data_list":[{"registry_id":"`+v+`","registry_name":"x"}]}`), MaxLimit)
				decCheck(t, []byte(`{"data_list":[{"registry_id":"x","`+v+`":"y"}]}`), MaxLimit)
				decCheck(t, []byte(`{"`+v+`":"`+v+`","total_num":1}`), MaxLimit)
			}
			// The body ends inside the string.
			decCheck(t, []byte(`{"data_list":[{"registry_id":"`+strings.Repeat("a", n)), MaxLimit)
		}
	}
}

// decAllocated returns the bytes allocated while f ran.
func decAllocated(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// decResets is a body that sets data_list and resets it n times.
func decResets(n int) []byte {
	var b strings.Builder
	b.WriteString(`{`)
	for range n {
		b.WriteString(`"data_list":[{"registry_id":"a"}],"data_list":null,"data_list":[],`)
	}
	b.WriteString(`"data_list":[{}],"total_num":1}`)
	return []byte(b.String())
}

// TestDecodeRepeatedResetsStayLinear: a body that sets data_list and resets
// it thousands of times costs memory in proportion to its length.
func TestDecodeRepeatedResetsStayLinear(t *testing.T) {
	decCheck(t, decResets(100), MaxLimit)
	cost := func(n int) uint64 {
		body := decResets(n)
		var out ListSyncTaskRegistriesResponse
		return decAllocated(func() { require.NoError(t, decodeRegistriesPage(body, &out, MaxLimit)) })
	}
	small, large := cost(10000), cost(40000)
	assert.Less(t, large, 5*small, "4x the body cost %d bytes, 1x cost %d", large, small)
}

// TestDecodeFallbackCountAllocatesLittle: counting data_list before
// encoding/json runs must not cost more than the body. A body of a
// million short keys, which the fast path declines because of its first
// key, is where a per-key allocation shows.
func TestDecodeFallbackCountAllocatesLittle(t *testing.T) {
	body := []byte(`{"DATA_LIST":[],` + strings.Repeat(`"a":0,`, 1<<20/6) + `"b":0}`)
	alloc := decAllocated(func() {
		n, ok := listLenBound(body)
		require.True(t, ok)
		require.Zero(t, n)
	})
	assert.Less(t, alloc, uint64(len(body)), "listLenBound allocated %d bytes for a %d byte body", alloc, len(body))
	var out ListSyncTaskRegistriesResponse
	alloc = decAllocated(func() { require.NoError(t, decodeRegistriesPage(body, &out, MaxLimit)) })
	assert.Less(t, alloc, uint64(4*len(body)), "the fallback allocated %d bytes for a %d byte body", alloc, len(body))
}

// decEmptyItems is {"<key>":[{},{},...]} of about size bytes.
func decEmptyItems(key string, size int) []byte {
	head := `{"` + key + `":[`
	n := (size - len(head) - 3) / 3
	b := make([]byte, 0, len(head)+3*n+2)
	b = append(b, head...)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "{}"...)
	}
	return append(b, "]}"...)
}

// TestDecodeMemoryAmplification: 16 MiB of empty registries (5.6 million)
// is refused past the cap by the fast path and by the fallback alike, and
// the decode allocates a small multiple of the body, not one element per
// item.
func TestDecodeMemoryAmplification(t *testing.T) {
	for _, key := range []string{"data_list", "DATA_LIST", `data\u005flist`} {
		t.Run(key, func(t *testing.T) {
			body := decEmptyItems(key, 16<<20)
			require.LessOrEqual(t, len(body), 16<<20)
			viaFallback := key != "data_list"
			before := fallbacks.Load()
			var out ListSyncTaskRegistriesResponse
			var err error
			alloc := decAllocated(func() { err = decodeRegistriesPage(body, &out, MaxLimit) })
			require.Error(t, err)
			assert.Contains(t, err.Error(), "more than 200")
			assert.Nil(t, out.DataList)
			assert.Equal(t, viaFallback, fallbacks.Load() > before, "fallback taken")
			assert.Less(t, alloc, uint64(4*len(body)), "decoding %d bytes allocated %d", len(body), alloc)
		})
	}
}

// TestDecodePageCap: exactly maxItems registries decode, one more is an
// error, in both decoders.
func TestDecodePageCap(t *testing.T) {
	for _, maxItems := range []int{0, 1, 10, MaxLimit} {
		for _, key := range []string{"data_list", "Data_List"} {
			for _, n := range []int{maxItems, maxItems + 1} {
				body := `{"total_num":1000,"` + key + `":[` + strings.TrimSuffix(strings.Repeat(`{"registry_id":"r"},`, n), ",") + `]}`
				var out ListSyncTaskRegistriesResponse
				err := decodeRegistriesPage([]byte(body), &out, maxItems)
				if n <= maxItems {
					require.NoError(t, err, "%d items, cap %d, key %s", n, maxItems, key)
					assert.Len(t, out.DataList, n)
				} else {
					require.Error(t, err, "%d items, cap %d, key %s", n, maxItems, key)
					assert.Contains(t, err.Error(), fmt.Sprintf("more than %d", maxItems))
				}
			}
		}
	}
}

// TestDecodeNoRecover: the decoder has no recover, which would turn a bug
// into a silent detour through encoding/json.
func TestDecodeNoRecover(t *testing.T) {
	files, err := filepath.Glob("decode*.go")
	require.NoError(t, err)
	fset := gotoken.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "recover" {
					t.Errorf("%s: recover in the decoder", fset.Position(call.Pos()))
				}
			}
			return true
		})
	}
	assert.GreaterOrEqual(t, checked, 2, "decode.go and decode_scan.go")
}
