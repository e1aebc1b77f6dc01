package hss

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// API bounds from the HSS reference.
const (
	MaxOffset = 2000000 // largest offset the API accepts
	MinLimit  = 10      // smallest non-zero page size
	MaxLimit  = 200     // largest page size
)

// hasControl reports whether s holds a control character (C0, DEL or C1),
// which could split headers or logs.
func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// checkPathID validates an identifier that goes into the URL path.
func checkPathID(field, v string, maxLen int) error {
	if n := utf8.RuneCountInString(v); n < 1 || n > maxLen {
		return &ValidationError{Field: field, Reason: fmt.Sprintf("must be 1-%d characters, got %d", maxLen, n)}
	}
	if v == "." || v == ".." {
		return &ValidationError{Field: field, Reason: fmt.Sprintf("must not be %q", v)}
	}
	return checkText(field, v)
}

// ValidateTaskID checks a task id the way ListSyncTaskRegistries does
// before sending: 1-64 characters, not "." or "..", valid UTF-8, no
// control characters. It returns a *ValidationError for field task_id.
func ValidateTaskID(taskID string) error {
	return checkPathID("task_id", taskID, 64)
}

// checkOptional validates an optional string: empty, or 1-maxLen characters.
func checkOptional(field, v string, maxLen int) error {
	if v == "" {
		return nil
	}
	if n := utf8.RuneCountInString(v); n > maxLen {
		return &ValidationError{Field: field, Reason: fmt.Sprintf("must be empty or 1-%d characters, got %d", maxLen, n)}
	}
	return checkText(field, v)
}

func checkText(field, v string) error {
	if !utf8.ValidString(v) {
		return &ValidationError{Field: field, Reason: "must be valid UTF-8"}
	}
	if hasControl(v) {
		return &ValidationError{Field: field, Reason: "must not contain control characters"}
	}
	return nil
}

// Validate checks every option against the API's documented bounds and
// returns a *ValidationError naming the first field that breaks them.
// ListSyncTaskRegistries and the iterators call it before sending; call
// it yourself to check input early, as the hss CLI does before it looks
// for credentials. A nil o is valid.
func (o *ListSyncTaskRegistriesOptions) Validate() error {
	if o == nil {
		return nil
	}
	if err := checkOptional("enterprise_project_id", o.EnterpriseProjectID, 256); err != nil {
		return err
	}
	if err := checkOptional("registry_name", o.RegistryName, 128); err != nil {
		return err
	}
	for i, t := range o.RegistryTypes {
		if t == "" {
			return &ValidationError{Field: "registry_type", Reason: fmt.Sprintf("element %d is empty; leave RegistryTypes empty for every type", i)}
		}
		if strings.Contains(string(t), ",") {
			return &ValidationError{Field: "registry_type", Reason: fmt.Sprintf("element %d holds a comma; pass one type per element", i)}
		}
		if err := checkOptional("registry_type", string(t), 64); err != nil {
			return err
		}
	}
	if err := checkOptional("sync_status", string(o.SyncStatus), 64); err != nil {
		return err
	}
	if o.Offset < 0 || o.Offset > MaxOffset {
		return &ValidationError{Field: "offset", Reason: fmt.Sprintf("must be 0-%d, got %d", MaxOffset, o.Offset)}
	}
	if o.Limit != 0 && (o.Limit < MinLimit || o.Limit > MaxLimit) {
		return &ValidationError{Field: "limit", Reason: fmt.Sprintf("must be 0 (server default, 10) or %d-%d, got %d", MinLimit, MaxLimit, o.Limit)}
	}
	return nil
}
