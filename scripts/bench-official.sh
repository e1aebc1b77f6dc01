#!/usr/bin/env bash
# Compares hss with the official Huawei Cloud Go SDK, in bench/official (a
# module of its own, so the hss module never depends on the official SDK):
# vets and tests it (signatures against the official signer, the official
# SDK against hsstest), then runs BenchmarkListAssociateRegistries.
#
#   scripts/bench-official.sh                                  # CI: short benchtime
#   BENCHTIME=2s COUNT=6 scripts/bench-official.sh > bench-official.txt   # BENCHMARKS.md
#   go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da bench-official.txt
#
# Environment: BENCHTIME (default 100ms), COUNT (default 1), BENCH (the
# -bench regexp, default .), RACE=1 (tests under -race too), FOOTPRINT=1
# (print the official SDK's size on disk and module counts).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
benchtime=${BENCHTIME:-100ms}
count=${COUNT:-1}

# The SDK module must never depend on the official SDK.
if grep -q 'huaweicloud-sdk-go-v3' "$root/go.mod" "$root/go.sum"; then
	echo "FAIL: the hss module (go.mod/go.sum) mentions huaweicloud-sdk-go-v3" >&2
	exit 1
fi

# bench/official is a module of its own, outside the repository's go.work
# (which would otherwise refuse to build it): build it alone.
export GOWORK=off
cd "$root/bench/official"
export GOWORK=off # a module of its own, outside go.work: the SDK's workspace never sees the official SDK
go vet ./...
go test -count=1 ./...
if [[ "${RACE:-}" == 1 ]]; then
	go test -race -count=1 ./...
fi
go test -run '^$' -bench "${BENCH:-.}" -benchmem -benchtime "$benchtime" -count "$count" ./...

if [[ "${FOOTPRINT:-}" == 1 ]]; then
	sdk=github.com/huaweicloud/huaweicloud-sdk-go-v3
	version=$(go list -m -f '{{.Version}}' "$sdk")
	dir=$(go list -m -f '{{.Dir}}' "$sdk")
	zip=$(go env GOMODCACHE)/cache/download/$sdk/@v/$version.zip
	direct=$(go mod edit -json "$(go list -m -f '{{.GoMod}}' "$sdk")" | grep -c '"Version"')
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && go mod init footprint >/dev/null 2>&1 && go mod edit -require "$sdk@$version" &&
		GOFLAGS=-mod=mod go list -m all >modules.txt)
	graph=$(($(wc -l <"$tmp/modules.txt") - 1))
	built=$(go list -deps -f '{{with .Module}}{{.Path}}{{end}}' "$sdk/services/hss/v5" | sort -u | grep -vc "^$sdk\$")
	printf 'official SDK %s@%s\n' "$sdk" "$version"
	printf '  on disk (extracted):          %s bytes, %s files\n' "$(du -sb "$dir" | cut -f1)" "$(find "$dir" -type f | wc -l)"
	printf '  download (module zip):        %s bytes\n' "$(stat -c %s "$zip")"
	printf '  direct requirements (go.mod): %s\n' "$direct"
	printf '  modules in its graph (go list -m all, required alone): %s\n' "$graph"
	printf '  other modules compiled into services/hss/v5: %s\n' "$built"
fi
