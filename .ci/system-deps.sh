#!/usr/bin/env bash
# The Debian packages the tests use, installed when missing (as root, or through sudo):
# - postgresql: every store test also runs on a real PostgreSQL; tests/support/postgres.py
#   starts a server of its own from these binaries (as the postgres user when root) and
#   stops it; any service apt starts is not used;
# - chromium: the playground's browser tests drive Debian's chromium through Playwright
#   (never `playwright install`, which downloads a browser build of its own).
set -euo pipefail
missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null \
  || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "installing ${missing[*]} (Debian packages the tests need)" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
