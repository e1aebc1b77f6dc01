// The server's data: Seed, AddRegistries and AddTask, WithSeed, and counts out of range.
package hsstest_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/hsstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSeedRegistries(t *testing.T) {
	regs := generated(t, "task-1", 36)
	require.Len(t, regs, 36)
	assert.Equal(t, regs, generated(t, "task-1", 36), "deterministic")
	assert.Equal(t, regs[:10], generated(t, "task-1", 10), "a shorter seed is a prefix")

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
	assert.NotEqual(t, regs[0].RegistryID, generated(t, "task-2", 1)[0].RegistryID, "ids depend on the task")

	assert.Empty(t, generated(t, "t", 0))
}

// A count past MaxSeed, or below 0, is refused with an error naming the
// call, the task and the range, never cut to fit.
func TestSeedCountOutOfRange(t *testing.T) {
	for _, n := range []int{hsstest.MaxSeed + 1, 300000, -1, -300000} {
		regs, err := hsstest.SeedRegistries("big", n)
		assert.Nil(t, regs)
		requireArgError(t, err, fmt.Sprintf(`hsstest: SeedRegistries("big", %d): n must be 0-100000 (MaxSeed)`, n))

		srv := newServer(t)
		regs, err = srv.Seed("big", n)
		assert.Nil(t, regs)
		requireArgError(t, err, fmt.Sprintf(`hsstest: Seed("big", %d): n must be 0-100000 (MaxSeed)`, n))
		assert.Nil(t, srv.Registries("big"), "a refused Seed does not create the task")
	}
}

// requireArgError checks that err is an *ArgError reading want.
func requireArgError(t *testing.T, err error, want string) {
	t.Helper()
	var argErr *hsstest.ArgError
	require.ErrorAs(t, err, &argErr)
	require.EqualError(t, err, want)
}

func TestAddRegistriesAndTasks(t *testing.T) {
	srv := newServer(t)
	assert.Nil(t, srv.Registries("none"))

	srv.AddTask("empty")
	srv.AddTask("empty") // twice changes nothing
	assert.Equal(t, []hsstest.Registry{}, srv.Registries("empty"))

	srv.AddRegistries("t", hsstest.Registry{RegistryName: "a", RegistryType: hss.RegistryTypeHarbor, SyncStatus: hss.SyncStatusRunning})
	seeded, err := srv.Seed("t", 2)
	require.NoError(t, err)
	assert.Equal(t, generated(t, "t", 2), seeded, "Seed returns what it added")
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
	srv := newServer(t, hsstest.WithSeed("a", 3), hsstest.WithSeed("b", 0), hsstest.WithSeed("c", hsstest.MaxSeed))
	assert.Equal(t, generated(t, "a", 3), srv.Registries("a"))
	assert.Equal(t, []hsstest.Registry{}, srv.Registries("b"), "a seed of 0 still creates the task")
	total, _ := decodeInfos(t, get(t, srv, "c", ""))
	assert.Equal(t, hsstest.MaxSeed, total)
}

// WithSeed past MaxSeed, or below 0, makes Start fail, naming the option,
// the task and the range, and NewServer and NewTLSServer panic with that
// error; nothing is started.
func TestWithSeedOutOfRange(t *testing.T) {
	const want = `hsstest: WithSeed("big", 300000): n must be 0-100000 (MaxSeed)`
	for _, useTLS := range []bool{false, true} {
		srv, err := hsstest.Start(useTLS, hsstest.WithSeed("small", 3), hsstest.WithSeed("big", 300000))
		assert.Nil(t, srv)
		requireArgError(t, err, want)
	}
	_, err := hsstest.Start(false, hsstest.WithSeed("neg", -1), hsstest.WithSeed("big", 300000))
	assert.ErrorContains(t, err, `WithSeed("neg", -1): n must be 0-100000 (MaxSeed)`, "every refused option is reported")
	assert.ErrorContains(t, err, want)

	for name, start := range map[string]func(...hsstest.Option) *hsstest.Server{
		"NewServer": hsstest.NewServer, "NewTLSServer": hsstest.NewTLSServer,
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				err, ok := recover().(*hsstest.ArgError)
				require.True(t, ok, "panics with the *ArgError")
				require.EqualError(t, err, want)
			}()
			srv := start(hsstest.WithSeed("big", 300000))
			srv.Close()
			t.Fatal("no panic")
		})
	}
}
