#!/usr/bin/env bash
# Installs whatever the local cluster and the tests need and is missing. Idempotent: a second run
# only checks. Prints what it installed; names what it could not get and exits non-zero then.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${HANGOUT_TOOLS:-$HOME/.cache/hangout/bin}"
PNPM_VERSION="10.34.8"
mkdir -p "$TOOLS"

say() { printf 'bootstrap: %s\n' "$*"; }
fail() { printf 'bootstrap: cannot get %s\n' "$*" >&2; exit 1; }

apt_updated=""
apt_install() {
  command -v apt-get >/dev/null || fail "$* (no apt-get here: install it by hand)"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  if [ -z "$apt_updated" ]; then $sudo apt-get update -qq >/dev/null || fail "apt package lists"; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null || fail "Debian packages: $*"
  say "installed Debian packages: $*"
}

# pnpm
if ! command -v pnpm >/dev/null || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  npm install -g --silent "pnpm@$PNPM_VERSION" >/dev/null || fail "pnpm $PNPM_VERSION from npm"
  say "installed pnpm $PNPM_VERSION"
fi

# workspace packages
cd "$ROOT"
pnpm install --frozen-lockfile --reporter=silent || fail "the pnpm packages (pnpm install)"

# Debian packages: nginx (the edge), redis-server (when no Redis answers), chromium (browser tests)
need=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v redis-server >/dev/null || need+=(redis-server)
if [ "${HANGOUT_SKIP_BROWSER:-}" != 1 ]; then command -v chromium >/dev/null || need+=(chromium fonts-dejavu-core); fi
# Observability (./hangout up --observe, and the tests of the Prometheus rules: promtool): only when
# asked, with HANGOUT_OBSERVE=1, which `./hangout test` and `./hangout up --observe` set.
if [ "${HANGOUT_OBSERVE:-}" = 1 ]; then
  command -v promtool >/dev/null || need+=(prometheus)
  command -v prometheus-nginx-exporter >/dev/null || need+=(prometheus-nginx-exporter)
  command -v prometheus-redis-exporter >/dev/null || need+=(prometheus-redis-exporter)
fi
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"

# The local store's PostgreSQL (FerretDB's PostgreSQL backend, the default; HANGOUT_STORE=sqlite
# uses embedded SQLite, MONGO_URL a MongoDB): the one that answers is used, else infra/src/postgres.ts
# runs a cluster of its own under .data/ with Debian's server programs, installed here when missing.
if [ -z "${MONGO_URL:-}" ] && [ "${HANGOUT_STORE:-postgres}" = postgres ]; then
  pg_url="${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
  if ! command -v psql >/dev/null || ! { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; }; then
    if ! command -v psql >/dev/null || ! psql "$pg_url" -Atc 'SELECT 1' >/dev/null 2>&1; then apt_install postgresql; fi
  fi
fi

# The MongoDB-wire server: FerretDB v1 through its embeddable package (see infra/ferretdb/main.go),
# rebuilt whenever that wrapper or its module files change.
if [ -z "${MONGO_URL:-}" ]; then
  stamp="$(cat "$ROOT"/infra/ferretdb/{main.go,go.mod,go.sum} | sha256sum | cut -c1-16)"
  if [ ! -x "$TOOLS/hangout-ferretdb" ] || [ "$(cat "$TOOLS/hangout-ferretdb.stamp" 2>/dev/null)" != "$stamp" ]; then
    command -v go >/dev/null || fail "FerretDB (it is built with Go, and no go is on PATH; or set MONGO_URL to a MongoDB)"
    (cd "$ROOT/infra/ferretdb" && go build -o "$TOOLS/hangout-ferretdb.new" . && mv "$TOOLS/hangout-ferretdb.new" "$TOOLS/hangout-ferretdb") \
      || fail "FerretDB (go build failed)"
    echo "$stamp" > "$TOOLS/hangout-ferretdb.stamp"
    say "built FerretDB v1.24.2 into $TOOLS/hangout-ferretdb"
  fi
fi
say "ready"
