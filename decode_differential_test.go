// The page decoder against encoding/json: the contract both meet, documents generated from the response's json tags, the fuzz targets and their seed corpora.
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
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The contract of decodeRegistriesPage: on a JSON object whose data_list
// arrays (every top-level key encoding/json would match, case-insensitively)
// hold at most maxItems elements, its result is the one json.Unmarshal gives
// into a fresh ListSyncTaskRegistriesResponse, or both fail (a total_num
// below zero is a failure); when one of those arrays is longer, it fails.

// decReference is encoding/json's answer, after the object check the
// decoder makes first.
func decReference(body []byte) (ListSyncTaskRegistriesResponse, error) {
	var out ListSyncTaskRegistriesResponse
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return out, errors.New("body is not a JSON object")
	}
	err := json.Unmarshal(body, &out)
	if err == nil && out.TotalNum < 0 {
		return out, errors.New("total_num is negative")
	}
	return out, err
}

// decLongestList returns the length of the longest top-level array whose
// key encoding/json matches to data_list, or -1 when there is none. body
// must be a valid JSON object. It walks the document with json.Decoder, so
// it shares no code with listLenBound.
func decLongestList(t testing.TB, body []byte) int {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("decLongestList: not an object: %q", body)
	}
	longest := -1
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("decLongestList: %v on %q", err, body)
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			t.Fatalf("decLongestList: %v on %q", err, body)
		}
		var elems []json.RawMessage
		if strings.EqualFold(key, "data_list") && bytes.HasPrefix(raw, []byte("[")) {
			if err := json.Unmarshal(raw, &elems); err != nil {
				t.Fatalf("decLongestList: %v on %q", err, raw)
			}
			longest = max(longest, len(elems))
		}
	}
	return longest
}

// decCheck holds decodeRegistriesPage, and the fast path on its own, to the
// contract.
func decCheck(t testing.TB, body []byte, maxItems int) {
	t.Helper()
	want, wantErr := decReference(body)
	longest := -1
	if wantErr == nil {
		longest = decLongestList(t, body)
	}

	d := pageDecoder{maxItems: maxItems}
	switch {
	case d.decode(body):
		if wantErr != nil {
			t.Fatalf("fast path accepted %q (maxItems %d); encoding/json: %v", body, maxItems, wantErr)
		}
		if longest > maxItems {
			t.Fatalf("fast path accepted a data_list of %d > %d elements: %q", longest, maxItems, body)
		}
		if got := (ListSyncTaskRegistriesResponse{TotalNum: d.total, DataList: d.list}); !reflect.DeepEqual(got, want) {
			t.Fatalf("fast path differs from encoding/json on %q\n got: %#v\nwant: %#v", body, got, want)
		}
	case d.tooMany && wantErr == nil && longest <= maxItems:
		t.Fatalf("fast path counted more than %d elements in %q; the longest data_list holds %d", maxItems, body, longest)
	}

	got := ListSyncTaskRegistriesResponse{TotalNum: -7, DataList: make([]AssociateRegistriesResponseInfo, 3), RequestID: "from-header"}
	err := decodeRegistriesPage(body, &got, maxItems)
	switch {
	case wantErr != nil:
		if err == nil {
			t.Fatalf("decodeRegistriesPage accepted %q; encoding/json: %v", body, wantErr)
		}
	case longest > maxItems:
		if err == nil {
			t.Fatalf("decodeRegistriesPage accepted a data_list of %d > %d elements: %q", longest, maxItems, body)
		}
	case err != nil:
		t.Fatalf("decodeRegistriesPage(%q, %d): %v; encoding/json decodes it", body, maxItems, err)
	default:
		if got.RequestID != "from-header" {
			t.Fatalf("decodeRegistriesPage changed RequestID to %q", got.RequestID)
		}
		got.RequestID = ""
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeRegistriesPage differs from encoding/json on %q\n got: %#v\nwant: %#v", body, got, want)
		}
	}
}

// decField is one member encoding/json reads into a struct.
type decField struct {
	name string
	typ  reflect.Type
}

// decTaggedFields lists the members encoding/json decodes into struct type
// t, in declaration order: the json tag's name, else the Go name; "-" and
// unexported fields are left out. An embedded field is an error: the
// generators here do not flatten them.
func decTaggedFields(t reflect.Type) ([]decField, error) {
	var out []decField
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			return nil, fmt.Errorf("%s.%s is embedded; teach decTaggedFields to flatten it", t, f.Name)
		}
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		out = append(out, decField{name, f.Type})
	}
	return out, nil
}

// decGen writes JSON documents shaped by the json tags of a Go type. Every
// choice is read from the recipe, one byte at a time; once the recipe is
// used up every choice is 0, which is the document the service sends: every
// field, in declaration order, each with a distinct plain value. Other
// choices bring in unknown fields (nested, sometimes too deep for the fast
// path), escapes, unicode, invalid UTF-8, nulls, wrong types, duplicate,
// case-folded and escaped keys, lists around maxItems, whitespace, and at
// the end truncations and byte flips.
type decGen struct {
	recipe      []byte
	pos         int
	maxItems    int
	seq         int // makes values distinct
	out         strings.Builder
	unsupported []string // kinds the generator cannot write
}

// pick returns a choice in [0, n).
func (g *decGen) pick(n int) int {
	if n <= 1 || g.pos >= len(g.recipe) {
		return 0
	}
	c := int(g.recipe[g.pos])
	g.pos++
	return c % n
}

// pickWide returns a choice in [0, n) for n beyond a byte.
func (g *decGen) pickWide(n int) int {
	return (g.pick(256)<<8 | g.pick(256)) % max(n, 1)
}

func (g *decGen) write(s string) { g.out.WriteString(s) }

// decDocument generates one document for type t (a struct).
func decDocument(t reflect.Type, recipe []byte, maxItems int) ([]byte, []string) {
	g := &decGen{recipe: recipe, maxItems: maxItems}
	g.ws()
	if g.pick(64) == 63 {
		g.write("\xef\xbb\xbf") // a byte order mark, which JSON refuses
	}
	g.object(t, 0)
	g.ws()
	doc := []byte(g.out.String())
	switch g.pick(16) {
	case 13:
		doc = doc[:g.pickWide(len(doc))]
	case 14:
		if len(doc) > 0 {
			doc[g.pickWide(len(doc))] = "\"\\{}[],:x\x00"[g.pick(10)]
		}
	case 15:
		doc = append(doc, []string{"x", "{}", ",", "]"}[g.pick(4)]...)
	}
	return doc, g.unsupported
}

var decSpaces = []string{" ", "\n", "\t", "\r\n ", "  "}

func (g *decGen) ws() {
	if g.pick(8) == 7 {
		g.write(decSpaces[g.pick(len(decSpaces))])
	}
}

// object writes an object of struct type t.
func (g *decGen) object(t reflect.Type, depth int) {
	fields, err := decTaggedFields(t)
	if err != nil {
		g.unsupported = append(g.unsupported, err.Error())
		g.write("{}")
		return
	}
	plan := append([]decField(nil), fields...)
	switch g.pick(16) {
	case 10, 11: // reversed: every key misses the fast path's expected order
		for i, j := 0, len(plan)-1; i < j; i, j = i+1, j-1 {
			plan[i], plan[j] = plan[j], plan[i]
		}
	case 12: // shuffled
		for i := len(plan) - 1; i > 0; i-- {
			j := g.pick(i + 1)
			plan[i], plan[j] = plan[j], plan[i]
		}
	case 13: // a subset
		plan = plan[:0]
		for _, f := range fields {
			if g.pick(2) == 0 {
				plan = append(plan, f)
			}
		}
	case 14, 15: // drawn with repetition: duplicate keys
		plan = plan[:0]
		for range g.pick(len(fields) + 3) {
			plan = append(plan, fields[g.pick(len(fields))])
		}
	}
	// Unknown members, at any place.
	if g.pick(4) == 3 {
		for range g.pick(3) + 1 {
			at := g.pick(len(plan) + 1)
			plan = append(plan[:at], append([]decField{{}}, plan[at:]...)...)
		}
	}
	g.write("{")
	g.ws()
	for i, f := range plan {
		if i > 0 {
			g.write(",")
			g.ws()
		}
		if f.typ == nil {
			g.write(`"` + g.unknownKey() + `"`)
		} else {
			g.write(`"` + g.key(f.name) + `"`)
		}
		g.ws()
		g.write(":")
		g.ws()
		if f.typ == nil {
			g.anyValue(depth + 1)
		} else {
			g.value(f.name, f.typ, depth+1)
		}
		g.ws()
	}
	g.write("}")
}

// key spells a field's name the way encoding/json matches it, or nearly.
func (g *decGen) key(name string) string {
	switch g.pick(24) {
	case 18:
		return strings.ToUpper(name)
	case 19: // Title_Case
		parts := strings.Split(name, "_")
		for i, p := range parts {
			if p != "" {
				parts[i] = strings.ToUpper(p[:1]) + p[1:]
			}
		}
		return strings.Join(parts, "_")
	case 20: // U+017F LATIN SMALL LETTER LONG S, which folds to 's'
		if strings.Contains(name, "s") {
			return strings.Replace(name, "s", "ſ", 1+g.pick(2))
		}
		return strings.ToUpper(name)
	case 21: // one character escaped
		i := g.pick(len(name))
		return name[:i] + fmt.Sprintf(`\u%04x`, name[i]) + name[i+1:]
	case 22: // U+0131 dotless i, which encoding/json does not fold to 'i'
		return strings.Replace(name, "i", "ı", 1)
	case 23: // near misses encoding/json does not match
		return []string{name + " ", strings.ReplaceAll(name, "_", ""), name + "\u200b", "-", strings.ReplaceAll(name, "_", "-")}[g.pick(5)]
	}
	return name
}

func (g *decGen) unknownKey() string {
	return []string{"x", "RequestID", "request_id", "-", "extra", "registry_id", "total_num_", "data", "\\u00e9t\\u00e9", "注册"}[g.pick(10)]
}

// value writes a value for a field of type t.
func (g *decGen) value(name string, t reflect.Type, depth int) {
	if g.pick(24) == 23 { // null, or a value of another type
		switch g.pick(3) {
		case 0:
			g.write("null")
		case 1:
			g.write([]string{`"5"`, "true", "false", "[]", "{}", "1", `"x"`, "1.5"}[g.pick(8)])
		default:
			g.anyValue(depth)
		}
		return
	}
	switch t.Kind() {
	case reflect.String:
		g.str(name)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		g.integer()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		g.seq++
		g.write(strconv.Itoa(g.seq))
	case reflect.Float32, reflect.Float64:
		g.seq++
		g.write(strconv.Itoa(g.seq) + ".5")
	case reflect.Bool:
		g.write([]string{"true", "false"}[g.pick(2)])
	case reflect.Slice:
		g.list(name, t.Elem(), depth)
	case reflect.Struct:
		g.object(t, depth)
	case reflect.Pointer:
		g.value(name, t.Elem(), depth)
	default:
		g.unsupported = append(g.unsupported, fmt.Sprintf("%s (%s)", name, t))
		g.write("null")
	}
}

// decStrings are string bodies (between the quotes) worth trying.
var decStrings = []string{
	`a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u4e2d\u0000`,
	`\ud83d\ude00 \uD83D\uDE00`, `\ud800`, `\udc00x`, `\ud800\ud800\udc00`, `\ud800\n`, `\udbff\udfff\ud800\u0041`,
	"注册表-仓库 ¡Sí! ✓ 😀", "a\xffb\xfe", "\xed\xa0\x80", "\xc0\xaf", "\xe4\xb8", "\xef\xbf\xbd\x7f",
	"a\x01", "tab\there", `\x`, `\'`, `\u12`, `\u12g4`, `\ud800\u12`, "", "\u2028\u2029", `<>&`, `\u003c\u003e\u0026`,
	"Swr\\u0050rivate", "fin\\u0069shed", "registry_id", "reg-00000001",
}

// str writes a string value, distinct from every other when plain.
func (g *decGen) str(name string) {
	g.seq++
	g.write(`"`)
	switch k := g.pick(32); {
	case k < 20:
		g.write(name + "-" + strconv.Itoa(g.seq))
	case k < 24:
		known := append(append([]string{}, typeStrings()...), statusStrings()...)
		g.write(known[g.pick(len(known))])
	case k < 29:
		g.write(decStrings[g.pick(len(decStrings))])
	case k < 31: // a special byte near the 8-byte scanning width
		g.write(strings.Repeat("a", g.pick(17)) + decStrings[g.pick(len(decStrings))] + strings.Repeat("b", g.pick(9)))
	default: // long
		g.write(strings.Repeat("abcdefgh", 20+g.pick(40)) + strconv.Itoa(g.seq))
	}
	g.write(`"`)
}

func typeStrings() []string {
	var out []string
	for _, t := range AllRegistryTypes() {
		out = append(out, string(t))
	}
	return append(out, "Quay")
}

func statusStrings() []string {
	var out []string
	for _, s := range AllSyncStatuses() {
		out = append(out, string(s))
	}
	return append(out, "paused")
}

var decNumbers = []string{
	"0", "-0", "-1", "1e2", "1.0", "0.5", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
	"-9223372036854775809", "1E400", "01", "-", "1.", "1e", "+1", "100000000000000000000000000000", "-0.0e-0", "1e-2",
}

func (g *decGen) integer() {
	g.seq++
	if k := g.pick(8); k == 7 {
		g.write(decNumbers[g.pick(len(decNumbers))])
		return
	}
	g.write(strconv.Itoa(g.seq * 7))
}

// list writes an array of elem, sometimes as long as maxItems or one longer.
func (g *decGen) list(name string, elem reflect.Type, depth int) {
	n := 2
	switch g.pick(16) {
	case 0, 1, 2, 3, 4, 5:
	case 6, 7, 8, 9:
		n = g.pick(6)
	case 10:
		n = g.maxItems
	case 11:
		n = g.maxItems + 1
	case 12:
		n = g.maxItems - 1
	case 13:
		g.write("[]")
		return
	case 14:
		g.write("null")
		return
	case 15:
		g.write([]string{"{}", `"x"`, "1"}[g.pick(3)])
		return
	}
	n = min(max(n, 0), 300)
	g.write("[")
	g.ws()
	for i := range n {
		if i > 0 {
			g.write(",")
			g.ws()
		}
		switch {
		case g.pick(32) == 31:
			g.write([]string{"null", "1", `"x"`, "[]"}[g.pick(4)])
		case i >= 4 && elem.Kind() == reflect.Struct && g.pick(2) == 0:
			g.write("{}") // long lists stay short
		default:
			g.value(name, elem, depth)
		}
		g.ws()
	}
	g.write("]")
}

// anyValue writes any JSON value, for unknown fields.
func (g *decGen) anyValue(depth int) {
	k := g.pick(12)
	if depth > 4 && k >= 6 {
		k = 0
	}
	switch k {
	case 0, 1:
		g.str("u")
	case 2:
		g.write([]string{"null", "true", "false"}[g.pick(3)])
	case 3:
		g.write(decNumbers[g.pick(len(decNumbers))])
	case 4, 5:
		g.integer()
	case 6, 7:
		g.write("[")
		for i := range g.pick(4) {
			if i > 0 {
				g.write(",")
			}
			g.anyValue(depth + 1)
		}
		g.write("]")
	case 8, 9:
		g.write("{")
		for i := range g.pick(4) {
			if i > 0 {
				g.write(",")
			}
			g.write(`"` + g.unknownKey() + `":`)
			g.anyValue(depth + 1)
		}
		g.write("}")
	case 10: // nested around the fast path's skip depth
		n := maxSkipDepth - 2 + g.pick(5)
		g.write(strings.Repeat("[", n) + strings.Repeat("]", n))
	case 11:
		n := maxSkipDepth - 2 + g.pick(5)
		g.write(strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n))
	}
}

var decResponseType = reflect.TypeFor[ListSyncTaskRegistriesResponse]()

// decMaxItems maps a fuzzed byte to a cap: small ones reach the boundary
// with short lists; 200 is what the client uses.
func decMaxItems(m uint8) int {
	if m >= 250 {
		return MaxLimit
	}
	return int(m % 8)
}

// FuzzDecodeDifferential checks decodeRegistriesPage against encoding/json
// (see decCheck) on body as it is and on the document recipe generates
// from the response's json tags. Its seed corpus is in
// testdata/fuzz/FuzzDecodeDifferential (see TestDecodeCorpusUpToDate).
func FuzzDecodeDifferential(f *testing.F) {
	f.Fuzz(func(t *testing.T, body, recipe []byte, m uint8) {
		maxItems := decMaxItems(m)
		decCheck(t, body, maxItems)
		doc, unsupported := decDocument(decResponseType, recipe, maxItems)
		if len(unsupported) > 0 {
			t.Fatalf("the generator cannot write %v; teach decGen", unsupported)
		}
		decCheck(t, doc, maxItems)
	})
}

// FuzzListLenBound checks that the fallback's count sees every data_list
// encoding/json would decode: on every JSON object json.Valid accepts it
// succeeds and returns the longest one's length, never less than what
// json.Unmarshal decodes. Its seed corpus is in
// testdata/fuzz/FuzzListLenBound.
func FuzzListLenBound(f *testing.F) {
	f.Fuzz(func(t *testing.T, body, recipe []byte) {
		decCheckListLenBound(t, body)
		doc, _ := decDocument(decResponseType, recipe, decMaxItems(uint8(len(recipe))))
		decCheckListLenBound(t, doc)
	})
}

func decCheckListLenBound(t *testing.T, body []byte) {
	t.Helper()
	n, ok := listLenBound(body)
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	isObject := len(trimmed) > 0 && trimmed[0] == '{'
	if ok && !isObject {
		t.Fatalf("listLenBound(%q) = %d, true for a body that is not an object", body, n)
	}
	if !isObject || !json.Valid(body) {
		return
	}
	if !ok {
		t.Fatalf("listLenBound could not count %q, which json.Valid accepts", body)
	}
	if want := max(decLongestList(t, body), 0); n != want {
		t.Fatalf("listLenBound(%q) = %d, the longest data_list holds %d", body, n, want)
	}
	var resp ListSyncTaskRegistriesResponse
	if json.Unmarshal(body, &resp) == nil && n < len(resp.DataList) {
		t.Fatalf("listLenBound(%q) = %d, json.Unmarshal decodes %d registries", body, n, len(resp.DataList))
	}
}

// TestDecodeGeneratedDocuments runs the generator's recipes through
// decCheck in every test run, so the property holds without fuzzing too.
func TestDecodeGeneratedDocuments(t *testing.T) {
	n := 4000
	if testing.Short() {
		n = 400
	}
	// With an empty recipe, the document the service sends.
	canonical, _ := decDocument(decResponseType, nil, MaxLimit)
	d := pageDecoder{maxItems: MaxLimit}
	require.True(t, d.decode(canonical), "the fast path declined the generator's service-shaped document %s", canonical)
	require.Len(t, d.list, 2)

	rng := rand.New(rand.NewPCG(12, 10))
	valid, fast := 0, 0
	recipe := make([]byte, 512)
	for i := range n {
		for j := range recipe {
			recipe[j] = byte(rng.Uint32())
		}
		maxItems := decMaxItems(byte(i))
		doc, unsupported := decDocument(decResponseType, recipe[:rng.IntN(len(recipe))], maxItems)
		if len(unsupported) > 0 {
			t.Fatalf("the generator cannot write %v; teach decGen", unsupported)
		}
		decCheck(t, doc, maxItems)
		if _, err := decReference(doc); err == nil {
			valid++
		}
		if d := (pageDecoder{maxItems: maxItems}); d.decode(doc) {
			fast++
		}
	}
	t.Logf("%d of %d documents valid, %d taken by the fast path", valid, n, fast)
	// The generator must keep producing both kinds, or it tests little.
	if valid < n/5 || fast < n/10 || valid == n {
		t.Errorf("%d valid and %d fast-path documents of %d: the generator needs fixing", valid, fast, n)
	}
}

// decSeeds are the documents of the seed corpora of FuzzDecodeDifferential
// and FuzzListLenBound, checked in under testdata/fuzz
// (TestDecodeCorpusUpToDate; HSS_WRITE_CORPUS=1 rewrites them).
var decSeeds = []string{
	// The service's shape.
	decPage(2),
	decPage(200),
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
	decNested("[", "]", 60, "1"), decNested("[", "]", 100, ""), decNested(`{"a":`, "}", 100, "1"),
	decNested("[", "]", 9996, ""), decNested("[", "]", 10001, ""),
	`{"data_list":[{"x":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}]}`,
	// Syntax errors and trailing garbage.
	`{} x`, `{}{}`, `{}]`, `{},`, `{"a":1,}`, `{,}`, `{"a"}`, `{"a":}`, `{"a" 1}`, `{"a":[1,]}`, `{"a":[1 2]}`,
	`{"a":tru}`, `{"a":nul}`, `{"a":nulll}`, `{"a":falsey}`, `{"a":"\u00"}`, `{'a':1}`, `{"a":1}}`, `{"a":[}`,
	`{"a":{"b":1]}`, `{"a":[1}`, `{"data_list":[{}],}`, `{"data_list":[{},]}`, `{"data_list":[{"registry_id":"a",}]}`,
	`[]`, `"x"`, `null`, ` 1`, ``, ` `, `{`, `}`,
	// Lists around the caps of the seeds' small maxItems.
	`{"data_list":[{},{},{},{},{},{},{},{}]}`, `{"Data_List":[{},{},{},{},{},{},{},{}]}`,
	`{"data_list":[{},{},{},{},{},{},{},{}],"data_list":[]}`, `{"data_list":[1,2,3,4,5,6,7,8,9]}`,
	// Truncated bodies.
	`{"total_num":1`, `{"total_num":`, `{"total_num"`, `{"tot`, `{"data_list":[`, `{"data_list":[{`,
	`{"data_list":[{"registry_id":"a"`, `{"data_list":[{"registry_id":"a`, `{"data_list":[{"registry_id":"a\`,
	`{"data_list":[{"registry_id":"a\u00`, `{"data_list":[{"registry_id":"a"}`, `{"data_list":[{"registry_id":"a"}]`,
	decPage(3)[:len(decPage(3))-1], decPage(3)[:50],
}

// decCorpus returns the seed files of both fuzz targets: name -> content.
func decCorpus() map[string]map[string]string {
	quote := func(b []byte) string { return "[]byte(" + strconv.Quote(string(b)) + ")\n" }
	diff, bound := map[string]string{}, map[string]string{}
	for i, s := range decSeeds {
		m := 250 // maxItems 200, the client's cap
		if i%2 == 1 {
			m = i % 8
		}
		name := fmt.Sprintf("seed-%03d", i)
		diff[name] = "go test fuzz v1\n" + quote([]byte(s)) + quote(nil) + fmt.Sprintf("uint8(%d)\n", m)
		bound[name] = "go test fuzz v1\n" + quote([]byte(s)) + quote(nil)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 24 {
		recipe := make([]byte, 16+rng.IntN(240))
		for j := range recipe {
			recipe[j] = byte(rng.Uint32())
		}
		name := fmt.Sprintf("seed-recipe-%02d", i)
		diff[name] = "go test fuzz v1\n" + quote(nil) + quote(recipe) + fmt.Sprintf("uint8(%d)\n", []int{0, 1, 2, 3, 250}[i%5])
		bound[name] = "go test fuzz v1\n" + quote(nil) + quote(recipe)
	}
	return map[string]map[string]string{"FuzzDecodeDifferential": diff, "FuzzListLenBound": bound}
}

// TestDecodeCorpusUpToDate checks that the checked-in seed corpora are
// decCorpus, and rewrites them when HSS_WRITE_CORPUS=1. Other files in
// those directories (inputs a fuzzing run found) are kept.
func TestDecodeCorpusUpToDate(t *testing.T) {
	write := os.Getenv("HSS_WRITE_CORPUS") == "1"
	for target, files := range decCorpus() {
		dir := filepath.Join("testdata", "fuzz", target)
		if write {
			require.NoError(t, os.MkdirAll(dir, 0o755))
			old, err := filepath.Glob(filepath.Join(dir, "seed-*"))
			require.NoError(t, err)
			for _, p := range old {
				require.NoError(t, os.Remove(p))
			}
			for name, content := range files {
				require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
			}
			continue
		}
		for name, content := range files {
			got, err := os.ReadFile(filepath.Join(dir, name))
			require.NoError(t, err, "run HSS_WRITE_CORPUS=1 go test -run TestDecodeCorpusUpToDate .")
			require.Equal(t, content, string(got), "%s/%s is stale; run HSS_WRITE_CORPUS=1 go test -run TestDecodeCorpusUpToDate .", target, name)
		}
		stale, err := filepath.Glob(filepath.Join(dir, "seed-*"))
		require.NoError(t, err)
		for _, p := range stale {
			_, ok := files[filepath.Base(p)]
			require.True(t, ok, "%s is no seed any more; run HSS_WRITE_CORPUS=1 go test -run TestDecodeCorpusUpToDate .", p)
		}
	}
}
