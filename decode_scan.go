package hss

import (
	"math/bits"
	"strconv"
	"strings"
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
// FuzzDecodeDifferential checks that. Every method returns the index after
// what it read, or -1 to stop.

// maxSkipDepth bounds the nesting of an unknown field's value that the
// fast path skips; deeper values go to encoding/json, which applies its
// own limit (10000).
const maxSkipDepth = 64

// maxDataListHint caps the pre-sizing of DataList.
const maxDataListHint = 1024

// registryKeys are the JSON names of AssociateRegistriesResponseInfo's
// fields, in the order the service sends them. TestFastPathCoversEveryField
// checks them against the struct tags.
var registryKeys = [...]string{"registry_id", "registry_name", "registry_type", "sync_status", "failed_reason"}

// Top-level fields.
const (
	topUnknown = iota
	topTotalNum
	topDataList
)

type pageDecoder struct {
	total    int
	list     []AssociateRegistriesResponseInfo
	maxItems int
	// tooMany is set when data_list holds more than maxItems elements:
	// an error, not a reason to decline.
	tooMany bool
}

// decode decodes s, the whole body, and reports success.
func (d *pageDecoder) decode(s string) bool {
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return false
	}
	i = d.object(s, i+1)
	return i >= 0 && skipWS(s, i) == len(s)
}

// object decodes the top-level object; s[i-1] is its '{'.
func (d *pageDecoder) object(s string, i int) int {
	i = skipWS(s, i)
	if i < len(s) && s[i] == '}' {
		d.list = nil
		return i + 1
	}
	var seen [3]bool
	for {
		k, j := plainKey(s, i)
		if j < 0 {
			return -1
		}
		f := topUnknown
		switch {
		case k == "total_num":
			f = topTotalNum
		case k == "data_list":
			f = topDataList
		case strings.EqualFold(k, "total_num"), strings.EqualFold(k, "data_list"):
			return -1 // encoding/json would match it case-insensitively
		}
		if f != topUnknown {
			if seen[f] {
				return -1
			}
			seen[f] = true
		}
		if i = colon(s, j); i < 0 {
			return -1
		}
		switch f {
		case topTotalNum:
			i = d.totalNum(s, i)
		case topDataList:
			i = d.dataList(s, i)
		default:
			i, _ = skipValue(s, i, maxSkipDepth)
		}
		if i < 0 {
			return -1
		}
		var more bool
		if i, more = nextMember(s, i); !more {
			return i
		}
	}
}

// plainKey reads the key at s[i] (its opening quote) when it holds only
// printable ASCII without escapes; it returns the key and the index after
// the closing quote, or -1.
func plainKey(s string, i int) (string, int) {
	if i >= len(s) || s[i] != '"' {
		return "", -1
	}
	start := i + 1
	for j := start; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			return s[start:j], j + 1
		case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
			return "", -1
		}
	}
	return "", -1
}

// colon reads the ':' after a key and the whitespace around it; the
// result indexes the first byte of the value, which exists.
func colon(s string, i int) int {
	if i >= 0 && i < len(s)-1 && s[i] == ':' && s[i+1] > ' ' {
		return i + 1 // no whitespace: the usual case
	}
	i = skipWS(s, i)
	if i >= len(s) || s[i] != ':' {
		return -1
	}
	i = skipWS(s, i+1)
	if i >= len(s) {
		return -1
	}
	return i
}

func (d *pageDecoder) totalNum(s string, i int) int {
	start := i
	end, isInt := number(s, i)
	if end < 0 || !isInt {
		return -1 // null, a string, a fraction, or a syntax error
	}
	n, err := strconv.ParseInt(s[start:end], 10, strconv.IntSize)
	if err != nil {
		return -1
	}
	d.total = int(n)
	return end
}

// dataList decodes the data_list value at s[i].
func (d *pageDecoder) dataList(s string, i int) int {
	if s[i] != '[' {
		return -1
	}
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == ']' {
		d.list = []AssociateRegistriesResponseInfo{}
		return i + 1
	}
	// Pre-size by counting the '{' left in the body, a cheap upper bound
	// on the elements a service-shaped body holds.
	hint := min(max(strings.Count(s[i:], "{"), 1), d.maxItems, maxDataListHint)
	list := make([]AssociateRegistriesResponseInfo, 0, hint)
	for {
		if i >= len(s) || s[i] != '{' {
			return -1
		}
		if len(list) == d.maxItems {
			d.tooMany = true
			return -1
		}
		list = append(list, AssociateRegistriesResponseInfo{})
		if i = registry(s, i+1, &list[len(list)-1]); i < 0 {
			return -1
		}
		i = skipWS(s, i)
		if i >= len(s) {
			return -1
		}
		switch s[i] {
		case ',':
			i = skipWS(s, i+1)
		case ']':
			d.list = list
			return i + 1
		default:
			return -1
		}
	}
}

// registry decodes one data_list element into e; s[i-1] is its '{'.
func registry(s string, i int, e *AssociateRegistriesResponseInfo) int {
	i = skipWS(s, i)
	if i < len(s) && s[i] == '}' {
		return i + 1
	}
	var seen [len(registryKeys)]bool
	next := 0 // index in registryTokens of the member the service sends next
	for {
		f := -1 // index in registryKeys, or -1 for an unknown key
		var v string
		if next < len(registryTokens) && registryTokens[next].at(s, i) {
			// The usual member in the usual order, `"key":"`: a string value.
			f = next
			if v, i = readString(s, i+registryTokens[next].n); i < 0 {
				return -1
			}
		} else {
			k, j := plainKey(s, i)
			if j < 0 {
				return -1
			}
			for n, name := range registryKeys {
				if k == name {
					f = n
				} else if strings.EqualFold(k, name) {
					return -1 // encoding/json would match it case-insensitively
				}
			}
			if i = colon(s, j); i < 0 {
				return -1
			}
			switch {
			case f < 0:
				i, _ = skipValue(s, i, maxSkipDepth)
			case s[i] == '"':
				v, i = readString(s, i+1)
			case s[i] == 'n':
				i = literal(s, i, "null") // leaves the field empty
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
			switch f {
			case 0:
				e.RegistryID = v
			case 1:
				e.RegistryName = v
			case 2:
				e.RegistryType = internRegistryType(v)
			case 3:
				e.SyncStatus = internSyncStatus(v)
			case 4:
				e.FailedReason = v
			}
		} else {
			next = len(registryTokens)
		}
		var more bool
		if i, more = nextMember(s, i); !more {
			return i
		}
	}
}

// token is a byte string of 8 to 24 bytes compared with three (possibly
// overlapping) 8-byte loads.
type token struct {
	n, mid  int
	a, b, c uint64
}

// newToken builds the token of t; TestRegistryTokens checks every t is
// 8 to 24 bytes long.
func newToken(t string) token {
	mid := len(t)/2 - 4
	return token{n: len(t), mid: mid, a: load64(t, 0), b: load64(t, mid), c: load64(t, len(t)-8)}
}

// at reports whether s[i:] starts with the token.
func (t *token) at(s string, i int) bool {
	return t.n >= 8 && i >= 0 && i <= len(s)-t.n &&
		load64(s, i) == t.a && load64(s, i+t.mid) == t.b && load64(s, i+t.n-8) == t.c
}

// load64 reads s[i:i+8] little-endian; the compiler makes it one load.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// registryTokens are the element members up to the opening quote of a
// string value, `"key":"`, in the order of registryKeys.
var registryTokens = func() (t [len(registryKeys)]token) {
	for i, k := range registryKeys {
		t[i] = newToken(`"` + k + `":"`)
	}
	return t
}()

func internRegistryType(v string) RegistryType {
	switch v {
	case "SwrPrivate":
		return RegistryTypeSwrPrivate
	case "SwrShared":
		return RegistryTypeSwrShared
	case "SwrEnterprise":
		return RegistryTypeSwrEnterprise
	case "Harbor":
		return RegistryTypeHarbor
	case "Jfrog":
		return RegistryTypeJfrog
	case "Other":
		return RegistryTypeOther
	}
	return RegistryType(v)
}

func internSyncStatus(v string) SyncStatus {
	switch v {
	case "finished":
		return SyncStatusFinished
	case "running":
		return SyncStatusRunning
	case "failed":
		return SyncStatusFailed
	}
	return SyncStatus(v)
}

// strSafe marks the bytes a string holds as they are: printable ASCII
// other than '"' and '\\'.
var strSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// readString reads a string value whose contents start at s[i]. A string
// without escapes or invalid UTF-8 is a substring of s; others are decoded
// into new memory. It returns the value and the index after the closing
// quote. Plain ASCII is skipped eight bytes at a time.
func readString(s string, i int) (string, int) {
	start := i
	for {
		for i <= len(s)-8 {
			if m := strSpecial(load64(s, i)); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		for i < len(s) && strSafe[s[i]] {
			i++ // the last few bytes of the body
		}
		if i >= len(s) {
			return "", -1
		}
		c := s[i]
		if c == '"' {
			return s[start:i], i + 1
		}
		if c >= utf8.RuneSelf {
			if r, size := utf8.DecodeRuneInString(s[i:]); r != utf8.RuneError || size != 1 {
				i += size // valid UTF-8 is kept as it is
				continue
			}
		}
		return unquoteSlow(s, start) // an escape, a control character or invalid UTF-8
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

// unquoteSlow decodes the string whose contents start at s[start] as
// encoding/json does: escapes decoded, a valid surrogate pair combined,
// a lone surrogate and each byte of invalid UTF-8 replaced by U+FFFD.
// Control characters and unknown escapes are syntax errors.
func unquoteSlow(s string, start int) (string, int) {
	var b strings.Builder
	b.Grow(max(0, min(len(s)-start, 64)))
	i := start
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			return b.String(), i + 1
		case c == '\\':
			if i+1 >= len(s) {
				return "", -1
			}
			switch e := s[i+1]; e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r := hex4(s, i+2)
				if r < 0 {
					return "", -1
				}
				i += 6
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
						r2 = hex4(s, i+2)
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						i += 6
						b.WriteRune(dec)
						continue
					}
					r = utf8.RuneError
				}
				b.WriteRune(r)
				continue
			default:
				return "", -1
			}
			i += 2
		case c < 0x20:
			return "", -1
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			b.WriteRune(r) // RuneError for invalid UTF-8, one per byte
			i += size
		}
	}
	return "", -1
}

// hex4 reads the four hex digits of a \u escape at s[i:i+4], or returns -1.
func hex4(s string, i int) rune {
	if i < 0 || i+4 > len(s) {
		return -1
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
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
func skipWS(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// literal reads the literal lit (true, false or null) at s[i].
func literal(s string, i int, lit string) int {
	if strings.HasPrefix(s[i:], lit) {
		return i + len(lit)
	}
	return -1
}

// number reads a JSON number at s[i] and reports whether it is an integer
// (no fraction, no exponent). The byte after it is left to the caller.
func number(s string, i int) (end int, isInt bool) {
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) {
		return -1, false
	}
	switch c := s[i]; {
	case c == '0':
		i++
	case '1' <= c && c <= '9':
		i = digits(s, i+1)
	default:
		return -1, false
	}
	isInt = true
	if i < len(s) && s[i] == '.' {
		isInt = false
		j := digits(s, i+1)
		if j == i+1 {
			return -1, false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		isInt = false
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(s, i)
		if j == i {
			return -1, false
		}
		i = j
	}
	return i, isInt
}

func digits(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

// skipValue validates and skips the value at s[i] (whitespace already
// skipped). Objects and arrays are walked iteratively; a stack entry per
// open container tells an object (true) from an array. A value nested
// deeper than maxDepth stops it with deep set.
func skipValue(s string, i int, maxDepth int) (end int, deep bool) {
	var buf [maxSkipDepth]bool
	stack := buf[:0] // open containers inside the skipped value
	for {
		// A value starts at s[i].
		if i >= len(s) {
			return -1, false
		}
		switch c := s[i]; {
		case c == '{' || c == '[':
			if len(stack) == maxDepth {
				return -1, true
			}
			i = skipWS(s, i+1)
			if c == '[' {
				if i < len(s) && s[i] == ']' {
					i++
					break // [] is a whole value
				}
				stack = append(stack, false)
				continue // its first element
			}
			if i < len(s) && s[i] == '}' {
				i++
				break // {} is a whole value
			}
			stack = append(stack, true)
			if i = skipKey(s, i); i < 0 {
				return -1, false
			}
			continue // its first member's value
		case c == '"':
			i = skipString(s, i+1)
		case c == 't':
			i = literal(s, i, "true")
		case c == 'f':
			i = literal(s, i, "false")
		case c == 'n':
			i = literal(s, i, "null")
		case c == '-' || '0' <= c && c <= '9':
			i, _ = number(s, i)
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
			i = skipWS(s, i)
			if i >= len(s) {
				return -1, false
			}
			obj := stack[len(stack)-1]
			switch c := s[i]; {
			case c == ',':
				i = skipWS(s, i+1)
				if obj {
					if i = skipKey(s, i); i < 0 {
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

// skipKey skips an object key at s[i] and the ':' after it, and returns
// the index of the value.
func skipKey(s string, i int) int {
	if i >= len(s) || s[i] != '"' {
		return -1
	}
	if i = skipString(s, i+1); i < 0 {
		return -1
	}
	return colon(s, i)
}

// skipString validates a string whose contents start at s[i] and returns
// the index after its closing quote. Like encoding/json's scanner it
// accepts any byte from 0x80 up; only decoding replaces invalid UTF-8.
func skipString(s string, i int) int {
	for i < len(s) {
		c := s[i]
		if strSafe[c] {
			i++
			continue
		}
		switch {
		case c == '"':
			return i + 1
		case c == '\\':
			if i+1 >= len(s) {
				return -1
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if hex4(s, i+2) < 0 {
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
func nextMember(s string, i int) (next int, more bool) {
	i = skipWS(s, i)
	if i >= len(s) {
		return -1, false
	}
	switch s[i] {
	case ',':
		return skipWS(s, i+1), true
	case '}':
		return i + 1, false
	}
	return -1, false
}
