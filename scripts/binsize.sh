#!/usr/bin/env bash
# Prints how much one SDK call adds to a program that already uses net/http
# and encoding/json: builds internal/binsize/baseline and .../withsdk with
# the same flags and subtracts. Fails when the SDK adds more than the budget
# (default 0.5 MB = 500000 bytes; override with BUDGET=bytes).
#
#   scripts/binsize.sh                   # default build flags
#   LDFLAGS='-s -w' scripts/binsize.sh   # stripped
#   TOP=25 scripts/binsize.sh            # also list the 25 symbols that grew most
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
if [[ -n "${TOP:-}" && -z "${LDFLAGS:-}" ]]; then
	# Symbols new in withsdk or larger than in baseline, largest growth first.
	go tool nm -size "$out/baseline" >"$out/baseline.nm"
	go tool nm -size "$out/withsdk" >"$out/withsdk.nm"
	printf '\n%-10s %s\n' "grew by" "symbol"
	awk 'NR == FNR { if (NF >= 4) { n = $4; for (i = 5; i <= NF; i++) n = n " " $i; base[n] = $2 }; next }
		NF >= 4 { n = $4; for (i = 5; i <= NF; i++) n = n " " $i; d = $2 - base[n]; if (d > 0) printf "%-10d %s\n", d, n }' \
		"$out/baseline.nm" "$out/withsdk.nm" | sort -rn | head -n "$TOP"
fi
if ((delta > budget)); then
	echo "FAIL: the SDK adds more than the budget" >&2
	exit 1
fi
