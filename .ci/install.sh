# Sourced by .ci/run (and .ci/install_test.sh): the one way CI installs the
# programs its tests need from Debian's packages.

# install_missing COMMAND:PACKAGE...
# Installs the packages of the commands not on PATH, all in one apt-get
# call: as root directly, else through sudo (non-interactive), and fails,
# saying what is missing, when neither is possible.
install_missing() {
  local pair missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  local as_root=()
  if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "install_missing: ${missing[*]} missing, and neither root nor sudo to install them" >&2
      return 1
    fi
    as_root=(sudo -n DEBIAN_FRONTEND=noninteractive)
  fi
  echo "== installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive ${as_root[@]+"${as_root[@]}"} apt-get update -qq
  DEBIAN_FRONTEND=noninteractive ${as_root[@]+"${as_root[@]}"} apt-get install -y -qq "${missing[@]}"
}
