package hss

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
)

// decodeRegistriesPage decodes a 2xx body into out's TotalNum and DataList
// (RequestID is left alone). It requires a JSON object and refuses a
// data_list of more than maxItems elements; otherwise its result is the one
// json.Unmarshal gives into a fresh ListSyncTaskRegistriesResponse, or both
// fail.
//
// A schema-specific one-pass decoder (decode_scan.go) handles the bodies
// the service sends. It copies body once, into one string, and takes every
// plain string value as a substring of it, so a page costs two allocations
// (that string and the DataList backing array) whatever its length; strings
// with escapes are decoded on their own, and registry types and statuses
// are interned to the package constants. Anything it does not expect goes
// to encoding/json instead, after a count that keeps a hostile body from
// making it allocate more elements than maxItems.
//
// Retention: every string of a page shares the page's one body string, so
// a caller that keeps one RegistryID keeps that page's body (about 25 KiB
// for 200 registries) alive; strings.Clone what you keep from many pages.
func decodeRegistriesPage(body []byte, out *ListSyncTaskRegistriesResponse, maxItems int) error {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errors.New("body is not a JSON object")
	}
	s := string(body)
	d := pageDecoder{maxItems: maxItems}
	if d.decode(s) {
		out.TotalNum, out.DataList = d.total, d.list
		return nil
	}
	if d.tooMany {
		return tooManyItems(maxItems)
	}
	fallbacks.Add(1)
	return decodeWithEncodingJSON(body, s, out, maxItems)
}

// decodeWithEncodingJSON is the fallback: encoding/json, once the body's
// data_list is known to be short enough.
func decodeWithEncodingJSON(body []byte, s string, out *ListSyncTaskRegistriesResponse, maxItems int) error {
	n, ok := listLenBound(s)
	if !ok && json.Valid(body) {
		// The counter reads every valid document; should it ever not,
		// refuse rather than decode without a bound.
		return errors.New("data_list could not be counted")
	}
	if n > maxItems {
		return tooManyItems(maxItems)
	}
	var fresh ListSyncTaskRegistriesResponse
	if err := json.Unmarshal(body, &fresh); err != nil {
		return err
	}
	out.TotalNum, out.DataList = fresh.TotalNum, fresh.DataList
	return nil
}

func tooManyItems(maxItems int) error {
	return fmt.Errorf("data_list holds more than %d registries, more than a page can", maxItems)
}

// jsonMaxDepth is encoding/json's nesting limit.
const jsonMaxDepth = 10000

// listLenBound returns the length of the longest data_list of the body s,
// matching keys as encoding/json does (case-insensitively, after
// unescaping), so the fallback never lets encoding/json build a longer
// slice. ok is false when s is not a JSON object, which encoding/json
// refuses before decoding anything.
func listLenBound(s string) (n int, ok bool) {
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return 0, false
	}
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == '}' {
		return 0, skipWS(s, i+1) == len(s)
	}
	for {
		k, j := plainKey(s, i)
		if j < 0 && i < len(s) && s[i] == '"' {
			k, j = unquoteSlow(s, i+1) // an escaped or non-ASCII key
		}
		if j < 0 {
			return 0, false
		}
		if i = colon(s, j); i < 0 {
			return 0, false
		}
		if strings.EqualFold(k, "data_list") && s[i] == '[' {
			var count int
			if count, i = countElements(s, i); i < 0 {
				return 0, false
			}
			n = max(n, count)
		} else if i, _ = skipValue(s, i, jsonMaxDepth); i < 0 {
			return 0, false
		}
		var more bool
		if i, more = nextMember(s, i); !more {
			return n, i >= 0 && skipWS(s, i) == len(s)
		}
	}
}

// countElements counts the elements of the array at s[i] and returns the
// index after it.
func countElements(s string, i int) (int, int) {
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == ']' {
		return 0, i + 1
	}
	n := 0
	for {
		if i, _ = skipValue(s, i, jsonMaxDepth); i < 0 {
			return 0, -1
		}
		n++
		i = skipWS(s, i)
		if i >= len(s) {
			return 0, -1
		}
		switch s[i] {
		case ',':
			i = skipWS(s, i+1)
		case ']':
			return n, i + 1
		default:
			return 0, -1
		}
	}
}

// fallbacks counts bodies decoded by encoding/json; tests check that
// well-formed service output never needs it.
var fallbacks atomic.Int64
