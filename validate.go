package hss

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/hsskit/hss/internal/check"
)

// API bounds from the HSS reference.
const (
	MaxOffset = 2000000 // largest offset the API accepts
	MinLimit  = 10      // smallest non-zero page size
	MaxLimit  = 200     // largest page size
)

// ValidateTaskID checks a task id the way ListSyncTaskRegistries does
// before sending: 1-64 characters of valid UTF-8, without control or format
// characters, '/' or '\', and not a dot segment. It returns a
// *ValidationError for field task_id.
func ValidateTaskID(taskID string) error {
	if reason := check.PathID(taskID, 64); reason != "" {
		return &ValidationError{Field: "task_id", Reason: reason}
	}
	return nil
}

// isNil reports whether v is nil or holds a nil pointer or func: a value
// an option takes for an interface whose methods would then run on
// nothing. (A nil map, slice or channel may well have working methods.)
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Func:
		return rv.IsNil()
	}
	return false
}

// checkText validates optional text against a length bound.
func checkText(field, v string, max int) error {
	if reason := check.Text(v, max); reason != "" {
		return &ValidationError{Field: field, Reason: reason}
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
	if err := checkText("enterprise_project_id", o.EnterpriseProjectID, 256); err != nil {
		return err
	}
	if err := checkText("registry_name", o.RegistryName, 128); err != nil {
		return err
	}
	for i, t := range o.RegistryTypes {
		if t == "" {
			return &ValidationError{Field: "registry_type", Reason: fmt.Sprintf("element %d is empty; leave RegistryTypes empty for every type", i)}
		}
		if strings.Contains(string(t), ",") {
			return &ValidationError{Field: "registry_type", Reason: fmt.Sprintf("element %d holds a comma; pass one type per element", i)}
		}
		if err := checkText("registry_type", string(t), 64); err != nil {
			return err
		}
	}
	if err := checkText("sync_status", string(o.SyncStatus), 64); err != nil {
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
