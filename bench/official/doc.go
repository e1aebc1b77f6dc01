// Package official measures hss against the official Huawei Cloud Go SDK
// (github.com/huaweicloud/huaweicloud-sdk-go-v3, services/hss/v5) and checks
// that hss's signer agrees with the official one.
//
// It is a module of its own so that the hss module never depends on the
// official SDK; its go.mod replaces github.com/hsskit/hss with the working
// tree two directories up. It holds tests and benchmarks only:
//
//	scripts/bench-official.sh            # tests + benchmarks, short (CI)
//	BENCHTIME=2s COUNT=6 scripts/bench-official.sh   # the BENCHMARKS.md run
package official
