#!/usr/bin/env bash
# The test harness's PostgreSQL: a throwaway cluster in a temp directory,
# started before the tests (ctest fixture "pg") and removed after them.
#   pg_harness.sh start DIR [CSCX]
#                             initdb + start, unix socket in DIR, no TCP;
#                             with CSCX, also database cscx_template made
#                             by `CSCX migrate`
#   pg_harness.sh stop DIR    stop and delete DIR
# As root the cluster runs as the `postgres` system user.
set -euo pipefail
cmd=$1 dir=$2 cscx=${3:-}
bindir=${CSCX_PG_BINDIR:-}
if [[ -z $bindir ]]; then
  for v in 18 17 16 15; do
    [[ -x /usr/lib/postgresql/$v/bin/postgres ]] && { bindir=/usr/lib/postgresql/$v/bin; break; }
  done
fi
[[ -n $bindir ]] || { echo "pg_harness: PostgreSQL server binaries not found" >&2; exit 1; }

as_owner=()
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || useradd --system --user-group --no-create-home postgres
  as_owner=(runuser -u postgres --)
fi

case $cmd in
  start)
    if [[ -d $dir ]]; then
      "${as_owner[@]}" "$bindir/pg_ctl" stop -D "$dir/data" -m immediate -s >/dev/null 2>&1 || true
      rm -rf "$dir"
    fi
    mkdir -p "$dir"
    [[ ${#as_owner[@]} -eq 0 ]] || chown postgres: "$dir"
    chmod 700 "$dir"
    cd /
    "${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust \
      -E UTF8 --locale=C.UTF-8 --no-instructions >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    # Test settings: many parallel test databases, no durability needed.
    "${as_owner[@]}" "$bindir/pg_ctl" start -D "$dir/data" -l "$dir/postgres.log" -w -s -o \
      "-c listen_addresses='' -c unix_socket_directories='$dir' -c port=5432 \
       -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
       -c max_connections=200 -c shared_buffers=128MB" ||
      { tail -20 "$dir/postgres.log" >&2; exit 1; }
    if [[ -n $cscx ]]; then
      url_base="postgresql:///%s?host=$dir&port=5432&user=postgres"
      # shellcheck disable=SC2059
      "$bindir/psql" -q -X -v ON_ERROR_STOP=1 -d "$(printf "$url_base" postgres)" \
        -c 'CREATE DATABASE cscx_template'
      # shellcheck disable=SC2059
      DATABASE_URL=$(printf "$url_base" cscx_template) "$cscx" migrate
    fi
    ;;
  stop)
    if [[ -d $dir/data ]]; then
      "${as_owner[@]}" "$bindir/pg_ctl" stop -D "$dir/data" -m fast -w -s || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
