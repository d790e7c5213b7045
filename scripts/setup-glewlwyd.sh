#!/usr/bin/env bash
# Installs Glewlwyd (a second, unrelated OAuth 2 / OpenID Connect server, C, from Debian's packages)
# and sqlite3 for the interop tests (test/fixtures/glewlwyd.ts). Idempotent: a second run only
# checks the packages. Works unattended (CI=true, no stdin) as root or with password-less sudo.
set -euo pipefail

APT_PACKAGES=(glewlwyd sqlite3)

say() { printf '[setup-glewlwyd] %s\n' "$*"; }
die() { printf '[setup-glewlwyd] error: %s\n' "$*" >&2; exit 1; }

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  command -v apt-get >/dev/null || die "missing packages (${missing[*]}) and no apt-get; install them by hand."
  SUDO=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null && sudo -n true 2>/dev/null \
      || die "missing packages: ${missing[*]}. Run: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    SUDO=(sudo -n)
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # The package's postinst must not start a system-wide service listening on every interface.
  "${SUDO[@]}" apt-get update -qq </dev/null || die "apt-get update failed."
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null \
    || die "apt-get install ${missing[*]} failed."
fi
command -v glewlwyd >/dev/null || die "glewlwyd is not on PATH although the package is installed."
[ -f /usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz ] || die "Glewlwyd's sqlite schema is missing."
[ -f /usr/lib/glewlwyd/plugin/libprotocol_oidc.so ] || die "Glewlwyd's OIDC plugin is missing."
say "glewlwyd $(dpkg-query -W -f='${Version}' glewlwyd) ready"
