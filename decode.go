package hss

import (
	"bytes"
	"encoding/json"
	"errors"
)

// decodeRegistriesPage decodes a 2xx body into out's TotalNum and DataList
// (RequestID is left alone). It accepts exactly what encoding/json accepts
// for the response type, and additionally requires the body to be a JSON
// object: on every input its result is the one json.Unmarshal gives into a
// fresh ListSyncTaskRegistriesResponse, or both fail.
//
// Design. A schema-specific, one-pass decoder (decode_scan.go) handles the
// bodies the service sends. It copies body once, into one string, and
// takes every plain string value as a substring of it, so a page costs two
// allocations (that string and the DataList backing array, pre-sized by
// counting '{'), whatever its length; strings with escapes or invalid
// UTF-8 are decoded on their own, and registry types and sync statuses are
// interned to the package constants. body itself is pooled by the caller
// and is never referenced after this returns.
//
// The fast path only ever answers with a result it has proven to be
// encoding/json's; whenever it cannot (any syntax or type error, which the
// service does not send, and unknown values nested more than
// maxSkipDepth deep), it declines and encoding/json decodes the body
// instead. So errors are encoding/json's own (*json.SyntaxError,
// *json.UnmarshalTypeError, ...), and a rare shape costs speed, never
// correctness. FuzzDecodeDifferential checks the fast path against
// encoding/json.
//
// Retention: every string of a page shares the page's one body string, so
// a caller that keeps one RegistryID keeps that page's body (about 25 KiB
// for 200 registries) alive; strings.Clone what you keep from many pages.
func decodeRegistriesPage(body []byte, out *ListSyncTaskRegistriesResponse) error {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errors.New("body is not a JSON object")
	}
	var d pageDecoder
	if d.decodeSafe(string(body)) {
		out.TotalNum, out.DataList = d.total, d.list
		return nil
	}
	var fresh ListSyncTaskRegistriesResponse
	if err := json.Unmarshal(body, &fresh); err != nil {
		return err
	}
	out.TotalNum, out.DataList = fresh.TotalNum, fresh.DataList
	return nil
}

// decodeSafe runs the fast path and reports whether it produced the
// result. A panic would be a bug in the fast path (the fuzz test runs it
// without this guard); should one ever happen on hostile bytes, the body
// goes to encoding/json instead of crashing the caller.
func (d *pageDecoder) decodeSafe(s string) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return d.decode(s)
}
