#!/usr/bin/env bash
# bench/health/run.sh: cscx_health.refresh() for 10,000 customers with
# history (issue 7: under 2 s). By hand, as root or as a user that can run
# PostgreSQL 15; takes a few minutes, mostly generating data.
#
#   bench/health/run.sh           build/cscx must exist (scripts/build.sh)
#
# Environment: CSCX (default build/cscx), CSCX_PG_BINDIR (default
# /usr/lib/postgresql/15/bin), HISTORY_DAYS daily snapshots already stored
# per customer before the timed runs (default 30), RUNS timed refreshes (5).
#
# Steps: throwaway cluster (unix socket only, shared_buffers=1GB); `cscx
# migrate`; bench/generate.sql (10,000 customers, ~350,000 messages; see
# bench/README.md); one refresh, copied HISTORY_DAYS times into the past
# (snapshots, one per customer per day); then RUNS refreshes, each timed by
# the function itself (the "milliseconds" of its result) and by psql.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cscx=${CSCX:-$repo/build/cscx}
bindir=${CSCX_PG_BINDIR:-/usr/lib/postgresql/15/bin}
history_days=${HISTORY_DAYS:-30}
runs=${RUNS:-5}

[[ -x $cscx ]] || { echo "run.sh: $cscx not found; run scripts/build.sh first" >&2; exit 1; }
as_owner=()
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || useradd --system --user-group --no-create-home postgres
  as_owner=(runuser -u postgres --)
fi
dir=$(mktemp -d /tmp/cscx-health-bench.XXXXXX)
cleanup() {
  if [[ -f $dir/data/postmaster.pid ]]; then
    "${as_owner[@]}" "$bindir/pg_ctl" stop -D "$dir/data" -m fast -w -s >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[[ ${#as_owner[@]} -eq 0 ]] || chown postgres: "$dir"
chmod 700 "$dir"
cd /

q() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p 5432 -U postgres -d bench "$@"; }

echo "== cscx_health.refresh() benchmark"
echo "machine:    $(nproc) CPUs ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM"
echo "date:       $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (at start)"

"${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
  --locale=C.UTF-8 --no-instructions >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
"${as_owner[@]}" "$bindir/pg_ctl" start -D "$dir/data" -l "$dir/postgres.log" -w -s -o \
  "-c listen_addresses='' -c unix_socket_directories='$dir' -c port=5432 \
   -c shared_buffers=1GB -c max_wal_size=8GB -c checkpoint_timeout=30min" ||
  { tail -20 "$dir/postgres.log" >&2; exit 1; }
"$bindir/psql" -X -q -h "$dir" -p 5432 -U postgres -d postgres -c "CREATE DATABASE bench"
DATABASE_URL="postgresql:///bench?host=$dir&port=5432&user=postgres" "$cscx" migrate >/dev/null
q -f "$repo/bench/generate.sql" >/dev/null
echo "data:       $(q -At -c "SELECT count(*) || ' customers, ' || (SELECT count(*) FROM agent_messages) || ' messages, ' || (SELECT count(*) FROM training_progress) || ' progress rows' FROM customers")"

q -At -c "SELECT cscx_health.refresh()" >/dev/null
q -c "INSERT INTO health_snapshots (customer_id, computed_at, scorecard_version, score, computed_score, band, completeness, measures)
      SELECT s.customer_id, s.computed_at - make_interval(days => d), s.scorecard_version,
             s.score, s.computed_score, s.band, s.completeness, s.measures
      FROM health_snapshots s, generate_series(1, $history_days) d" \
  -c "VACUUM ANALYZE health_snapshots" -c "VACUUM ANALYZE tasks"
echo "history:    $(q -At -c "SELECT count(*) || ' snapshots (' || pg_size_pretty(pg_total_relation_size('health_snapshots')) || ')' FROM health_snapshots")"

# Each refresh runs in one psql session whose server process is known, so
# besides wall time we report the CPU time that process used (utime + stime
# from /proc, 10 ms ticks): on a shared machine the wall time includes
# waiting for a CPU, the CPU time does not.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
for i in $(seq 1 "$runs"); do
  coproc PSQL { "$bindir/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$dir" -p 5432 -U postgres -d bench; }
  echo "SELECT pg_backend_pid();" >&"${PSQL[1]}"
  read -r pid <&"${PSQL[0]}"
  before=$(ticks "$pid")
  start=$(date +%s.%N)
  echo "SELECT cscx_health.refresh();" >&"${PSQL[1]}"
  read -r result <&"${PSQL[0]}"
  wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
  cpu=$(( ($(ticks "$pid") - before) * 10 ))
  exec {PSQL[1]}>&-
  wait "$PSQL_PID" || true
  echo "run $i:      $wall ms wall, $cpu ms CPU of the server process; $result"
done
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (at end)"
echo "snapshots:  $(q -At -c "SELECT count(*) FROM health_snapshots")"
