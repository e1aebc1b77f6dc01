package hss

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// referenceDecode is the contract: the old decoder, "must be a JSON
// object" then json.Unmarshal into a fresh response.
func referenceDecode(body []byte) (ListSyncTaskRegistriesResponse, error) {
	var out ListSyncTaskRegistriesResponse
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return out, errors.New("body is not a JSON object")
	}
	err := json.Unmarshal(body, &out)
	return out, err
}

// checkDifferential compares the fast path (without its panic guard) and
// decodeRegistriesPage with referenceDecode.
func checkDifferential(t *testing.T, body []byte) {
	t.Helper()
	want, wantErr := referenceDecode(body)

	var d pageDecoder
	if d.decode(string(body)) {
		if wantErr != nil {
			t.Fatalf("fast path accepted %q; encoding/json: %v", body, wantErr)
		}
		got := ListSyncTaskRegistriesResponse{TotalNum: d.total, DataList: d.list}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("fast path differs on %q\n got: %#v\nwant: %#v", body, got, want)
		}
	} else if wantErr == nil && !d.deep {
		t.Fatalf("fast path declined %q, which encoding/json decodes", body)
	}

	var got ListSyncTaskRegistriesResponse
	err := decodeRegistriesPage(body, &got)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("decodeRegistriesPage(%q): error %v, encoding/json: %v", body, err, wantErr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeRegistriesPage differs on %q\n got: %#v\nwant: %#v", body, got, want)
	}
	if err != nil && wantErr != nil && err.Error() != wantErr.Error() {
		t.Fatalf("decodeRegistriesPage(%q) error %q, encoding/json %q", body, err, wantErr)
	}
}

func nested(open, close string, n int, inner string) string {
	return `{"x":` + strings.Repeat(open, n) + inner + strings.Repeat(close, n) + `,"total_num":1}`
}

// testPage is a page of n registries in the service's shape.
func testPage(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"total_num":%d,"data_list":[`, n*3)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"registry_id":"reg-%08d","registry_name":"registry-%d","registry_type":"SwrPrivate","sync_status":"finished"}`, i+1, i+1)
	}
	b.WriteString("]}")
	return b.String()
}

// decodeSeeds are the differential test's seeds; they are also checked in
// under testdata/fuzz/FuzzDecodeDifferential (HSS_WRITE_CORPUS=1 rewrites
// them there).
var decodeSeeds = []string{
	// The service's shape.
	testPage(2),
	testPage(200),
	`{"total_num":3,"data_list":[{"registry_id":"r1","registry_name":"n1","registry_type":"Harbor","sync_status":"failed","failed_reason":"timeout"}]}`,
	"\n{\n \"total_num\" : 1 ,\r\n\"data_list\" :\t[ { \"registry_id\" : \"a\" } ] }\n\t\r ",
	`{}`, ` {} `, `{"total_num":0,"data_list":[]}`,
	// Every enum value, unknown ones, and escaped ones.
	`{"data_list":[{"registry_type":"SwrPrivate"},{"registry_type":"SwrShared"},{"registry_type":"SwrEnterprise"},{"registry_type":"Harbor"},{"registry_type":"Jfrog"},{"registry_type":"Other"},{"registry_type":"Quay"},{"registry_type":""}]}`,
	`{"data_list":[{"sync_status":"finished"},{"sync_status":"running"},{"sync_status":"failed"},{"sync_status":"paused"},{"registry_type":"Swr\u0050rivate","sync_status":"fin\u0069shed"}]}`,
	// Nulls.
	`{"total_num":null,"data_list":null}`,
	`{"data_list":[null]}`,
	`{"data_list":[null,{"registry_id":"a"},null]}`,
	`{"data_list":[{"registry_id":null,"registry_name":null,"registry_type":null,"sync_status":null,"failed_reason":null}]}`,
	`{"total_num":5,"total_num":null}`,
	`{"data_list":[{"registry_id":"a","registry_id":null}]}`,
	`{"data_list":[{"registry_id":"a"}],"data_list":null}`,
	// Numbers.
	`{"total_num":1e2}`, `{"total_num":1.0}`, `{"total_num":-0}`, `{"total_num":-1}`, `{"total_num":0}`,
	`{"total_num":9223372036854775807}`, `{"total_num":9223372036854775808}`,
	`{"total_num":-9223372036854775808}`, `{"total_num":-9223372036854775809}`,
	`{"total_num":1E400}`, `{"total_num":0.5}`, `{"total_num":01}`, `{"total_num":-}`, `{"total_num":1.}`,
	`{"total_num":1e}`, `{"total_num":+1}`, `{"total_num":"5"}`, `{"total_num":true}`, `{"total_num":[]}`,
	`{"total_num":100000000000000000000000000000}`, `{"total_num":-0.0e-0}`, `{"total_num":2,"total_num":3}`,
	// Escapes.
	`{"data_list":[{"registry_name":"a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u4e2d\u0000"}]}`,
	`{"data_list":[{"registry_name":"\ud83d\ude00 \uD83D\uDE00"}]}`,
	`{"data_list":[{"registry_name":"\ud800"}]}`,
	`{"data_list":[{"registry_name":"\udc00x"}]}`,
	`{"data_list":[{"registry_name":"\ud800\ud800\udc00"}]}`,
	`{"data_list":[{"registry_name":"\ud800\n"}]}`,
	`{"data_list":[{"registry_name":"\udbff\udfff\ud800\u0041"}]}`,
	`{"data_list":[{"registry_name":"\x"}]}`,
	`{"data_list":[{"registry_name":"\'"}]}`,
	`{"data_list":[{"registry_name":"\u12"}]}`,
	`{"data_list":[{"registry_name":"\u12g4"}]}`,
	`{"data_list":[{"registry_name":"\ud800\u12"}]}`,
	`{"x":"\ud800\u","total_num":1}`,
	// Unicode and invalid UTF-8.
	`{"data_list":[{"registry_name":"注册表-仓库","failed_reason":"¡Sí! ✓ 😀"}]}`,
	"{\"data_list\":[{\"registry_name\":\"a\xffb\xfe\"}]}",
	"{\"data_list\":[{\"registry_name\":\"\xed\xa0\x80\"}]}",
	"{\"data_list\":[{\"registry_name\":\"\xc0\xaf\"}]}",
	"{\"data_list\":[{\"registry_name\":\"\xe4\xb8\"}]}",
	"{\"data_list\":[{\"registry_name\":\"\xef\xbf\xbd\x7f\"}]}",
	"{\"data_list\":[{\"registry_name\":\"a\x01\"}]}",
	"{\"data_list\":[{\"registry_name\":\"tab\there\"}]}",
	"{\"x\":\"\xff\",\"total_num\":1}",
	"\xef\xbb\xbf{}",
	// Duplicate keys, incl. a data_list decoded into an existing slice.
	`{"data_list":[{"registry_id":"a","registry_id":"b"}]}`,
	`{"data_list":[{"registry_id":"a"},{"registry_id":"b"}],"data_list":[{"registry_name":"x"}],"data_list":[{},{"sync_status":"y"}]}`,
	`{"data_list":[{"registry_id":"a"},{"registry_id":"b"},{"registry_id":"c"}],"data_list":[{"registry_name":"x"}],"data_list":[null,null,null,null,{}]}`,
	`{"data_list":[{"registry_id":"a"}],"data_list":[],"data_list":[{}]}`,
	`{"data_list":[{"registry_id":"a"}],"data_list":null,"data_list":[{}]}`,
	`{"data_list":[{"registry_id":"a"}],"Data_List":[{"registry_name":"b"}]}`,
	// Case-folded keys.
	`{"TOTAL_NUM":3,"Data_List":[{"REGISTRY_ID":"x","Registry_Name":"y","registry_TYPE":"Harbor","SYNC_status":"running","Failed_Reason":"z"}]}`,
	`{"total_num":1,"TOTAL_NUM":2}`, `{"TOTAL_NUM":2,"total_num":1}`,
	`{"data_list":[{"regiſtry_id":"x","ſync_ſtatuſ":"failed","FAILED_REAſON":"r"}]}`,
	`{"data_liſt":[{"REGIſTRY_NAME":"x"}]}`,
	`{"\u212aey":1,"total_num":1}`,
	`{"total\u005fnum":7}`, `{"tot\u0061l_num":7}`, `{"total_nu\u006D":7}`, `{"\u0074otal_num":7,"data_li\u017ft":[]}`,
	"{\"total_num\xff\":1}", `{"TOTAL_NUM ":1}`, `{"totalnum":1}`, `{"TotalNum":1}`, `{"DataList":[]}`,
	`{"data_list":[{"RegistryID":"x","registry-id":"y","registry_ıd":"z","registry_İd":"w"}]}`,
	// Fields the response does not have, and RequestID (json:"-").
	`{"RequestID":"x","requestid":"y","request_id":"r","-":"z","total_num":1}`,
	`{"x":{"a":[1,2,{"b":null}],"c":"d"},"y":[],"z":{},"w":true,"v":false,"u":-1.5e-3,"data_list":[{"extra":[[[]]],"registry_id":"a","e2":{"k":"\u00e9"}}]}`,
	`{"total_num":{"a":1}}`, `{"data_list":{}}`, `{"data_list":"x"}`, `{"data_list":[1]}`, `{"data_list":[[]]}`,
	`{"data_list":[{"registry_id":1}]}`, `{"data_list":[{"registry_id":true}]}`, `{"data_list":[{"registry_id":["a"]}]}`,
	`{"data_list":[{"registry_id":{}}]}`, `{"data_list":[{"registry_id":"a"},"b"]}`,
	// Deep nesting.
	nested("[", "]", 60, "1"), nested("[", "]", 100, ""), nested(`{"a":`, "}", 100, "1"),
	nested("[", "]", 9996, ""), nested("[", "]", 10001, ""),
	`{"data_list":[{"x":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}]}`,
	// Syntax errors and trailing garbage.
	`{} x`, `{}{}`, `{}]`, `{},`, `{"a":1,}`, `{,}`, `{"a"}`, `{"a":}`, `{"a" 1}`, `{"a":[1,]}`, `{"a":[1 2]}`,
	`{"a":tru}`, `{"a":nul}`, `{"a":nulll}`, `{"a":falsey}`, `{"a":"\u00"}`, `{'a':1}`, `{"a":1}}`, `{"a":[}`,
	`{"a":{"b":1]}`, `{"a":[1}`, `{"data_list":[{}],}`, `{"data_list":[{},]}`, `{"data_list":[{"registry_id":"a",}]}`,
	`[]`, `"x"`, `null`, ` 1`, ``, ` `, `{`, `}`,
	// Truncated bodies.
	`{"total_num":1`, `{"total_num":`, `{"total_num"`, `{"tot`, `{"data_list":[`, `{"data_list":[{`,
	`{"data_list":[{"registry_id":"a"`, `{"data_list":[{"registry_id":"a`, `{"data_list":[{"registry_id":"a\`,
	`{"data_list":[{"registry_id":"a\u00`, `{"data_list":[{"registry_id":"a"}`, `{"data_list":[{"registry_id":"a"}]`,
	testPage(3)[:len(testPage(3))-1], testPage(3)[:50],
}

func TestDecodeSeeds(t *testing.T) {
	for i, s := range decodeSeeds {
		t.Run(strconv.Itoa(i), func(t *testing.T) { checkDifferential(t, []byte(s)) })
	}
}

func FuzzDecodeDifferential(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDifferential(t, body)
	})
}

// TestWriteSeedCorpus rewrites testdata/fuzz/FuzzDecodeDifferential/seed-*
// from decodeSeeds when HSS_WRITE_CORPUS=1.
func TestWriteSeedCorpus(t *testing.T) {
	if os.Getenv("HSS_WRITE_CORPUS") != "1" {
		t.Skip("set HSS_WRITE_CORPUS=1 to rewrite the checked-in seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzDecodeDifferential")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, "seed-*"))
	for _, p := range old {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range decodeSeeds {
		data := "go test fuzz v1\n[]byte(" + strconv.Quote(s) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%03d", i)), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDecodeSpecifics spells out results the differential test only
// implies.
func TestDecodeSpecifics(t *testing.T) {
	decode := func(s string) ListSyncTaskRegistriesResponse {
		t.Helper()
		var d pageDecoder
		if !d.decode(s) {
			t.Fatalf("fast path declined %q", s)
		}
		return ListSyncTaskRegistriesResponse{TotalNum: d.total, DataList: d.list}
	}
	if r := decode(`{"data_list":[]}`); r.DataList == nil || len(r.DataList) != 0 {
		t.Errorf("[] gave %#v, want an empty non-nil slice", r.DataList)
	}
	if r := decode(`{"data_list":[{"registry_id":"a"}],"data_list":null}`); r.DataList != nil {
		t.Errorf("null gave %#v, want nil", r.DataList)
	}
	r := decode(`{"data_list":[{"registry_id":"a"},{"registry_id":"b"}],"data_list":[{"registry_name":"x"}],"data_list":[{},{"sync_status":"y"}]}`)
	want := []AssociateRegistriesResponseInfo{{RegistryID: "a", RegistryName: "x"}, {RegistryID: "b", SyncStatus: "y"}}
	if !reflect.DeepEqual(r.DataList, want) {
		t.Errorf("duplicate data_list gave %#v, want %#v", r.DataList, want)
	}
	if r := decode(`{"TOTAL_NUM":1,"total_num":2,"Total_Num":3}`); r.TotalNum != 3 {
		t.Errorf("TotalNum = %d, want 3 (last key wins)", r.TotalNum)
	}
	if r := decode(`{"data_list":[{"regiſtry_id":"x"}]}`); r.DataList[0].RegistryID != "x" {
		t.Errorf("long-s key not matched: %#v", r.DataList)
	}
	// Interned enums do not point into the body.
	r = decode(`{"data_list":[{"registry_type":"Harbor","sync_status":"running"}]}`)
	if r.DataList[0].RegistryType != RegistryTypeHarbor || r.DataList[0].SyncStatus != SyncStatusRunning {
		t.Errorf("enums: %#v", r.DataList[0])
	}
	// RequestID is json:"-": never read from the body, never touched.
	keep := ListSyncTaskRegistriesResponse{RequestID: "from-header"}
	if err := decodeRegistriesPage([]byte(`{"RequestID":"x","requestid":"y","-":"z","request_id":"w"}`), &keep); err != nil || keep.RequestID != "from-header" {
		t.Errorf("RequestID: %v, %q", err, keep.RequestID)
	}
	// Deep nesting goes to encoding/json.
	var d pageDecoder
	if d.decode(nested("[", "]", maxSkipDepth+1, "")) || !d.deep {
		t.Errorf("nesting past maxSkipDepth: want a decline marked deep")
	}
	var out ListSyncTaskRegistriesResponse
	if err := decodeRegistriesPage([]byte(nested("[", "]", 500, "")), &out); err != nil || out.TotalNum != 1 {
		t.Errorf("deep but valid body: %v, %#v", err, out)
	}
	if err := decodeRegistriesPage([]byte(nested("[", "]", 10001, "")), &out); err == nil {
		t.Errorf("nesting past encoding/json's limit: want an error")
	}
	// Errors are encoding/json's own.
	var se *json.SyntaxError
	if err := decodeRegistriesPage([]byte(`{"total_num":1}x`), &out); !errors.As(err, &se) {
		t.Errorf("trailing garbage: got %T %v, want *json.SyntaxError", err, err)
	}
	var te *json.UnmarshalTypeError
	if err := decodeRegistriesPage([]byte(`{"total_num":"1"}`), &out); !errors.As(err, &te) {
		t.Errorf("string total_num: got %T %v, want *json.UnmarshalTypeError", err, err)
	}
}

// TestDecodeDoesNotAliasBody decodes page A from a buffer, overwrites the
// buffer with page B (as the pool does on the next call) and checks that
// A's strings did not change.
func TestDecodeDoesNotAliasBody(t *testing.T) {
	pageA := `{"total_num":2,"data_list":[{"registry_id":"aaaa","registry_name":"alpha","registry_type":"Quay","sync_status":"odd","failed_reason":"x\u00e9"}]}`
	pageB := `{"total_num":2,"data_list":[{"registry_id":"bbbb","registry_name":"bravo","registry_type":"Zzzz","sync_status":"odd","failed_reason":"y\u00e9"}]}`
	if len(pageA) != len(pageB) {
		t.Fatal("pages must be the same length so B overwrites all of A")
	}
	buf := getBuffer()
	buf.WriteString(pageA)
	var a ListSyncTaskRegistriesResponse
	if err := decodeRegistriesPage(buf.Bytes(), &a); err != nil {
		t.Fatal(err)
	}
	wantA := AssociateRegistriesResponseInfo{RegistryID: "aaaa", RegistryName: "alpha", RegistryType: "Quay", SyncStatus: "odd", FailedReason: "xé"}
	backing := buf.Bytes()
	putBuffer(buf)
	copy(backing, pageB) // whatever the pool does with it next
	buf2 := getBuffer()
	buf2.WriteString(pageB)
	var b ListSyncTaskRegistriesResponse
	if err := decodeRegistriesPage(buf2.Bytes(), &b); err != nil {
		t.Fatal(err)
	}
	putBuffer(buf2)
	if a.DataList[0] != wantA {
		t.Errorf("page A changed after page B was decoded through the pool:\n got %#v\nwant %#v", a.DataList[0], wantA)
	}
	if b.DataList[0].RegistryID != "bbbb" {
		t.Errorf("page B: %#v", b.DataList[0])
	}
}

// TestDecodeStringBoundaries puts each kind of special byte at every
// position of strings around the 8-byte scanning width, in values and keys.
func TestDecodeStringBoundaries(t *testing.T) {
	specials := []string{`\n`, `\"`, `\u00e9`, `\ud83d\ude00`, "\x01", "\xff", "é", "😀", "\x7f", `\\`, "\xed\xa0\x80"}
	for n := 0; n <= 20; n++ {
		for p := 0; p <= n; p++ {
			for _, sp := range specials {
				v := strings.Repeat("a", p) + sp + strings.Repeat("b", n-p)
				checkDifferential(t, []byte(`{"data_list":[{"registry_id":"`+v+`","registry_name":"x"}]}`))
				checkDifferential(t, []byte(`{"data_list":[{"registry_id":"x","`+v+`":"y"}]}`))
				checkDifferential(t, []byte(`{"`+v+`":"`+v+`","total_num":1}`))
			}
			// The body ends inside the string.
			checkDifferential(t, []byte(`{"data_list":[{"registry_id":"`+strings.Repeat("a", n)))
		}
	}
}

// TestDecodeRepeatedResetsStayLinear: a body that sets data_list and
// resets it thousands of times must cost memory in proportion to its
// length (DataList is pre-sized once per body, not per reset).
func TestDecodeRepeatedResetsStayLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{`)
	for range 10000 {
		b.WriteString(`"data_list":[{"registry_id":"a"}],"data_list":null,"data_list":[],`)
	}
	b.WriteString(`"data_list":[{}],"total_num":1}`)
	body := []byte(b.String())
	checkDifferential(t, body)

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var out ListSyncTaskRegistriesResponse
	if err := decodeRegistriesPage(body, &out); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(4*len(body)) {
		t.Errorf("decoding a %d byte body allocated %d bytes", len(body), alloc)
	}
}

// TestDecodeRandomDocuments generates documents from a grammar that mixes
// the response's keys (exact, case-folded, escaped, with a long s), unknown
// keys, duplicates, nulls, wrong types, awkward strings and whitespace, and
// now and then truncates or corrupts one; the fast path must agree with
// encoding/json on each. It reaches combinations (such as several
// data_list keys decoding into one slice) that byte mutation rarely builds.
func TestDecodeRandomDocuments(t *testing.T) {
	n, seed := 20000, uint64(1)
	if testing.Short() {
		n = 2000
	}
	if v, err := strconv.Atoi(os.Getenv("HSS_RANDOM_DOCS")); err == nil && v > 0 {
		n, seed = v, uint64(time.Now().UnixNano()) // a longer, fresh run
		t.Logf("seed %d", seed)
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	ws := func() string {
		if rng.IntN(4) > 0 {
			return ""
		}
		return pick(" ", "\n", "\t", "\r\n ", "  ")
	}
	str := func() string {
		return `"` + pick("", "a", "reg-00000001", "registry-1", "SwrPrivate", "Harbor", "Swr\\u0050rivate",
			"finished", "running", "failed", "fin\\u0069shed", `a\"b`, `\\`, `\/`, `\b\f\n\r\t`, `\u0000`,
			`\ud83d\ude00`, `\ud800`, `\udc00x`, "é", "注册", "\xff", "\xed\xa0\x80", "abcdefghijklmnop",
			"0123456789abcdef\\n") + `"`
	}
	var value func(depth int) string
	value = func(depth int) string {
		switch k := rng.IntN(10); {
		case k < 3:
			return str()
		case k == 3:
			return pick("null", "true", "false")
		case k == 4:
			return pick("0", "-0", "1", "-1", "1e2", "1.0", "1.5", "-2.5e-3", "9223372036854775807",
				"9223372036854775808", "123456789012345678901234567890")
		case depth > 3:
			return "null"
		case k < 8:
			var b strings.Builder
			b.WriteString("[" + ws())
			for i := range rng.IntN(4) {
				if i > 0 {
					b.WriteString("," + ws())
				}
				b.WriteString(value(depth + 1))
			}
			b.WriteString(ws() + "]")
			return b.String()
		default:
			var b strings.Builder
			b.WriteString("{" + ws())
			for i := range rng.IntN(4) {
				if i > 0 {
					b.WriteString("," + ws())
				}
				b.WriteString(str() + ws() + ":" + ws() + value(depth+1))
			}
			b.WriteString(ws() + "}")
			return b.String()
		}
	}
	members := func(keys []string, val func() string, max int) string {
		var b strings.Builder
		b.WriteString("{" + ws())
		for i := range rng.IntN(max + 1) {
			if i > 0 {
				b.WriteString("," + ws())
			}
			b.WriteString(`"` + pick(keys...) + `"` + ws() + ":" + ws() + val())
		}
		b.WriteString(ws() + "}")
		return b.String()
	}
	elemKeys := []string{"registry_id", "registry_name", "registry_type", "sync_status", "failed_reason",
		"REGISTRY_ID", "Registry_Name", "regiſtry_type", "SYNC_STATUS", "failed_reaſon", "registry\\u005fid",
		"registryid", "RegistryID", "extra", "registry_id ", "\\u0073ync_status"}
	elemValue := func() string {
		if rng.IntN(6) == 0 {
			return value(3)
		}
		if rng.IntN(8) == 0 {
			return "null"
		}
		return str()
	}
	element := func() string {
		switch rng.IntN(12) {
		case 0:
			return "null"
		case 1:
			return value(2)
		}
		return members(elemKeys, elemValue, 6)
	}
	list := func() string {
		switch rng.IntN(10) {
		case 0:
			return "null"
		case 1:
			return "[]"
		case 2:
			return value(1)
		}
		var b strings.Builder
		b.WriteString("[" + ws())
		for i := range rng.IntN(5) + 1 {
			if i > 0 {
				b.WriteString("," + ws())
			}
			b.WriteString(element())
		}
		b.WriteString(ws() + "]")
		return b.String()
	}
	topKeys := []string{"total_num", "data_list", "TOTAL_NUM", "Data_List", "data_liſt", "total\\u005fnum",
		"datalist", "x", "RequestID"}
	valid := 0
	for range n {
		var b strings.Builder
		b.WriteString(ws() + "{" + ws())
		for i := range rng.IntN(6) {
			if i > 0 {
				b.WriteString("," + ws())
			}
			k := pick(topKeys...)
			b.WriteString(`"` + k + `"` + ws() + ":" + ws())
			switch strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(k, "\\u005f", "_"), "ſ", "s")) {
			case "total_num":
				b.WriteString(value(1))
			case "data_list":
				b.WriteString(list())
			default:
				b.WriteString(value(1))
			}
		}
		b.WriteString(ws() + "}" + ws())
		doc := []byte(b.String())
		switch rng.IntN(20) {
		case 0:
			doc = doc[:rng.IntN(len(doc))]
		case 1:
			doc[rng.IntN(len(doc))] = pick(`"`, `\`, "{", "]", ",", ":", "\x00", "x")[0]
		}
		checkDifferential(t, doc)
		if _, err := referenceDecode(doc); err == nil {
			valid++
		}
	}
	t.Logf("%d of %d documents were valid", valid, n)
	if valid < n/10 {
		t.Errorf("only %d of %d generated documents were valid; the grammar needs fixing", valid, n)
	}
}
