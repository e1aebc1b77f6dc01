#!/usr/bin/env bash
# Checks the hss command as a script uses it, with no cloud account: the
# demo listing, the demo wait (which ends with failed registries: exit 6),
# usage errors (exit 2), a closed pipe under pipefail (exit 0), a listing
# resumed into its file, the completion scripts' syntax, and the memory
# bound of a streamed json listing (TestJSONStreamsInFlatMemory: 200,000
# registries under 64 MB of peak RSS; the test skips itself under -race, so
# CI runs it here without).
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
expect 2 "$bin/hss" registries --task-id demo-task --region cn-nrth-4
grep -q 'did you mean cn-north-4?' "$bin/err"
expect 0 "$bin/hss" version

# A reader that stops early (head) is no error: exit 0, nothing on stderr,
# also under pipefail.
code=0
"$bin/hss" registries --demo --task-id demo-large --output jsonl 2>"$bin/err" | head -1 >/dev/null || code=$?
if [[ $code != 0 || -s "$bin/err" ]]; then
	echo "FAIL: hss registries ... | head -1 exited $code (141 is SIGPIPE)" >&2
	cat "$bin/err" >&2
	exit 1
fi
echo "ok: exit 0: hss registries --demo --task-id demo-large --output jsonl | head -1"

# --resume continues a file: a complete listing run again stays the same.
expect 0 "$bin/hss" registries --demo --task-id demo-large --output json --resume "$bin/listing.json"
cp "$bin/listing.json" "$bin/once.json"
expect 0 "$bin/hss" registries --demo --task-id demo-large --output json --resume "$bin/listing.json"
cmp "$bin/once.json" "$bin/listing.json"
expect 2 "$bin/hss" registries --demo --task-id demo-large --output csv --resume "$bin/listing.json"

bash -n <("$bin/hss" completion bash)
if command -v zsh >/dev/null; then zsh -n <("$bin/hss" completion zsh); fi
if command -v fish >/dev/null; then "$bin/hss" completion fish | fish --no-execute; fi

go test -count=1 -run '^TestJSONStreamsInFlatMemory$' -v ./cmd/hss | grep -E 'peak RSS|^(ok|FAIL|---)'
