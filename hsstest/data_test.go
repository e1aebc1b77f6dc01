package hsstest_test

import (
	"regexp"
	"testing"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSeedRegistries(t *testing.T) {
	regs := hsstest.SeedRegistries("task-1", 36)
	require.Len(t, regs, 36)
	assert.Equal(t, regs, hsstest.SeedRegistries("task-1", 36), "deterministic")
	assert.Equal(t, regs[:10], hsstest.SeedRegistries("task-1", 10), "a shorter seed is a prefix")

	type pair struct {
		t hss.RegistryType
		s hss.SyncStatus
	}
	pairs := map[pair]int{}
	names, ids := map[string]bool{}, map[string]bool{}
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	for i, r := range regs {
		assert.True(t, r.RegistryType.Known(), "%d: %q", i, r.RegistryType)
		assert.True(t, r.SyncStatus.Known(), "%d: %q", i, r.SyncStatus)
		if r.SyncStatus == hss.SyncStatusFailed {
			assert.NotEmpty(t, r.FailedReason, "failed registry %d needs a reason", i)
		} else {
			assert.Empty(t, r.FailedReason, "registry %d did not fail", i)
		}
		assert.Equal(t, hsstest.DefaultEnterpriseProjectID, r.EnterpriseProjectID)
		assert.Regexp(t, uuid, r.RegistryID)
		assert.NotEmpty(t, r.RegistryName)
		names[r.RegistryName], ids[r.RegistryID] = true, true
		if i < 18 {
			pairs[pair{r.RegistryType, r.SyncStatus}]++
		}
	}
	assert.Len(t, pairs, 18, "the first 18 hold every type/status pair")
	assert.Len(t, names, 36, "names are unique")
	assert.Len(t, ids, 36, "ids are unique")
	assert.Equal(t, "swr-private-001", regs[0].RegistryName)
	assert.Equal(t, "harbor-004", regs[3].RegistryName)
	assert.NotEqual(t, regs[0].RegistryID, hsstest.SeedRegistries("task-2", 1)[0].RegistryID, "ids depend on the task")

	assert.Nil(t, hsstest.SeedRegistries("t", 0))
	assert.Nil(t, hsstest.SeedRegistries("t", -5))
	assert.Len(t, hsstest.SeedRegistries("t", hsstest.MaxSeed+1), hsstest.MaxSeed)
}

func TestAddRegistriesAndTasks(t *testing.T) {
	srv := newServer(t)
	assert.Nil(t, srv.Registries("none"))

	srv.AddTask("empty")
	srv.AddTask("empty") // twice changes nothing
	assert.Equal(t, []hsstest.Registry{}, srv.Registries("empty"))

	srv.AddRegistries("t", hsstest.Registry{RegistryName: "a", RegistryType: hss.RegistryTypeHarbor, SyncStatus: hss.SyncStatusRunning})
	srv.Seed("t", 2)
	srv.AddTask("t") // an existing task keeps its registries
	srv.AddRegistries("t", hsstest.Registry{RegistryID: "mine", RegistryName: "b", EnterpriseProjectID: "ep-1"})
	regs := srv.Registries("t")
	require.Len(t, regs, 4)
	assert.Equal(t, hsstest.DefaultEnterpriseProjectID, regs[0].EnterpriseProjectID, "empty enterprise project becomes the default")
	assert.NotEmpty(t, regs[0].RegistryID, "an id is generated")
	assert.NotEqual(t, regs[0].RegistryID, regs[1].RegistryID, "and never collides with a seeded one")
	assert.Equal(t, "mine", regs[3].RegistryID)
	assert.Equal(t, "ep-1", regs[3].EnterpriseProjectID)

	regs[0].RegistryName = "changed"
	assert.Equal(t, "a", srv.Registries("t")[0].RegistryName, "Registries returns a copy")

	assert.Equal(t, hss.AssociateRegistriesResponseInfo{
		RegistryID: "mine", RegistryName: "b",
	}, regs[3].Info())
}

func TestWithSeed(t *testing.T) {
	srv := newServer(t, hsstest.WithSeed("a", 3), hsstest.WithSeed("b", 0), hsstest.WithSeed("c", -1))
	assert.Equal(t, hsstest.SeedRegistries("a", 3), srv.Registries("a"))
	assert.Equal(t, []hsstest.Registry{}, srv.Registries("b"), "a seed of 0 still creates the task")
	total, _ := decodeInfos(t, get(t, srv, "c", ""))
	assert.Zero(t, total)
}
