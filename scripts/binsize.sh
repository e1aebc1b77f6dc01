#!/usr/bin/env bash
# Prints how much one SDK call adds to a program that already uses net/http
# and encoding/json: builds internal/binsize/baseline and .../withsdk with
# the same flags and subtracts. Fails when the SDK adds more than the budget
# (default 0.5 MB = 500000 bytes; override with BUDGET=bytes).
#
#   scripts/binsize.sh            # default build flags
#   LDFLAGS='-s -w' scripts/binsize.sh   # stripped
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${BUDGET:-500000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
flags=(-trimpath)
if [[ -n "${LDFLAGS:-}" ]]; then flags+=(-ldflags "$LDFLAGS"); fi
go build "${flags[@]}" -o "$out/baseline" ./internal/binsize/baseline
go build "${flags[@]}" -o "$out/withsdk" ./internal/binsize/withsdk
base=$(stat -c %s "$out/baseline")
with=$(stat -c %s "$out/withsdk")
delta=$((with - base))
printf 'go:        %s\nldflags:   %s\nbaseline:  %d bytes\nwithsdk:   %d bytes\ndelta:     %d bytes (%.2f MB; budget %d)\n' \
	"$(go env GOVERSION)" "${LDFLAGS:-(none)}" "$base" "$with" "$delta" "$(awk -v d="$delta" 'BEGIN{print d/1000000}')" "$budget"
if ((delta > budget)); then
	echo "FAIL: the SDK adds more than the budget" >&2
	exit 1
fi
