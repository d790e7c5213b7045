#!/usr/bin/env bash
# Installs Glewlwyd (a second, unrelated OAuth 2 / OpenID Connect server, C, from Debian's packages)
# and sqlite3 for the interop tests (test/fixtures/glewlwyd.ts). Idempotent: a second run only
# checks the packages. Works unattended (CI=true, no stdin) as root or with password-less sudo.
set -euo pipefail

APT_PACKAGES=(glewlwyd sqlite3)

say() { printf '[setup-glewlwyd] %s\n' "$*"; }
die() { printf '[setup-glewlwyd] error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=scripts/apt-packages.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt-packages.sh"

ensure_apt_packages "${APT_PACKAGES[@]}"
command -v glewlwyd >/dev/null || die "glewlwyd is not on PATH although the package is installed."
[ -f /usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz ] || die "Glewlwyd's sqlite schema is missing."
[ -f /usr/lib/glewlwyd/plugin/libprotocol_oidc.so ] || die "Glewlwyd's OIDC plugin is missing."
say "glewlwyd $(dpkg-query -W -f='${Version}' glewlwyd) ready"
