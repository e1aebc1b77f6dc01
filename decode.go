package hss

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
)

// decodeRegistriesPage decodes a 2xx body into out's TotalNum and DataList
// (RequestID is left alone). It requires a JSON object and refuses a
// data_list of more than maxItems elements; otherwise its result is the one
// json.Unmarshal gives into a fresh ListSyncTaskRegistriesResponse, or both
// fail.
//
// A schema-specific one-pass decoder (decode_scan.go) handles the bodies
// the service sends. It reads body where it lies and copies only the string
// values, once, into one string that every value is a substring of, so a
// page costs two allocations (that string and the DataList backing array)
// whatever its length; registry types and statuses are interned to the
// package constants. Anything it does not expect goes to encoding/json
// instead, after a count that keeps a hostile body from making it allocate
// more elements than maxItems. body may be reused once this returns.
//
// Retention: the strings of a page share one copy of its values (a few KiB
// for 200 registries), so a caller that keeps one RegistryID keeps that
// copy alive; strings.Clone what you keep from many pages.
func decodeRegistriesPage(body []byte, out *ListSyncTaskRegistriesResponse, maxItems int) error {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errors.New("body is not a JSON object")
	}
	d := pageDecoder{maxItems: maxItems}
	if d.decode(body) {
		out.TotalNum, out.DataList = d.total, d.list
		return nil
	}
	if d.tooMany {
		return tooManyItems(maxItems)
	}
	fallbacks.Add(1)
	return decodeWithEncodingJSON(body, out, maxItems)
}

// decodeWithEncodingJSON is the fallback: encoding/json, once the body's
// data_list is known to be short enough.
func decodeWithEncodingJSON(body []byte, out *ListSyncTaskRegistriesResponse, maxItems int) error {
	n, ok := listLenBound(body)
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
	if fresh.TotalNum < 0 {
		return negativeTotal(fresh.TotalNum)
	}
	out.TotalNum, out.DataList = fresh.TotalNum, fresh.DataList
	return nil
}

// negativeTotal is the error of a total_num below zero, which no listing
// can have.
func negativeTotal(n int) error {
	return fmt.Errorf("total_num is %d: a count cannot be negative", n)
}

func tooManyItems(maxItems int) error {
	return fmt.Errorf("data_list holds more than %d registries, more than a page can", maxItems)
}

// jsonMaxDepth is encoding/json's nesting limit.
const jsonMaxDepth = 10000

// listLenBound returns the length of the longest data_list of the body b,
// matching keys as encoding/json does (case-insensitively, after
// unescaping), so the fallback never lets encoding/json build a longer
// slice. ok is false when b is not a JSON object, which encoding/json
// refuses before decoding anything.
func listLenBound(b []byte) (n int, ok bool) {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return 0, false
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return 0, skipWS(b, i+1) == len(b)
	}
	var unquoted []byte
	for {
		k, j := plainKey(b, i)
		if j < 0 && i < len(b) && b[i] == '"' {
			unquoted, j = appendUnquoted(unquoted[:0], b, i+1) // an escaped or non-ASCII key
			k = unquoted
		}
		if j < 0 {
			return 0, false
		}
		if i = colon(b, j); i < 0 {
			return 0, false
		}
		if bytes.EqualFold(k, []byte("data_list")) && b[i] == '[' {
			var count int
			if count, i = countElements(b, i); i < 0 {
				return 0, false
			}
			n = max(n, count)
		} else if i, _ = skipValue(b, i, jsonMaxDepth); i < 0 {
			return 0, false
		}
		var more bool
		if i, more = nextMember(b, i); !more {
			return n, i >= 0 && skipWS(b, i) == len(b)
		}
	}
}

// countElements counts the elements of the array at b[i] and returns the
// index after it.
func countElements(b []byte, i int) (int, int) {
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return 0, i + 1
	}
	n := 0
	for {
		if i, _ = skipValue(b, i, jsonMaxDepth); i < 0 {
			return 0, -1
		}
		n++
		i = skipWS(b, i)
		if i >= len(b) {
			return 0, -1
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
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
