package hss

// RegistryType is the kind of image repository (registry) HSS synchronises
// from. The service may add kinds; unknown values are kept as they are, so
// compare against the constants and use Known to spot new ones.
type RegistryType string

// Registry types documented by the HSS API reference.
const (
	RegistryTypeSwrPrivate    RegistryType = "SwrPrivate"    // SWR private repository
	RegistryTypeSwrShared     RegistryType = "SwrShared"     // SWR shared repository
	RegistryTypeSwrEnterprise RegistryType = "SwrEnterprise" // SWR enterprise edition
	RegistryTypeHarbor        RegistryType = "Harbor"        // Harbor
	RegistryTypeJfrog         RegistryType = "Jfrog"         // JFrog Artifactory (spelled so by the API)
	RegistryTypeOther         RegistryType = "Other"         // any other registry
)

// AllRegistryTypes returns every registry type the SDK knows, in the order
// the API reference lists them. The slice is new on every call.
func AllRegistryTypes() []RegistryType {
	return []RegistryType{
		RegistryTypeSwrPrivate, RegistryTypeSwrShared, RegistryTypeSwrEnterprise,
		RegistryTypeHarbor, RegistryTypeJfrog, RegistryTypeOther,
	}
}

// String returns the wire value.
func (t RegistryType) String() string { return string(t) }

// Known reports whether t is one of the documented registry types.
func (t RegistryType) Known() bool {
	switch t {
	case RegistryTypeSwrPrivate, RegistryTypeSwrShared, RegistryTypeSwrEnterprise,
		RegistryTypeHarbor, RegistryTypeJfrog, RegistryTypeOther:
		return true
	}
	return false
}

// SyncStatus is the synchronisation state of one registry within a task.
// Unknown values are kept as they are; use Known to spot them.
type SyncStatus string

// Synchronisation states documented by the HSS API reference.
const (
	SyncStatusFinished SyncStatus = "finished" // synchronisation completed
	SyncStatusRunning  SyncStatus = "running"  // synchronisation in progress
	SyncStatusFailed   SyncStatus = "failed"   // synchronisation failed; see FailedReason
)

// AllSyncStatuses returns every sync status the SDK knows. The slice is new
// on every call.
func AllSyncStatuses() []SyncStatus {
	return []SyncStatus{SyncStatusFinished, SyncStatusRunning, SyncStatusFailed}
}

// String returns the wire value.
func (s SyncStatus) String() string { return string(s) }

// Known reports whether s is one of the documented statuses.
func (s SyncStatus) Known() bool {
	switch s {
	case SyncStatusFinished, SyncStatusRunning, SyncStatusFailed:
		return true
	}
	return false
}

// ListSyncTaskRegistriesOptions filters and pages ListSyncTaskRegistries.
// The zero value asks for the first page with the server's defaults; a zero
// field is left out of the query.
type ListSyncTaskRegistriesOptions struct {
	// EnterpriseProjectID scopes the call to one enterprise project; use
	// AllEnterpriseProjects for all of them. Empty means the server default
	// ("0", the default project). 1-256 characters when set.
	EnterpriseProjectID string `url:"enterprise_project_id,omitempty"`
	// RegistryName keeps registries with this name. 1-128 characters when set.
	RegistryName string `url:"registry_name,omitempty"`
	// RegistryTypes keeps registries of any of these types; sent
	// comma-separated. Empty means every type.
	RegistryTypes []RegistryType `url:"registry_type,comma,omitempty"`
	// SyncStatus keeps registries in this state. Empty means every state.
	SyncStatus SyncStatus `url:"sync_status,omitempty"`
	// Offset is the number of registries to skip, 0-2,000,000.
	Offset int `url:"offset,omitempty"`
	// Limit is the page size, 10-200; 0 means the server default (10). The
	// iterators use 200 when Limit is 0.
	Limit int `url:"limit,omitempty"`
}

// AllEnterpriseProjects is the EnterpriseProjectID that asks for the
// registries of every enterprise project the caller may see.
const AllEnterpriseProjects = "all_granted_eps"

// ListSyncTaskRegistriesResponse is one page of registries associated with
// an image synchronisation task.
//
// To decode fast, the strings of one page share a single copy of the
// page's values (a few KiB for 200 registries): holding any one of them
// keeps that copy alive. A program that keeps a few fields of many pages
// for long should strings.Clone them. The memory is never shared between
// calls or reused by the SDK.
type ListSyncTaskRegistriesResponse struct {
	// TotalNum is the number of registries matching the filters, over all pages.
	TotalNum int `json:"total_num"`
	// DataList holds this page's registries.
	DataList []AssociateRegistriesResponseInfo `json:"data_list"`
	// RequestID is the X-Request-Id the service answered with, for support
	// tickets. It is not part of the JSON body.
	RequestID string `json:"-"`
}

// AssociateRegistriesResponseInfo describes one registry associated with a
// synchronisation task. Every field is optional on the wire.
type AssociateRegistriesResponseInfo struct {
	RegistryID   string       `json:"registry_id"`   // registry ID
	RegistryName string       `json:"registry_name"` // registry name
	RegistryType RegistryType `json:"registry_type"` // registry kind
	SyncStatus   SyncStatus   `json:"sync_status"`   // synchronisation state
	FailedReason string       `json:"failed_reason"` // why synchronisation failed, when it did
}
