package hsstest

import (
	"encoding/json"
	"net/http"
)

// Error codes and messages the fake answers with, worded as HSS and API
// Gateway word them.
const (
	codeInvalidParam = "HSS.0001"
	msgInvalidParam  = "Invalid parameter."
	codeNotFound     = "HSS.0011"
	msgNotFound      = "Requested resource not found."
	codeNoAPI        = "APIGW.0101"
	msgNoAPI         = "The API does not exist or has not been published in the environment."
	codeAuth         = "APIGW.0301"
	codeForbidden    = "APIGW.0302"
	msgForbidden     = "The IAM user is not authorized to access the API."
	codeThrottled    = "APIGW.0308"
)

// jsonContentType is what the real service labels its answers with.
const jsonContentType = "application/json;charset=UTF-8"

// errorJSON is the error body HSS and API Gateway send.
type errorJSON struct {
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
	RequestID string `json:"request_id,omitempty"`
}

// writeJSON answers status with v as JSON. Marshalling cannot fail for the
// types the fake sends.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error_code":"APIGW.0601","error_msg":"Internal server error."}`)
	}
	w.Header().Set("Content-Type", jsonContentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError answers status with the error body; requestID repeats the
// X-Request-Id header in the body, as the gateway does.
func writeError(w http.ResponseWriter, status int, code, msg, requestID string) {
	writeJSON(w, status, errorJSON{ErrorCode: code, ErrorMsg: msg, RequestID: requestID})
}
