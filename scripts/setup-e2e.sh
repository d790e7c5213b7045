#!/usr/bin/env bash
# Installs what the end-to-end tests and the demo need: a few Debian packages, Debian's Chromium,
# and code-server (a real VS Code: server, web workbench and Node extension host) from the npm
# registry. Idempotent: a second run only checks the packages and a marker file.
# Works unattended (CI=true, no stdin). Override the cache with AGENT_AUTH_E2E_CACHE.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3 # the last release whose engines.node is 20
# code-server's nested install downloads ripgrep from GitHub, which these machines cannot reach.
# We pre-seed the cache @vscode/ripgrep checks first with Debian's rg. Both versions are pinned
# by CODE_SERVER_VERSION (lib/vscode/npm-shrinkwrap.json and @vscode/ripgrep's postinstall).
VSCODE_RIPGREP_VERSION=1.15.11
RIPGREP_RELEASE=v13.0.0-10
APT_PACKAGES=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep chromium curl openssl ca-certificates)

CACHE_ROOT="${AGENT_AUTH_E2E_CACHE:-$HOME/.cache/agent-auth-e2e}"
INSTALL_DIR="$CACHE_ROOT/code-server-$CODE_SERVER_VERSION"
ENTRY="$INSTALL_DIR/node_modules/code-server/out/node/entry.js"
MARKER="$INSTALL_DIR/.agent-auth-ready"

say() { printf '[setup-e2e] %s\n' "$*"; }
die() { printf '[setup-e2e] error: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null || die "node is not on PATH; install Node 20 first."
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
[ "$NODE_MAJOR" = 20 ] || die "code-server $CODE_SERVER_VERSION needs Node 20 (found $(node --version))."
command -v npm >/dev/null || die "npm is not on PATH."

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
  "${SUDO[@]}" apt-get update -qq </dev/null || die "apt-get update failed."
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null \
    || die "apt-get install ${missing[*]} failed."
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing although the chromium package is installed."

if [ -f "$MARKER" ] && [ -f "$ENTRY" ]; then
  say "code-server $CODE_SERVER_VERSION ready at $INSTALL_DIR (${SECONDS}s)"
  exit 0
fi

case "$(uname -m)" in
  x86_64) RG_TARGET=x86_64-unknown-linux-musl ;;
  aarch64) RG_TARGET=aarch64-unknown-linux-musl ;;
  *) die "unsupported architecture $(uname -m)." ;;
esac
TMP_ROOT="$(node -p 'require("os").tmpdir()')"
RG_CACHE="$TMP_ROOT/vscode-ripgrep-cache-$VSCODE_RIPGREP_VERSION"
RG_TARBALL="$RG_CACHE/ripgrep-$RIPGREP_RELEASE-$RG_TARGET.tar.gz"
if [ ! -f "$RG_TARBALL" ]; then
  stage="$(mktemp -d)"
  cp "$(command -v rg)" "$stage/rg"
  mkdir -p "$RG_CACHE"
  tar czf "$RG_TARBALL" -C "$stage" rg
  rm -rf "$stage"
fi

# Install into a staging folder and rename at the end, so an interrupted run leaves nothing half-done.
say "installing code-server $CODE_SERVER_VERSION into $INSTALL_DIR (takes 1-3 minutes once)"
mkdir -p "$CACHE_ROOT"
STAGING="$(mktemp -d "$CACHE_ROOT/.staging.XXXXXX")"
trap 'rm -rf "$STAGING"' EXIT
echo '{"private":true}' >"$STAGING/package.json"
# unsafe_perm: run install scripts as root; yes: lets node-pty's install run `npx node-gyp` unasked.
if ! (cd "$STAGING" && npm_config_unsafe_perm=true npm_config_yes=true \
  npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" </dev/null >"$STAGING/install.log" 2>&1); then
  tail -n 30 "$STAGING/install.log" >&2
  die "npm install code-server@$CODE_SERVER_VERSION failed (log above)."
fi
shrinkwrap="$STAGING/node_modules/code-server/lib/vscode/npm-shrinkwrap.json"
actual_rg="$(node -p "require('$shrinkwrap').packages['node_modules/@vscode/ripgrep'].version")"
[ "$actual_rg" = "$VSCODE_RIPGREP_VERSION" ] \
  || die "code-server uses @vscode/ripgrep $actual_rg; update VSCODE_RIPGREP_VERSION in this script."
[ -f "$STAGING/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] \
  || die "code-server installed without ripgrep; see $STAGING/install.log."

rm -rf "$INSTALL_DIR"
mv "$STAGING" "$INSTALL_DIR"
trap - EXIT
echo "$CODE_SERVER_VERSION node$NODE_MAJOR $(date -u +%FT%TZ)" >"$MARKER"
say "code-server $CODE_SERVER_VERSION installed at $INSTALL_DIR in ${SECONDS}s"
