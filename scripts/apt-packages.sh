# Sourced by scripts/setup-e2e.sh and scripts/setup-glewlwyd.sh (bash, set -euo pipefail), which
# define say and die. ensure_apt_packages PKG...: installs those of the Debian packages that are
# missing; nothing when all are there. Unattended (CI=true, no stdin), as root or with
# password-less sudo.
ensure_apt_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ "${#missing[@]}" -gt 0 ] || return 0
  command -v apt-get >/dev/null || die "missing packages (${missing[*]}) and no apt-get; install them by hand."
  local as_root=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null && sudo -n true 2>/dev/null \
      || die "missing packages: ${missing[*]}. Run: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    as_root=(sudo -n)
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq </dev/null || die "apt-get update failed."
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null \
    || die "apt-get install ${missing[*]} failed."
}
