package hss

import (
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The fast decoder for ListSyncTaskRegistriesResponse. It mirrors what
// encoding/json (v1) does for this one type:
//
//   - the whole input must be valid JSON (RFC 8259 syntax, only " \t\r\n"
//     as whitespace, nothing but whitespace after the object);
//   - keys are unquoted, then matched exactly, else case-insensitively with
//     Unicode simple folding (so "TOTAL_NUM" and "regiſtry_id", with a long
//     s, match); unmatched keys are skipped, their values still validated;
//   - a later duplicate key wins; null leaves a string or int field as it
//     is and sets data_list to nil; [] gives an empty, non-nil slice;
//   - a second data_list decodes into the existing slice element by element
//     (fields it does not set keep their values), growing the slice as
//     reflect does and truncating it at the end, so elements beyond a
//     truncation are reused as encoding/json reuses them;
//   - string values have escapes decoded, lone surrogates and invalid
//     UTF-8 replaced by U+FFFD;
//   - total_num must be an integer literal that fits in int.
//
// Whatever it cannot decode exactly (any error, and values of unknown
// fields nested deeper than maxSkipDepth) makes it decline; the caller then
// runs encoding/json. Every method returns the index after what it read,
// or -1 to decline.

// maxSkipDepth bounds the nesting of an unknown field's value that the
// fast path skips; deeper values go to encoding/json, which applies its
// own limit (10000).
const maxSkipDepth = 64

// Field numbers, per object level.
const (
	fieldUnknown = iota
	fieldTotalNum
	fieldDataList
	fieldRegistryID
	fieldRegistryName
	fieldRegistryType
	fieldSyncStatus
	fieldFailedReason
)

// maxDataListHint caps the pre-sizing of DataList; a longer list grows by
// append.
const maxDataListHint = 1024

type pageDecoder struct {
	total int
	list  []AssociateRegistriesResponseInfo
	// deep is set when the decoder declined only because of nesting
	// deeper than maxSkipDepth (tests tell that from a bug).
	deep bool
	// sized is set once DataList has been pre-sized.
	sized bool
}

// decode decodes s, the whole body, and reports success.
func (d *pageDecoder) decode(s string) bool {
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return false
	}
	i = d.object(s, i+1)
	if i < 0 {
		return false
	}
	return skipWS(s, i) == len(s)
}

// object decodes the top-level object; s[i-1] is its '{'.
func (d *pageDecoder) object(s string, i int) int {
	i = skipWS(s, i)
	if i < len(s) && s[i] == '}' {
		return i + 1
	}
	for {
		if i >= len(s) || s[i] != '"' {
			return -1
		}
		var f int
		f, i = readKey(s, i+1, topField)
		if i < 0 {
			return -1
		}
		if i = colon(s, i); i < 0 {
			return -1
		}
		switch f {
		case fieldTotalNum:
			i = d.totalNum(s, i)
		case fieldDataList:
			i = d.dataList(s, i)
		default:
			i = d.skipValue(s, i)
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
	if s[i] == 'n' {
		return literal(s, i, "null")
	}
	start := i
	end, isInt := number(s, i)
	if end < 0 || !isInt {
		return -1 // a syntax error, or a number that does not fit an int
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
	switch s[i] {
	case 'n':
		d.list = nil
		return literal(s, i, "null")
	case '[':
	default:
		return -1
	}
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == ']' {
		// encoding/json replaces the slice with a new empty one.
		d.list = []AssociateRegistriesResponseInfo{}
		return i + 1
	}
	list := d.list
	n := 0
	for {
		if i >= len(s) {
			return -1
		}
		// Extend the slice as encoding/json does (reflect.Value.Grow(1),
		// then SetLen): an element past the length but within the
		// capacity keeps what an earlier data_list left there.
		if n >= len(list) {
			switch {
			case n < cap(list):
				list = list[:n+1]
			case cap(list) == 0:
				// Pre-size the first backing array by counting the '{'
				// left in the body (a cheap upper bound on the elements
				// a service-shaped body holds). Only once: a body that
				// resets data_list over and over must not make the
				// decoder count (or allocate) over and over.
				hint := 1
				if !d.sized {
					d.sized = true
					hint = min(max(strings.Count(s[i:], "{"), 1), maxDataListHint)
				}
				list = make([]AssociateRegistriesResponseInfo, 1, hint)
			default:
				list = append(list, AssociateRegistriesResponseInfo{})
			}
		}
		switch s[i] {
		case '{':
			i = d.registry(s, i+1, &list[n])
		case 'n':
			i = literal(s, i, "null") // leaves the element as it is
		default:
			return -1
		}
		if i < 0 {
			return -1
		}
		n++
		i = skipWS(s, i)
		if i >= len(s) {
			return -1
		}
		switch s[i] {
		case ',':
			i = skipWS(s, i+1)
		case ']':
			d.list = list[:n]
			return i + 1
		default:
			return -1
		}
	}
}

// registry decodes one data_list element into e; s[i-1] is its '{'.
func (d *pageDecoder) registry(s string, i int, e *AssociateRegistriesResponseInfo) int {
	i = skipWS(s, i)
	if i < len(s) && s[i] == '}' {
		return i + 1
	}
	next := 0 // index in registryTokens of the member the service sends next
	for {
		var f int
		var v string
		if next < len(registryTokens) && registryTokens[next].at(s, i) {
			// The usual member in the usual order, `"key":"`: an exact
			// key match (its bytes hold no escape) and a string value.
			f = fieldRegistryID + next
			if v, i = readString(s, i+registryTokens[next].n); i < 0 {
				return -1
			}
			next++
		} else {
			if i >= len(s) || s[i] != '"' {
				return -1
			}
			if f, i = readKey(s, i+1, registryField); i < 0 {
				return -1
			}
			next = len(registryTokens)
			if f != fieldUnknown {
				next = f - fieldRegistryID + 1
			}
			if i = colon(s, i); i < 0 {
				return -1
			}
			switch {
			case f == fieldUnknown:
				i = d.skipValue(s, i)
			case s[i] == '"':
				v, i = readString(s, i+1)
			case s[i] == 'n':
				i = literal(s, i, "null") // leaves the field as it is
				f = fieldUnknown
			default:
				return -1 // a type error in encoding/json
			}
			if i < 0 {
				return -1
			}
		}
		switch f {
		case fieldRegistryID:
			e.RegistryID = v
		case fieldRegistryName:
			e.RegistryName = v
		case fieldRegistryType:
			e.RegistryType = internRegistryType(v)
		case fieldSyncStatus:
			e.SyncStatus = internSyncStatus(v)
		case fieldFailedReason:
			e.FailedReason = v
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

func newToken(t string) token {
	if len(t) < 8 || len(t) > 24 {
		panic("hss: token length out of range")
	}
	mid := len(t)/2 - 4
	return token{n: len(t), mid: mid, a: load64(t, 0), b: load64(t, mid), c: load64(t, len(t)-8)}
}

// at reports whether s[i:] starts with the token.
func (t *token) at(s string, i int) bool {
	return i >= 0 && i <= len(s)-t.n &&
		load64(s, i) == t.a && load64(s, i+t.mid) == t.b && load64(s, i+t.n-8) == t.c
}

// load64 reads s[i:i+8] little-endian; the compiler makes it one load.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// registryTokens are the element members up to the opening quote of a
// string value, in the order the service sends them and of the field
// numbers; registry tries them in turn before the general path.
var registryTokens = [...]token{
	newToken(`"registry_id":"`),
	newToken(`"registry_name":"`),
	newToken(`"registry_type":"`),
	newToken(`"sync_status":"`),
	newToken(`"failed_reason":"`),
}

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

// topField and registryField map an unquoted key to a field as
// encoding/json does: exact name first, then a case-insensitive match.
// strings.EqualFold is the same relation as encoding/json's foldName
// equality (Unicode simple folding rune by rune).
func topField(k string) int {
	switch k {
	case "total_num":
		return fieldTotalNum
	case "data_list":
		return fieldDataList
	}
	switch {
	case strings.EqualFold(k, "total_num"):
		return fieldTotalNum
	case strings.EqualFold(k, "data_list"):
		return fieldDataList
	}
	return fieldUnknown
}

func registryField(k string) int {
	switch k {
	case "registry_id":
		return fieldRegistryID
	case "registry_name":
		return fieldRegistryName
	case "registry_type":
		return fieldRegistryType
	case "sync_status":
		return fieldSyncStatus
	case "failed_reason":
		return fieldFailedReason
	}
	switch {
	case strings.EqualFold(k, "registry_id"):
		return fieldRegistryID
	case strings.EqualFold(k, "registry_name"):
		return fieldRegistryName
	case strings.EqualFold(k, "registry_type"):
		return fieldRegistryType
	case strings.EqualFold(k, "sync_status"):
		return fieldSyncStatus
	case strings.EqualFold(k, "failed_reason"):
		return fieldFailedReason
	}
	return fieldUnknown
}

// readKey reads a key whose contents start at s[i] and maps it with
// lookup. It returns the field and the index after the closing quote.
func readKey(s string, i int, lookup func(string) int) (int, int) {
	start := i
	for i < len(s) {
		c := s[i]
		if c == '"' {
			return lookup(s[start:i]), i + 1
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			k, end := unquoteSlow(s, start)
			if end < 0 {
				return fieldUnknown, -1
			}
			return lookup(k), end
		}
		i++
	}
	return fieldUnknown, -1
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
// skipped). Objects and arrays are walked iteratively; a stack bit per open
// container tells an object (1) from an array (0).
func (d *pageDecoder) skipValue(s string, i int) int {
	var stack uint64
	n := 0 // open containers inside the skipped value
	for {
		// A value starts at s[i].
		if i >= len(s) {
			return -1
		}
		switch c := s[i]; {
		case c == '{' || c == '[':
			if n == maxSkipDepth {
				d.deep = true
				return -1
			}
			i = skipWS(s, i+1)
			if c == '[' {
				if i < len(s) && s[i] == ']' {
					i++
					break // [] is a whole value
				}
				stack <<= 1
				n++
				continue // its first element
			}
			if i < len(s) && s[i] == '}' {
				i++
				break // {} is a whole value
			}
			stack = stack<<1 | 1
			n++
			if i = skipKey(s, i); i < 0 {
				return -1
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
			return -1
		}
		if i < 0 {
			return -1
		}
		// A value ended: close containers until one goes on with ','.
	closing:
		for {
			if n == 0 {
				return i
			}
			i = skipWS(s, i)
			if i >= len(s) {
				return -1
			}
			obj := stack&1 == 1
			switch c := s[i]; {
			case c == ',':
				i = skipWS(s, i+1)
				if obj {
					if i = skipKey(s, i); i < 0 {
						return -1
					}
				}
				break closing // the next value
			case obj && c == '}', !obj && c == ']':
				i++
				stack >>= 1
				n--
			default:
				return -1
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
