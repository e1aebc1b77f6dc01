package hsstest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/hsskit/hss"
)

// DefaultEnterpriseProjectID is the default enterprise project, the one a
// request without enterprise_project_id sees.
const DefaultEnterpriseProjectID = "0"

// MaxSeed is the most registries SeedRegistries, Seed and WithSeed
// generate in one call, so that a typo cannot exhaust the test's memory. A
// count past it is an *ArgError, never cut short: call Seed again (with
// another task id for other registry ids) or AddRegistries for more.
const MaxSeed = 100000

// Registry is one registry associated with a task, as the server stores
// it: the fields the API returns plus the enterprise project it belongs to.
type Registry struct {
	// RegistryID is sent as registry_id; AddRegistries generates one when
	// it is empty.
	RegistryID string
	// RegistryName is sent as registry_name, and matched by the
	// registry_name filter.
	RegistryName string
	// RegistryType is sent as registry_type, and matched by the
	// registry_type filter.
	RegistryType hss.RegistryType
	// SyncStatus is sent as sync_status, and matched by the sync_status
	// filter; a running one settles after WithSettle's delay.
	SyncStatus hss.SyncStatus
	// FailedReason is sent as failed_reason when not empty. A running
	// registry with one becomes failed when it settles (WithSettle).
	FailedReason string
	// EnterpriseProjectID is the enterprise project the registry belongs
	// to; empty means DefaultEnterpriseProjectID. It is not in the answer,
	// only used by the enterprise_project_id filter.
	EnterpriseProjectID string
}

// Info returns the registry as the SDK decodes it, for comparing a
// client's results with what the server holds.
func (r Registry) Info() hss.AssociateRegistriesResponseInfo {
	return hss.AssociateRegistriesResponseInfo{
		RegistryID:   r.RegistryID,
		RegistryName: r.RegistryName,
		RegistryType: r.RegistryType,
		SyncStatus:   r.SyncStatus,
		FailedReason: r.FailedReason,
	}
}

// task is one image synchronisation task: its registries, in listing
// order, and when each was added (for WithSettle).
type task struct {
	regs  []Registry
	added []time.Time
	// elsewhere counts registries outside the default enterprise project,
	// so an unfiltered page of a large task is cut without a scan.
	elsewhere int
}

// AddTask creates an empty task, so that listing it answers 200 with no
// registries rather than 400 HSS.0011. Adding an existing task changes
// nothing.
func (s *Server) AddTask(taskID string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tasks[taskID]; !ok {
		s.tasks[taskID] = &task{}
	}
}

// AddRegistries appends regs to the task, creating the task if needed.
// An empty EnterpriseProjectID becomes DefaultEnterpriseProjectID and an
// empty RegistryID gets a generated one, as the service always has both.
func (s *Server) AddRegistries(taskID string, regs ...Registry) {
	if s == nil {
		return
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tasks[taskID]
	if t == nil {
		t = &task{}
		s.tasks[taskID] = t
	}
	for _, r := range regs {
		if r.EnterpriseProjectID == "" {
			r.EnterpriseProjectID = DefaultEnterpriseProjectID
		}
		if r.RegistryID == "" {
			// Own namespace, so it never equals a SeedRegistries id.
			r.RegistryID = registryID(taskID+"\x00added", len(t.regs))
		}
		t.regs = append(t.regs, r)
		t.added = append(t.added, now)
		if r.EnterpriseProjectID != DefaultEnterpriseProjectID {
			t.elsewhere++
		}
	}
}

// Registries returns a copy of the task's registries in listing order, or
// nil when the task does not exist. Registries that WithSettle has settled
// show their new status.
func (s *Server) Registries(taskID string) []Registry {
	if s == nil {
		return nil
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tasks[taskID]
	if !ok {
		return nil
	}
	s.settle(t, now)
	return append([]Registry{}, t.regs...)
}

// settle moves the running registries of t whose time has come to
// finished, or to failed when they carry a FailedReason; s.mu is held.
func (s *Server) settle(t *task, now time.Time) {
	if s.cfg.settle <= 0 {
		return
	}
	for i := range t.regs {
		r := &t.regs[i]
		if r.SyncStatus != hss.SyncStatusRunning || now.Before(t.added[i].Add(s.cfg.settle)) {
			continue
		}
		r.SyncStatus = hss.SyncStatusFinished
		if r.FailedReason != "" {
			r.SyncStatus = hss.SyncStatusFailed
		}
	}
}

// Seed adds n generated registries to the task, creating it if needed,
// and returns them; see SeedRegistries. n must be 0-MaxSeed: any other
// count is an *ArgError and changes nothing. 0 creates the task empty.
func (s *Server) Seed(taskID string, n int) ([]Registry, error) {
	if s == nil {
		return nil, nilServer("Seed")
	}
	if err := checkSeed("Seed", taskID, n); err != nil {
		return nil, err
	}
	return s.seed(taskID, n), nil
}

// seed is Seed for a count already checked.
func (s *Server) seed(taskID string, n int) []Registry {
	regs := generate(taskID, n)
	s.AddTask(taskID)
	s.AddRegistries(taskID, regs...)
	return regs
}

// checkSeed refuses a count of registries to generate outside 0-MaxSeed;
// fn names the function the test called.
func checkSeed(fn, taskID string, n int) error {
	if n < 0 || n > MaxSeed {
		return &ArgError{Call: fmt.Sprintf("%s(%q, %d)", fn, taskID, n), Arg: "n",
			Reason: fmt.Sprintf("must be 0-%d (MaxSeed)", MaxSeed)}
	}
	return nil
}

// failureReasons are realistic causes for a failed synchronisation.
var failureReasons = []string{
	"authentication failed: invalid username or password for the registry",
	"connection to the registry timed out",
	"TLS handshake failed: certificate signed by unknown authority",
	"repository not found or access denied",
	"image pull quota exceeded, try again later",
}

// typeSlugs name generated registries after their type.
var typeSlugs = map[hss.RegistryType]string{
	hss.RegistryTypeSwrPrivate:    "swr-private",
	hss.RegistryTypeSwrShared:     "swr-shared",
	hss.RegistryTypeSwrEnterprise: "swr-enterprise",
	hss.RegistryTypeHarbor:        "harbor",
	hss.RegistryTypeJfrog:         "jfrog",
	hss.RegistryTypeOther:         "registry",
}

// SeedRegistries generates n registries for taskID, the same for the same
// arguments. Registry i has type AllRegistryTypes()[i%6] and status
// AllSyncStatuses()[(i/6)%3], so any 18 consecutive registries hold every
// type/status pair; failed ones carry a FailedReason. Names are unique
// ("harbor-004"), ids look like UUIDs and depend on taskID, and all
// belong to the default enterprise project. n must be 0-MaxSeed: any other
// count is an *ArgError; 0 gives none.
func SeedRegistries(taskID string, n int) ([]Registry, error) {
	if err := checkSeed("SeedRegistries", taskID, n); err != nil {
		return nil, err
	}
	return generate(taskID, n), nil
}

// generate is SeedRegistries for a count already checked.
func generate(taskID string, n int) []Registry {
	if n < 1 {
		return nil
	}
	types, statuses := hss.AllRegistryTypes(), hss.AllSyncStatuses()
	regs := make([]Registry, n)
	failed := 0
	for i := range regs {
		t := types[i%len(types)]
		st := statuses[(i/len(types))%len(statuses)]
		r := Registry{
			RegistryID:          registryID(taskID, i),
			RegistryName:        fmt.Sprintf("%s-%03d", typeSlugs[t], i+1),
			RegistryType:        t,
			SyncStatus:          st,
			EnterpriseProjectID: DefaultEnterpriseProjectID,
		}
		if st == hss.SyncStatusFailed {
			r.FailedReason = failureReasons[failed%len(failureReasons)]
			failed++
		}
		regs[i] = r
	}
	return regs
}

// registryID derives a UUID-shaped id from the task and position, so ids
// are stable across runs and differ between tasks.
func registryID(taskID string, i int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d", taskID, i))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
