// Tests of the in-memory QuotaStore, by the suite every store passes.
package hss_test

import (
	"testing"

	"github.com/hsskit/hss"
	"github.com/hsskit/hss/internal/quotastoretest"
)

func TestMemoryQuotaStore(t *testing.T) {
	shared := hss.NewMemoryQuotaStore()
	quotastoretest.Run(t, func(*testing.T) hss.QuotaStore { return shared })
}
