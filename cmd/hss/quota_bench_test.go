// The quota shared by hss runs on one host, measured: two runs at once,
// through one quota file, in real time.
package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/hsstest"
)

// BenchmarkTwoRunsShareAQuota runs two `hss registries` processes at once,
// each listing 50 pages of 10, against a gateway that lets 5 calls a second
// through (one-second windows, no Retry-After), sharing the quota through
// one --quota-file. It reports their time against the least a perfect
// client would take (100 calls at 5 a second) and the share of calls
// throttled. Run with -benchtime 1x: each run takes about 20 seconds.
func BenchmarkTwoRunsShareAQuota(b *testing.B) {
	bin := buildHSS(b)
	dir := b.TempDir()
	const pages, limit = 50, 5
	for run := 0; b.Loop(); run++ {
		srv := hsstest.NewServer(hsstest.WithQuota(hsstest.Quota{Limit: limit, Window: time.Second, NoRetryAfter: true}))
		if _, err := srv.Seed("task", pages*10); err != nil {
			b.Fatal(err)
		}
		quotaDir := filepath.Join(dir, "quota", "run"+time.Now().Format("150405.000000"))
		quotaFile := filepath.Join(quotaDir, "quotas")
		start := time.Now()
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.Command(bin, "registries", "--task-id", "task", "--limit", "10", "--output", "jsonl", "--quota-file", quotaFile)
				cmd.Env = []string{
					credentials.EnvEndpoint + "=" + srv.URL(), credentials.EnvToken + "=" + srv.Token(),
					credentials.EnvProjectID + "=" + srv.ProjectID(), credentials.EnvNoMetadata + "=true",
					credentials.EnvCredentialsFile + "=" + filepath.Join(dir, "none"), "HOME=" + dir,
				}
				var stderr strings.Builder
				cmd.Stderr = &stderr
				if err := cmd.Run(); err != nil {
					b.Errorf("hss registries: %v: %s", err, stderr.String())
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		least := time.Duration((2*pages-1)/limit) * time.Second
		b.ReportMetric(elapsed.Seconds()/least.Seconds(), "x-least")
		b.ReportMetric(100*float64(srv.Throttled())/float64(len(srv.Requests())), "%throttled")
		srv.Close()
		_ = os.RemoveAll(quotaDir)
	}
}
