package hss

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/bits"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// The fast decoder for ListSyncTaskRegistriesResponse. It decodes the
// bodies the service sends, and declines (the caller then runs
// encoding/json) on anything it does not expect:
//
//   - a key that is escaped, not ASCII, or a case-folded spelling of a
//     field ("TOTAL_NUM"), which encoding/json would match;
//   - a field given twice, a null total_num or data_list, a null element;
//   - a value of the wrong type, total_num not an integer that fits int;
//   - an unknown field's value nested deeper than maxSkipDepth;
//   - any syntax error.
//
// Unknown fields are skipped (their values still validated), string values
// have escapes decoded and invalid UTF-8 replaced by U+FFFD as encoding/json
// does, and a null registry field stays empty. On what it accepts, its
// result is the one json.Unmarshal gives into a fresh response;
// FuzzDecodeDifferential checks that.
//
// It reads the body where it lies (the caller's pooled buffer) and copies
// only the string values, back to back, into an arena; at the end the arena
// becomes one string and every value a substring of it. So a page costs two
// allocations, that string and the DataList, and keeps only its values
// alive, not the JSON around them. Registry types and statuses the SDK
// knows are interned to the package constants and take no arena space.
//
// Every method returns the index after what it read, or -1 to stop.

// maxSkipDepth bounds the nesting of an unknown field's value that the
// fast path skips; deeper values go to encoding/json, which applies its
// own limit (10000).
const maxSkipDepth = 64

// maxDataListHint caps the pre-sizing of DataList.
const maxDataListHint = 1024

// registryKeys are the JSON names of AssociateRegistriesResponseInfo's
// fields, in the order the service sends them.
// TestDecodeRegistryKeysMatchTags checks them against the struct tags.
var registryKeys = [...]string{"registry_id", "registry_name", "registry_type", "sync_status", "failed_reason"}

// Indexes into registryKeys.
const (
	keyRegistryID = iota
	keyRegistryName
	keyRegistryType
	keySyncStatus
	keyFailedReason
)

// Top-level fields.
const (
	topUnknown = iota
	topTotalNum
	topDataList
)

// span says where the value of one string field lies in the arena.
type span struct {
	item       int32 // index in the list
	field      int32 // index in registryKeys
	start, end int32
}

type pageDecoder struct {
	total    int
	list     []AssociateRegistriesResponseInfo
	maxItems int
	// tooMany is set when data_list holds more than maxItems elements:
	// an error, not a reason to decline.
	tooMany bool
	arena   []byte // the string values, back to back
	spans   []span // where each value lies in the arena
}

// scratch is the arena and the spans one decode borrows.
type scratch struct {
	arena []byte
	spans []span
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{arena: make([]byte, 0, 8<<10), spans: make([]span, 0, 512)}
}}

// Scratch larger than this is not kept in the pool after a huge page.
const (
	maxPooledArena = 1 << 20
	maxPooledSpans = 1 << 16
)

// decode decodes b, the whole body, and reports success. b is not kept.
func (d *pageDecoder) decode(b []byte) bool {
	sc := scratchPool.Get().(*scratch)
	d.arena, d.spans = sc.arena[:0], sc.spans[:0]
	i := skipWS(b, 0)
	ok := i < len(b) && b[i] == '{'
	if ok {
		i = d.object(b, i+1)
		ok = i >= 0 && skipWS(b, i) == len(b)
	}
	if ok {
		d.finish()
	}
	sc.arena, sc.spans = d.arena[:0], d.spans[:0]
	d.arena, d.spans = nil, nil
	if cap(sc.arena) <= maxPooledArena && cap(sc.spans) <= maxPooledSpans {
		scratchPool.Put(sc)
	}
	return ok
}

// finish turns the arena into one string and gives every recorded value
// its substring.
func (d *pageDecoder) finish() {
	s := string(d.arena)
	for _, sp := range d.spans {
		v := s[sp.start:sp.end]
		e := &d.list[sp.item]
		switch sp.field {
		case keyRegistryID:
			e.RegistryID = v
		case keyRegistryName:
			e.RegistryName = v
		case keyRegistryType:
			e.RegistryType = RegistryType(v)
		case keySyncStatus:
			e.SyncStatus = SyncStatus(v)
		case keyFailedReason:
			e.FailedReason = v
		}
	}
}

// object decodes the top-level object; b[i-1] is its '{'.
func (d *pageDecoder) object(b []byte, i int) int {
	i = skipWS(b, i)
	if i < len(b) && b[i] == '}' {
		d.list = nil
		return i + 1
	}
	var seen [3]bool
	for {
		k, j := plainKey(b, i)
		if j < 0 {
			return -1
		}
		f := topUnknown
		switch string(k) {
		case "total_num":
			f = topTotalNum
		case "data_list":
			f = topDataList
		default:
			if bytes.EqualFold(k, []byte("total_num")) || bytes.EqualFold(k, []byte("data_list")) {
				return -1 // encoding/json would match it case-insensitively
			}
		}
		if f != topUnknown {
			if seen[f] {
				return -1
			}
			seen[f] = true
		}
		if i = colon(b, j); i < 0 {
			return -1
		}
		switch f {
		case topTotalNum:
			i = d.totalNum(b, i)
		case topDataList:
			i = d.dataList(b, i)
		default:
			i, _ = skipValue(b, i, maxSkipDepth)
		}
		if i < 0 {
			return -1
		}
		var more bool
		if i, more = nextMember(b, i); !more {
			return i
		}
	}
}

// plainKey reads the key at b[i] (its opening quote) when it holds only
// printable ASCII without escapes; it returns the key and the index after
// the closing quote, or -1.
func plainKey(b []byte, i int) ([]byte, int) {
	if i >= len(b) || b[i] != '"' {
		return nil, -1
	}
	start := i + 1
	for j := start; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return b[start:j], j + 1
		case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
			return nil, -1
		}
	}
	return nil, -1
}

// colon reads the ':' after a key and the whitespace around it; the
// result indexes the first byte of the value, which exists.
func colon(b []byte, i int) int {
	if i >= 0 && i < len(b)-1 && b[i] == ':' && b[i+1] > ' ' {
		return i + 1 // no whitespace: the usual case
	}
	i = skipWS(b, i)
	if i >= len(b) || b[i] != ':' {
		return -1
	}
	i = skipWS(b, i+1)
	if i >= len(b) {
		return -1
	}
	return i
}

func (d *pageDecoder) totalNum(b []byte, i int) int {
	end, isInt := number(b, i)
	if end < 0 || !isInt {
		return -1 // null, a string, a fraction, or a syntax error
	}
	n, ok := parseInt(b[i:end])
	if !ok || n < 0 {
		return -1 // a count below zero: encoding/json reads it, decodeRegistriesPage refuses it
	}
	d.total = n
	return end
}

// parseInt reads a JSON integer literal that fits an int.
func parseInt(b []byte) (int, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	limit := uint64(math.MaxInt)
	if neg {
		limit++
	}
	var n uint64
	for _, c := range b {
		if n > (limit-uint64(c-'0'))/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if neg {
		return int(-n), true // -n wraps to MinInt exactly when n = limit
	}
	return int(n), true
}

// dataList decodes the data_list value at b[i].
func (d *pageDecoder) dataList(b []byte, i int) int {
	if b[i] != '[' {
		return -1
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		d.list = []AssociateRegistriesResponseInfo{}
		return i + 1
	}
	// Pre-size by counting the '{' left in the body, a cheap upper bound
	// on the elements a service-shaped body holds.
	hint := min(max(bytes.Count(b[i:], []byte("{")), 1), d.maxItems, maxDataListHint)
	d.list = make([]AssociateRegistriesResponseInfo, 0, hint)
	for {
		if i >= len(b) || b[i] != '{' {
			return -1
		}
		if len(d.list) == d.maxItems {
			d.tooMany = true
			return -1
		}
		d.list = append(d.list, AssociateRegistriesResponseInfo{})
		if i = d.registry(b, i+1); i < 0 {
			return -1
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return -1
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case ']':
			return i + 1
		default:
			return -1
		}
	}
}

// registry decodes one data_list element, the last of d.list; b[i-1] is
// its '{'.
func (d *pageDecoder) registry(b []byte, i int) int {
	i = skipWS(b, i)
	if i < len(b) && b[i] == '}' {
		return i + 1
	}
	item := len(d.list) - 1
	e := &d.list[item]
	var seen [len(registryKeys)]bool
	next := 0 // index in registryTokens of the member the service sends next
	for {
		f := -1 // index in registryKeys, or -1 for an unknown key
		if next < len(registryTokens) && registryTokens[next].at(b, i) {
			// The usual member in the usual order, `"key":"`: a string value.
			f = next
			i += registryTokens[next].n
		} else {
			k, j := plainKey(b, i)
			if j < 0 {
				return -1
			}
			for n, name := range registryKeys {
				if string(k) == name {
					f = n
				} else if bytes.EqualFold(k, []byte(name)) {
					return -1 // encoding/json would match it case-insensitively
				}
			}
			if i = colon(b, j); i < 0 {
				return -1
			}
			switch {
			case f < 0:
				i, _ = skipValue(b, i, maxSkipDepth)
			case b[i] == '"':
				i++ // the string's contents
			case b[i] == 'n':
				i = literal(b, i, "null") // leaves the field as it is, as encoding/json does
				f = -1
			default:
				return -1 // a type error in encoding/json
			}
			if i < 0 {
				return -1
			}
		}
		if f >= 0 {
			if seen[f] {
				return -1
			}
			seen[f] = true
			next = f + 1
			if i = d.field(b, i, e, item, f); i < 0 {
				return -1
			}
		} else {
			next = len(registryTokens)
		}
		var more bool
		if i, more = nextMember(b, i); !more {
			return i
		}
	}
}

// field reads the string value of field f of e, whose contents start at
// b[i]: a registry type or status the SDK knows is interned, anything else
// is copied to the arena.
func (d *pageDecoder) field(b []byte, i int, e *AssociateRegistriesResponseInfo, item, f int) int {
	switch f {
	case keyRegistryType:
		if t, n := prefixRegistryType(b[i:]); n > 0 {
			e.RegistryType = t
			return i + n
		}
	case keySyncStatus:
		if st, n := prefixSyncStatus(b[i:]); n > 0 {
			e.SyncStatus = st
			return i + n
		}
	}
	end, plain := scanString(b, i)
	if end < 0 {
		return -1
	}
	if plain {
		v := b[i:end]
		switch f {
		case keyRegistryType:
			if t, ok := knownRegistryType(v); ok {
				e.RegistryType = t
				return end + 1
			}
		case keySyncStatus:
			if st, ok := knownSyncStatus(v); ok {
				e.SyncStatus = st
				return end + 1
			}
		}
		if len(v) > 0 {
			start := len(d.arena)
			d.arena = append(d.arena, v...)
			d.spans = append(d.spans, span{item: int32(item), field: int32(f), start: int32(start), end: int32(len(d.arena))})
		}
		return end + 1
	}
	start := len(d.arena)
	var next int
	if d.arena, next = appendUnquoted(d.arena, b, i); next < 0 {
		return -1
	}
	if len(d.arena) > start {
		d.spans = append(d.spans, span{item: int32(item), field: int32(f), start: int32(start), end: int32(len(d.arena))})
	}
	return next
}

// prefixRegistryType matches a known registry type and its closing quote
// at the start of b, without scanning: it returns the type and the bytes
// matched, or 0.
func prefixRegistryType(b []byte) (RegistryType, int) {
	for _, t := range knownTypes {
		if len(b) > len(t) && b[len(t)] == '"' && string(b[:len(t)]) == string(t) {
			return t, len(t) + 1
		}
	}
	return "", 0
}

// prefixSyncStatus is prefixRegistryType for statuses.
func prefixSyncStatus(b []byte) (SyncStatus, int) {
	for _, st := range knownStatuses {
		if len(b) > len(st) && b[len(st)] == '"' && string(b[:len(st)]) == string(st) {
			return st, len(st) + 1
		}
	}
	return "", 0
}

// The values prefixRegistryType and prefixSyncStatus look for, the most
// common first.
var (
	knownTypes    = [...]RegistryType{RegistryTypeSwrPrivate, RegistryTypeHarbor, RegistryTypeSwrShared, RegistryTypeSwrEnterprise, RegistryTypeJfrog, RegistryTypeOther}
	knownStatuses = [...]SyncStatus{SyncStatusFinished, SyncStatusFailed, SyncStatusRunning}
)

func knownRegistryType(v []byte) (RegistryType, bool) {
	switch string(v) {
	case "SwrPrivate":
		return RegistryTypeSwrPrivate, true
	case "SwrShared":
		return RegistryTypeSwrShared, true
	case "SwrEnterprise":
		return RegistryTypeSwrEnterprise, true
	case "Harbor":
		return RegistryTypeHarbor, true
	case "Jfrog":
		return RegistryTypeJfrog, true
	case "Other":
		return RegistryTypeOther, true
	}
	return "", false
}

func knownSyncStatus(v []byte) (SyncStatus, bool) {
	switch string(v) {
	case "finished":
		return SyncStatusFinished, true
	case "running":
		return SyncStatusRunning, true
	case "failed":
		return SyncStatusFailed, true
	}
	return "", false
}

// token is a byte string of 8 to 24 bytes compared with three (possibly
// overlapping) 8-byte loads.
type token struct {
	n, mid  int
	a, b, c uint64
}

// newToken builds the token of t; TestDecodeRegistryKeysMatchTags checks
// every t is 8 to 24 bytes long.
func newToken(t string) token {
	b := []byte(t)
	mid := len(b)/2 - 4
	return token{n: len(b), mid: mid, a: load64(b, 0), b: load64(b, mid), c: load64(b, len(b)-8)}
}

// at reports whether b[i:] starts with the token.
func (t *token) at(b []byte, i int) bool {
	return t.n >= 8 && i >= 0 && i <= len(b)-t.n &&
		load64(b, i) == t.a && load64(b, i+t.mid) == t.b && load64(b, i+t.n-8) == t.c
}

// load64 reads b[i:i+8] little-endian, in one load.
func load64(b []byte, i int) uint64 { return binary.LittleEndian.Uint64(b[i : i+8]) }

// registryTokens are the element members up to the opening quote of a
// string value, `"key":"`, in the order of registryKeys.
var registryTokens = func() (t [len(registryKeys)]token) {
	for i, k := range registryKeys {
		t[i] = newToken(`"` + k + `":"`)
	}
	return t
}()

// strSafe marks the bytes a string holds as they are: printable ASCII
// other than '"' and '\\'.
var strSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// scanString scans a string whose contents start at b[i]. It returns the
// index of the closing quote and plain = true when the string holds no
// escape, no control character and only valid UTF-8 (the value is then
// b[i:end]); otherwise plain is false and appendUnquoted must decode it.
// end is -1 when the body ends first. Plain ASCII is read eight bytes at a
// time.
func scanString(b []byte, i int) (end int, plain bool) {
	for {
		for i <= len(b)-8 {
			if m := strSpecial(load64(b, i)); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		for i < len(b) && strSafe[b[i]] {
			i++ // the last few bytes of the body
		}
		if i >= len(b) {
			return -1, false
		}
		c := b[i]
		if c == '"' {
			return i, true
		}
		if c >= utf8.RuneSelf {
			if r, size := utf8.DecodeRune(b[i:]); r != utf8.RuneError || size != 1 {
				i += size // valid UTF-8 is kept as it is
				continue
			}
		}
		return i, false // an escape, a control character or invalid UTF-8
	}
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// strSpecial flags, in the high bit of each byte, the bytes of x that a
// string does not hold as they are: '"', '\\', control characters and
// bytes from 0x80. The lowest flagged byte is exact (borrows only disturb
// the bytes above a flagged one).
func strSpecial(x uint64) uint64 {
	q := x ^ (lsb * '"')
	bs := x ^ (lsb * '\\')
	return ((x-lsb*0x20)&^x | (q-lsb)&^q | (bs-lsb)&^bs | x) & msb
}

// appendUnquoted decodes the string whose contents start at b[start] as
// encoding/json does, appending it to dst: escapes decoded, a valid
// surrogate pair combined, a lone surrogate and each byte of invalid UTF-8
// replaced by U+FFFD. Control characters and unknown escapes are syntax
// errors. It returns the index after the closing quote, or -1.
func appendUnquoted(dst, b []byte, start int) ([]byte, int) {
	i := start
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			return dst, i + 1
		case c == '\\':
			if i+1 >= len(b) {
				return dst, -1
			}
			switch e := b[i+1]; e {
			case '"', '\\', '/':
				dst = append(dst, e)
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				r := hex4(b, i+2)
				if r < 0 {
					return dst, -1
				}
				i += 6
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if i+1 < len(b) && b[i] == '\\' && b[i+1] == 'u' {
						r2 = hex4(b, i+2)
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						i += 6
						dst = utf8.AppendRune(dst, dec)
						continue
					}
					r = utf8.RuneError
				}
				dst = utf8.AppendRune(dst, r)
				continue
			default:
				return dst, -1
			}
			i += 2
		case c < 0x20:
			return dst, -1
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, size := utf8.DecodeRune(b[i:])
			dst = utf8.AppendRune(dst, r) // RuneError for invalid UTF-8, one per byte
			i += size
		}
	}
	return dst, -1
}

// hex4 reads the four hex digits of a \u escape at b[i:i+4], or returns -1.
func hex4(b []byte, i int) rune {
	if i < 0 || i+4 > len(b) {
		return -1
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// skipWS skips JSON whitespace.
func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// literal reads the literal lit (true, false or null) at b[i].
func literal(b []byte, i int, lit string) int {
	if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
		return i + len(lit)
	}
	return -1
}

// number reads a JSON number at b[i] and reports whether it is an integer
// (no fraction, no exponent). The byte after it is left to the caller.
func number(b []byte, i int) (end int, isInt bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i >= len(b) {
		return -1, false
	}
	switch c := b[i]; {
	case c == '0':
		i++
	case '1' <= c && c <= '9':
		i = digits(b, i+1)
	default:
		return -1, false
	}
	isInt = true
	if i < len(b) && b[i] == '.' {
		isInt = false
		j := digits(b, i+1)
		if j == i+1 {
			return -1, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		isInt = false
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return -1, false
		}
		i = j
	}
	return i, isInt
}

func digits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

// skipValue validates and skips the value at b[i] (whitespace already
// skipped). Objects and arrays are walked iteratively; a stack entry per
// open container tells an object (true) from an array. A value nested
// deeper than maxDepth stops it with deep set.
func skipValue(b []byte, i int, maxDepth int) (end int, deep bool) {
	var buf [maxSkipDepth]bool
	stack := buf[:0] // open containers inside the skipped value
	for {
		// A value starts at b[i].
		if i >= len(b) {
			return -1, false
		}
		switch c := b[i]; {
		case c == '{' || c == '[':
			if len(stack) == maxDepth {
				return -1, true
			}
			i = skipWS(b, i+1)
			if c == '[' {
				if i < len(b) && b[i] == ']' {
					i++
					break // [] is a whole value
				}
				stack = append(stack, false)
				continue // its first element
			}
			if i < len(b) && b[i] == '}' {
				i++
				break // {} is a whole value
			}
			stack = append(stack, true)
			if i = skipKey(b, i); i < 0 {
				return -1, false
			}
			continue // its first member's value
		case c == '"':
			i = skipString(b, i+1)
		case c == 't':
			i = literal(b, i, "true")
		case c == 'f':
			i = literal(b, i, "false")
		case c == 'n':
			i = literal(b, i, "null")
		case c == '-' || '0' <= c && c <= '9':
			i, _ = number(b, i)
		default:
			return -1, false
		}
		if i < 0 {
			return -1, false
		}
		// A value ended: close containers until one goes on with ','.
	closing:
		for {
			if len(stack) == 0 {
				return i, false
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return -1, false
			}
			obj := stack[len(stack)-1]
			switch c := b[i]; {
			case c == ',':
				i = skipWS(b, i+1)
				if obj {
					if i = skipKey(b, i); i < 0 {
						return -1, false
					}
				}
				break closing // the next value
			case obj && c == '}', !obj && c == ']':
				i++
				stack = stack[:len(stack)-1]
			default:
				return -1, false
			}
		}
	}
}

// skipKey skips an object key at b[i] and the ':' after it, and returns
// the index of the value.
func skipKey(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	if i = skipString(b, i+1); i < 0 {
		return -1
	}
	return colon(b, i)
}

// skipString validates a string whose contents start at b[i] and returns
// the index after its closing quote. Like encoding/json's scanner it
// accepts any byte from 0x80 up; only decoding replaces invalid UTF-8.
func skipString(b []byte, i int) int {
	for i < len(b) {
		c := b[i]
		if strSafe[c] {
			i++
			continue
		}
		switch {
		case c == '"':
			return i + 1
		case c == '\\':
			if i+1 >= len(b) {
				return -1
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if hex4(b, i+2) < 0 {
					return -1
				}
				i += 6
			default:
				return -1
			}
		case c < 0x20:
			return -1
		default:
			i++
		}
	}
	return -1
}

// nextMember moves past what follows an object member: after a ',' it
// returns the index of the next key and more = true; after the closing
// '}' the index just past it and more = false; -1 on anything else.
func nextMember(b []byte, i int) (next int, more bool) {
	i = skipWS(b, i)
	if i >= len(b) {
		return -1, false
	}
	switch b[i] {
	case ',':
		return skipWS(b, i+1), true
	case '}':
		return i + 1, false
	}
	return -1, false
}
