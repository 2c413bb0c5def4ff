#!/usr/bin/env bash
# The supabase-js conformance suite (issue 5) against a real cscx on the
# harness PostgreSQL:
#   run.sh CSCX_BINARY [FILE.test.mjs ...]
# Without files it runs DEFAULT_FILES below. Needs $CSCX_TEST_PGHOST (the
# ctest fixture `pg` sets it up: a cluster whose cscx_template database the
# product migrated) and Node.js >= 18.19 with npm.
#
#   1. npm ci, only when node_modules is missing or older than the lockfile;
#   2. a fresh database copied from cscx_template, plus lib/functions.sql;
#   3. `cscx serve --port 0` on it, port read from its "listening on" line;
#   4. lib/setup.mjs signs the fixture CSMs up through /auth/v1 and writes
#      their rows (lib/fixture.mjs) as SQL, loaded with psql as postgres;
#   5. node --test on the files; exit status = the tests'.
# The server is stopped and the database dropped on every exit.
#
# Exit 77 (ctest: skipped) only when the packages are missing, npm is not
# installed and the npm registry is unreachable; any other trouble fails.
set -euo pipefail

# Files of the default run (all of them; lib/known_failures.mjs lists the
# cases that run as TODO).
DEFAULT_FILES=(auth.test.mjs select.test.mjs filters.test.mjs modifiers.test.mjs writes.test.mjs
               rpc.test.mjs errors.test.mjs isolation.test.mjs)

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cscx=${1:?usage: run.sh CSCX_BINARY [FILE.test.mjs ...]}
shift
files=("$@")
[[ ${#files[@]} -gt 0 ]] || files=("${DEFAULT_FILES[@]}")
cscx=$(realpath "$cscx")
[[ -x $cscx ]] || { echo "compat: $cscx is not executable" >&2; exit 1; }
pghost=${CSCX_TEST_PGHOST:?CSCX_TEST_PGHOST is not set: run through ctest (fixture pg)}

log() { echo "compat: $*" >&2; }

# --- 1. packages -------------------------------------------------------------
registry_reachable() {
  local registry=https://registry.npmjs.org/
  command -v curl >/dev/null 2>&1 || return 1
  curl -fsS -o /dev/null --max-time 10 "$registry"
}

if ! command -v node >/dev/null 2>&1; then
  if registry_reachable; then
    log "node is not installed: install Node.js >= 18.19 and npm (Debian: apt-get install nodejs npm)"
    exit 1
  fi
  log "SKIP: node is not installed and the npm registry is unreachable"
  exit 77
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if ((node_major < 18)); then
  log "node $(node --version) is too old: the suite needs Node.js >= 18.19"
  exit 1
fi

lock=$here/package-lock.json
stamp=$here/node_modules/.package-lock.json   # written by npm ci
if [[ ! -f $stamp || $lock -nt $stamp ]]; then
  if ! command -v npm >/dev/null 2>&1; then
    if registry_reachable; then
      log "npm is not installed and $here/node_modules is missing or stale:" \
          "install npm (Debian: apt-get install npm)"
      exit 1
    fi
    log "SKIP: npm is not installed and the npm registry is unreachable"
    exit 77
  fi
  log "npm ci in $here"
  # Two build trees may test at once: one npm ci at a time.
  (
    flock 9
    if [[ ! -f $stamp || $lock -nt $stamp ]]; then
      cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2
    fi
  ) 9>"${TMPDIR:-/tmp}/cscx-compat-npm.lock" || { log "npm ci failed"; exit 1; }
fi

# --- 2. database -------------------------------------------------------------
psql_bin=$(command -v psql || true)
if [[ -z $psql_bin ]]; then
  for v in 18 17 16 15; do
    [[ -x /usr/lib/postgresql/$v/bin/psql ]] && { psql_bin=/usr/lib/postgresql/$v/bin/psql; break; }
  done
fi
[[ -n $psql_bin ]] || { log "psql not found"; exit 1; }

db=compat_$$_$RANDOM
db_url() { echo "postgresql:///$1?host=$pghost&port=5432&user=${2:-postgres}"; }
psql_as_postgres() { "$psql_bin" -q -X -v ON_ERROR_STOP=1 "$@"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/cscx-compat.XXXXXX")
server_pid=
db_created=
cleanup() {
  local status=$?
  if [[ -n $server_pid ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ $status -ne 0 && -s $work/server.err ]]; then
    log "the server's last messages (access log left out):"
    grep -v '"event":"request"' "$work/server.err" | tail -n 30 >&2 || true
  fi
  if [[ -n $db_created ]]; then
    psql_as_postgres -d "$(db_url postgres)" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" ||
      log "could not drop database $db"
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for attempt in 1 2 3 4 5; do
  # A template being copied by a parallel test is briefly "in use".
  if psql_as_postgres -d "$(db_url postgres)" -c "CREATE DATABASE $db TEMPLATE cscx_template" \
       2>"$work/createdb.err"; then
    db_created=1
    break
  fi
  ((attempt < 5)) || { cat "$work/createdb.err" >&2; exit 1; }
  sleep 1
done
psql_as_postgres -d "$(db_url "$db")" -f "$here/lib/functions.sql"

# --- 3. server -------------------------------------------------------------------
secret=compat-secret-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
mkdir -p "$work/home"
export CSCX_JWT_SECRET=$secret CSCX_HOME=$work/home
keys=$("$cscx" keys --json)
anon_key=$(node -e 'console.log(JSON.parse(process.argv[1]).anon_key)' "$keys")
service_key=$(node -e 'console.log(JSON.parse(process.argv[1]).service_role_key)' "$keys")

: >"$work/server.out"
DATABASE_URL=$(db_url "$db") CSCX_API_DATABASE_URL=$(db_url "$db" authenticator) \
  CSCX_THREADS=2 "$cscx" serve --port 0 >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
port=
for _ in $(seq 600); do
  port=$(sed -n 's|.*listening on http://[^ ]*:\([0-9][0-9]*\)$|\1|p' "$work/server.out" | head -n1) || true
  [[ -n $port ]] && break
  kill -0 "$server_pid" 2>/dev/null || { log "cscx serve exited"; cat "$work/server.out" >&2; exit 1; }
  sleep 0.1
done
[[ -n $port ]] || { log "cscx serve did not print its port within 60 s"; exit 1; }

export CSCX_COMPAT_URL=http://127.0.0.1:$port
export CSCX_COMPAT_ANON_KEY=$anon_key CSCX_COMPAT_SERVICE_KEY=$service_key
export CSCX_COMPAT_JWT_SECRET=$secret
export CSCX_COMPAT_FIXTURE=$work/fixture.json
log "cscx on $CSCX_COMPAT_URL, database $db"

# --- 4. fixture -------------------------------------------------------------------
(cd "$here" && node lib/setup.mjs "$work/fixture.json" "$work/fixture.sql")
psql_as_postgres -d "$(db_url "$db")" -f "$work/fixture.sql"

# --- 5. tests ---------------------------------------------------------------------
paths=()
for f in "${files[@]}"; do paths+=("$here/${f#"$here/"}"); done
set +e
(cd "$here" && node --test --test-reporter=spec "${paths[@]}")
status=$?
set -e
exit "$status"
