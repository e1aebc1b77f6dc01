#!/usr/bin/env bash
# Checks the hss command as a script uses it, with no cloud account: the
# demo listing, the demo wait (which ends with failed registries: exit 6),
# a usage error (exit 2), and the memory bound of a streamed json listing
# (TestJSONStreamsInFlatMemory: 200,000 registries under 64 MB of peak RSS;
# the test skips itself under -race, so CI runs it here without).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/hss" ./cmd/hss

expect() { # expect CODE COMMAND...: run COMMAND, fail unless it exits CODE
	local want=$1 code=0
	shift
	"$@" >"$bin/out" 2>"$bin/err" || code=$?
	if [[ $code != "$want" ]]; then
		echo "FAIL: $* exited $code, want $want" >&2
		cat "$bin/err" >&2
		exit 1
	fi
	echo "ok: exit $code: ${*#"$bin/"}"
}

expect 0 "$bin/hss" registries --demo --task-id demo-task
expect 0 "$bin/hss" registries --demo --task-id demo-large --output json
expect 6 "$bin/hss" wait --demo --task-id demo-task
grep -q 'finished with 3 of 12 registries failed' "$bin/err"
expect 2 "$bin/hss" registries --demo --task-id demo-task --type harbr
expect 5 "$bin/hss" registries --demo --task-id no-such-task
expect 0 "$bin/hss" version
bash -n <("$bin/hss" completion bash)

go test -count=1 -run '^TestJSONStreamsInFlatMemory$' -v ./cmd/hss | grep -E 'peak RSS|^(ok|FAIL|---)'
