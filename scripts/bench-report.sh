#!/usr/bin/env bash
# Takes every measurement BENCHMARKS.md reports, on this machine, and writes
# the raw results and their benchstat summaries to one directory:
#
#   scripts/bench-report.sh [dir]     # default: a new temporary directory
#
# Files: machine.txt (CPU, cores, Go, load), root.txt/root.stat (per-call,
# decoder and signing benchmarks), iter.txt/iter.stat (the million-registry
# listing), official.txt/official.stat (bench/official, via
# scripts/bench-official.sh) and binsize.txt (scripts/binsize.sh, default
# and stripped). It takes about six minutes on the machine BENCHMARKS.md
# describes; run nothing else meanwhile.
# COUNT (default 6) and BENCHTIME (bench/official, default 2s) tune it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$(mktemp -d)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
count=${COUNT:-6}
benchstat() { go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da "$@"; }
cd "$root"

{
	echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "nproc:   $(nproc)"
	echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
	echo "mhz:     $(grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
	echo "memory:  $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
	echo "kernel:  $(uname -r)"
	echo "go:      $(go version)"
	echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo none) ($(git status --porcelain 2>/dev/null | wc -l) files changed in the working tree)"
	echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"

go test -run '^$' -bench 'ListSyncTaskRegistries(Remote)?$|SignRequest|DecodePage' -benchmem -count "$count" . >"$out/root.txt"
go test -run '^$' -bench 'ListSyncTaskRegistriesIter' -benchmem -count "$count" . >"$out/iter.txt"
BENCHTIME=${BENCHTIME:-2s} COUNT=$count FOOTPRINT=1 scripts/bench-official.sh >"$out/official.txt"
{
	scripts/binsize.sh || true
	echo
	LDFLAGS='-s -w' scripts/binsize.sh || true
} >"$out/binsize.txt" 2>&1
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"

benchstat "$out/root.txt" >"$out/root.stat"
benchstat "$out/iter.txt" >"$out/iter.stat"
grep -E '^(goos|goarch|pkg|cpu|Benchmark)' "$out/official.txt" >"$out/official.bench"
benchstat "$out/official.bench" >"$out/official.stat"
echo "$out"
