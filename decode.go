package hss

import (
	"bytes"
	"encoding/json"
	"errors"
)

// decodeRegistriesPage decodes a 2xx body into out. It accepts exactly what
// encoding/json accepts for the response type, and additionally requires
// the body to be a JSON object.
func decodeRegistriesPage(body []byte, out *ListSyncTaskRegistriesResponse) error {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errors.New("body is not a JSON object")
	}
	return json.Unmarshal(body, out)
}
