#!/usr/bin/env bash
# Tests of .ci/install.sh's install_missing, with stand-ins for id, sudo and
# apt-get that log their calls: one apt-get install for everything missing,
# sudo only when not root, nothing when nothing is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=.ci/install.sh
source "$here/install.sh"

fails=0
check() { # NAME WANT GOT
  if [ "$2" != "$3" ]; then
    printf 'FAIL %s\n  want: %q\n  got:  %q\n' "$1" "$2" "$3" >&2
    fails=$((fails + 1))
  fi
}

# run_case UID WITH_SUDO PRESENT...: runs install_missing for redis-server,
# zsh and fish with only stand-ins on PATH (PRESENT are the commands there),
# and prints the log of the calls and the status.
run_case() {
  local uid=$1 with_sudo=$2; shift 2
  local bin log
  bin=$(mktemp -d) log=$(mktemp)
  printf '#!%s\necho %s\n' "$BASH" "$uid" >"$bin/id"
  printf '#!%s\necho "apt-get $*" >>%s\n' "$BASH" "$log" >"$bin/apt-get"
  if [ "$with_sudo" = yes ]; then
    printf '#!%s\necho "sudo $*" >>%s\nshift 2\nexec "$@"\n' "$BASH" "$log" >"$bin/sudo"
  fi
  for c in "$@"; do printf '#!%s\n' "$BASH" >"$bin/$c"; done
  chmod +x "$bin"/*
  local status=0
  (PATH=$bin install_missing redis-server:redis-server zsh:zsh fish:fish >/dev/null 2>&1) || status=$?
  cat "$log"
  echo "status $status"
  rm -rf "$bin" "$log"
}

check "root, all missing: one install, no sudo" \
  "$(printf 'apt-get update -qq\napt-get install -y -qq redis-server zsh fish\nstatus 0')" \
  "$(run_case 0 yes)"
check "not root: through sudo, one install" \
  "$(printf 'sudo -n DEBIAN_FRONTEND=noninteractive apt-get update -qq\napt-get update -qq\nsudo -n DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zsh fish\napt-get install -y -qq zsh fish\nstatus 0')" \
  "$(run_case 1000 yes redis-server)"
check "nothing missing: nothing run" "status 0" "$(run_case 1000 yes redis-server zsh fish)"
check "not root, no sudo: fails, nothing run" "status 1" "$(run_case 1000 no)"

if [ "$fails" -ne 0 ]; then
  echo "install_test: $fails failed" >&2
  exit 1
fi
echo "install_test: ok"
