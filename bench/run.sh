#!/usr/bin/env bash
# bench/run.sh: our schema against the seed's literal policies, indexes and
# view, on identical data, in one run. By hand, as root or as a user that can
# run PostgreSQL 15; takes about 9 minutes. See bench/README.md.
#
#   bench/run.sh                  build/cscx must exist (scripts/build.sh)
#
# Environment: CSCX (default build/cscx), CSCX_PG_BINDIR (default
# /usr/lib/postgresql/15/bin), BENCH_DURATION seconds per pgbench run (10),
# BENCH_ROUNDS of list and detail, ours and seed-literal alternately (3),
# BENCH_CLIENTS (32), BENCH_THREADS (2), BENCH_MODES ("prepared pipelined
# simple"; pipelined: each query framed as cscx frames a request, see below),
# BENCH_BOOKS (even: 50 CSMs of 200 customers dealt round-robin; skewed: 500
# CSMs, one of 3,000, one of 1,024, the rest 12 each in consecutive rows; see
# bench/generate.sql).
#
# Steps: throwaway cluster in a temp directory (unix socket only); database
# bench_ours = `cscx migrate` + bench/generate.sql; bench_seed = copy of
# bench_ours + bench/seed_literal.sql; bench_recompute = another pristine copy
# for the health-score recompute. Checks that both hold the same rows and give
# the same answers, then runs every pgbench script against both, interleaved.
# The cluster is stopped and removed on exit.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
bench=$repo/bench
cscx=${CSCX:-$repo/build/cscx}
bindir=${CSCX_PG_BINDIR:-/usr/lib/postgresql/15/bin}
duration=${BENCH_DURATION:-10}
rounds=${BENCH_ROUNDS:-3}
if ! [[ $rounds =~ ^[1-9][0-9]*$ ]]; then
  echo "run.sh: BENCH_ROUNDS must be a whole number >= 1" >&2
  exit 1
fi
clients=${BENCH_CLIENTS:-32}
threads=${BENCH_THREADS:-2}
modes=${BENCH_MODES:-prepared pipelined simple}
for m in $modes; do
  case $m in prepared | pipelined | simple) ;;
    *) echo "run.sh: BENCH_MODES takes prepared, pipelined and simple" >&2; exit 1 ;;
  esac
done
books=${BENCH_BOOKS:-even}
case $books in
  # probe: a customer of none of the CSMs checked below (1, 2, 7, the last).
  even) csms=50 even=1 probe=5003 probe_csm=3 ;;
  skewed) csms=500 even=0 probe=5000 probe_csm=84 ;;
  *) echo "run.sh: BENCH_BOOKS must be even or skewed" >&2; exit 1 ;;
esac
ncpu=$(nproc)

[[ -x $cscx ]] || { echo "run.sh: $cscx not found; run scripts/build.sh first" >&2; exit 1; }
for b in initdb pg_ctl postgres psql pgbench; do
  [[ -x $bindir/$b ]] || { echo "run.sh: $bindir/$b not found (PostgreSQL 15 server and client)" >&2; exit 1; }
done

as_owner=()
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || useradd --system --user-group --no-create-home postgres
  as_owner=(runuser -u postgres --)
fi

dir=$(mktemp -d /tmp/cscx-bench.XXXXXX)
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

url() { echo "postgresql:///$1?host=$dir&port=5432&user=postgres"; }
q() { local db=$1; shift; "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p 5432 -U postgres -d "$db" "$@"; }
qv() { local db=$1; shift; q "$db" -At "$@"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
# SQL prefix that makes the session CSM n, as the server does per request.
as_csm() {
  printf "BEGIN; SET LOCAL ROLE authenticated; SELECT set_config('request.jwt.claims', '{\"sub\":\"' || md5('csm:' || %d)::uuid || '\",\"role\":\"authenticated\"}', true) \\\\g /dev/null\n" "$1"
}

t_start=$(now)
echo "== CSCX Core benchmark: ours (migrations/*.sql) against the seed's literal schema"
echo "machine:    $ncpu CPUs ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM"
echo "date:       $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (at start)"

"${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
  --locale=C.UTF-8 --no-instructions >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
# Durability settings are PostgreSQL's defaults. shared_buffers holds the
# whole data set; max_wal_size/checkpoint_timeout keep checkpoints out of the
# measured runs (both databases live in this one cluster).
"${as_owner[@]}" "$bindir/pg_ctl" start -D "$dir/data" -l "$dir/postgres.log" -w -s -o \
  "-c listen_addresses='' -c unix_socket_directories='$dir' -c port=5432 \
   -c max_connections=100 -c shared_buffers=1GB -c max_wal_size=8GB -c checkpoint_timeout=30min" ||
  { tail -20 "$dir/postgres.log" >&2; exit 1; }
echo "postgres:   $(qv postgres -c 'SHOW server_version')  (shared_buffers 1GB, work_mem $(qv postgres -c 'SHOW work_mem'), jit $(qv postgres -c 'SHOW jit'), defaults otherwise)"
echo "pgbench:    $clients clients, $threads threads, ${duration} s per run, modes: $modes, list and detail: $rounds rounds"
echo "books:      $books ($csms CSMs)"
echo

# --- Databases ---------------------------------------------------------------
t=$(now)
q postgres -c 'CREATE DATABASE bench_ours'
DATABASE_URL=$(url bench_ours) "$cscx" migrate >/dev/null
if [[ $(qv bench_ours -c "SELECT to_regprocedure('public.update_all_health_scores()') IS NOT NULL") != t ]]; then
  echo "run.sh: $cscx migrates without update_all_health_scores(); rebuild it (scripts/build.sh)" >&2
  exit 1
fi
echo "bench_ours:      migrated ($(since "$t"))"
t=$(now)
q bench_ours -v books="$books" -f "$bench/generate.sql"
echo "generate.sql:    $(since "$t") (books=$books)"
q postgres -c 'CREATE DATABASE bench_seed TEMPLATE bench_ours' \
           -c 'CREATE DATABASE bench_recompute TEMPLATE bench_ours'
t=$(now)
q bench_seed -f "$bench/seed_literal.sql"
echo "bench_seed:      copy of bench_ours + seed_literal.sql ($(since "$t"))"

counts=$(qv bench_ours -c "SELECT string_agg(format('%s %s', t, n), ', ' ORDER BY ord) FROM (VALUES
  (1, 'auth.users', (SELECT count(*) FROM auth.users)), (2, 'customers', (SELECT count(*) FROM customers)),
  (3, 'stakeholders', (SELECT count(*) FROM stakeholders)), (4, 'contracts', (SELECT count(*) FROM contracts)),
  (5, 'entitlements', (SELECT count(*) FROM entitlements)), (6, 'agent_sessions', (SELECT count(*) FROM agent_sessions)),
  (7, 'agent_messages', (SELECT count(*) FROM agent_messages)), (8, 'approvals', (SELECT count(*) FROM approvals)),
  (9, 'meetings', (SELECT count(*) FROM meetings)), (10, 'transcripts', (SELECT count(*) FROM transcripts)),
  (11, 'insights', (SELECT count(*) FROM insights)), (12, 'training_modules', (SELECT count(*) FROM training_modules)),
  (13, 'training_progress', (SELECT count(*) FROM training_progress)), (14, 'knowledge_base', (SELECT count(*) FROM knowledge_base)),
  (15, 'activity_log', (SELECT count(*) FROM activity_log))) v(ord, t, n)")
echo "rows:            $counts"
echo "size:            $(qv bench_ours -c "SELECT pg_size_pretty(pg_database_size(current_database()))"); customers per CSM: $(qv bench_ours -c "SELECT format('%s..%s (CSM 1: %s, CSM 2: %s)', min(n), max(n), max(n) FILTER (WHERE csm_id = md5('csm:1')::uuid), max(n) FILTER (WHERE csm_id = md5('csm:2')::uuid)) FROM (SELECT csm_id, count(*) n FROM customers GROUP BY 1) x")"

# --- Same data, same answers -------------------------------------------------
t=$(now)
checksum_sql="SELECT string_agg(h, ' ' ORDER BY t) FROM (
  SELECT 'auth.users' t, md5(string_agg(md5(x::text), '' ORDER BY x.id)) h FROM auth.users x
  UNION ALL SELECT 'customers', md5(string_agg(md5(x::text), '' ORDER BY x.id)) FROM customers x
  UNION ALL SELECT 'stakeholders', md5(string_agg(md5(x::text), '' ORDER BY x.id)) FROM stakeholders x
  UNION ALL SELECT 'contracts', md5(string_agg(md5(x::text), '' ORDER BY x.id)) FROM contracts x
  UNION ALL SELECT 'entitlements', md5(string_agg(md5(x::text), '' ORDER BY x.id)) FROM entitlements x
  UNION ALL SELECT 'agent_sessions', md5(string_agg(md5(x::text), '' ORDER BY x.id)) FROM agent_sessions x
  UNION ALL SELECT 'agent_messages', md5(string_agg(md5(x::text), '' ORDER BY x.id)) FROM agent_messages x
  UNION ALL SELECT 'approvals', md5(string_agg(md5(x::text), '' ORDER BY x.id)) FROM approvals x
  UNION ALL SELECT 'meetings', md5(string_agg(md5(x::text), '' ORDER BY x.id)) FROM meetings x
  UNION ALL SELECT 'transcripts', md5(string_agg(md5(x::text), '' ORDER BY x.id)) FROM transcripts x
  UNION ALL SELECT 'insights', md5(string_agg(md5(x::text), '' ORDER BY x.id)) FROM insights x
  UNION ALL SELECT 'training_modules', md5(string_agg(md5(x::text), '' ORDER BY x.id)) FROM training_modules x
  UNION ALL SELECT 'training_progress', md5(string_agg(md5(x::text), '' ORDER BY x.id)) FROM training_progress x
  UNION ALL SELECT 'knowledge_base', md5(string_agg(md5(x::text), '' ORDER BY x.id)) FROM knowledge_base x
  UNION ALL SELECT 'activity_log', md5(string_agg(md5(x::text), '' ORDER BY x.id)) FROM activity_log x) s"
sum_ours=$(qv bench_ours -c "$checksum_sql")
sum_seed=$(qv bench_seed -c "$checksum_sql")
if [[ $sum_ours != "$sum_seed" ]]; then
  echo "run.sh: bench_ours and bench_seed hold different data" >&2
  exit 1
fi
echo "same data:       yes, row checksums of all 15 tables equal in bench_ours and bench_seed"

# The list and detail answers must be identical in both databases. The
# seed's health view is not tenant-scoped: as CSM n it also returns another
# CSM's customer (customer $probe belongs to CSM $probe_csm; the filter on the
# grouping key keeps this probe cheap).
list_sql='SELECT * FROM customers ORDER BY name LIMIT 20'
detail_sql=$(grep -E '^SELECT coalesce\(json_agg' "$bench/detail.pgbench" | sed 's/; *$//')
for n in 1 2 7 "$csms"; do
  if (( even )); then
    cust=$(( n + csms * 5 ))
  else
    cust=$(qv bench_ours -c "SELECT CASE WHEN $n = 1 THEN 1234 WHEN $n = 2 THEN 3500 ELSE 4025 + ($n - 3) * 12 + 5 END")
  fi
  for db in bench_ours bench_seed; do
    {
      as_csm "$n"
      echo "SELECT md5(string_agg(x::text, ',')) FROM ($list_sql) x;"
      echo "SELECT md5(body) FROM (${detail_sql//:cust/$cust}) d;"
      echo "SELECT count(*) FROM customer_health_view WHERE id = md5('cust:$probe')::uuid;"
      echo "ROLLBACK;"
    } | q "$db" -At >"$dir/answer_$db"
  done
  if ! cmp -s <(head -2 "$dir/answer_bench_ours") <(head -2 "$dir/answer_bench_seed"); then
    echo "run.sh: list/detail answers differ for CSM $n" >&2
    exit 1
  fi
  printf '%-17s list and detail identical; health view rows of CSM %s'"'"'s customer %s: ours %s, seed-literal %s\n' \
    "CSM $n:" "$probe_csm" "$probe" "$(sed -n 3p "$dir/answer_bench_ours")" "$(sed -n 3p "$dir/answer_bench_seed")"
done
echo "checks:          $(since "$t")"

# Load both databases into shared_buffers (same extension in both).
for db in bench_ours bench_seed; do
  qv "$db" -c 'CREATE EXTENSION IF NOT EXISTS pg_prewarm' \
    -c "SELECT sum(pg_prewarm(c.oid)) FROM pg_class c WHERE c.relnamespace IN ('public'::regnamespace, 'auth'::regnamespace) AND c.relkind IN ('r', 'i', 't')" >/dev/null
done
echo

# --- pgbench ------------------------------------------------------------------
# Mode "pipelined" runs each script's query framed as cscx frames a request
# (src/db/pool.cpp, docs/request-path.md): one round trip in the extended
# protocol with prepared statements, no BEGIN or COMMIT (everything up to
# the Sync is one implicit transaction), and one identity statement that
# sets the role, the claims and the five request settings, plus read-only
# for reads. The queries stay the scripts' own. The scripts hold the
# literal five statements of the issue; this derives the other form from
# them, so each query is written once.
for s in list detail health insert; do
  src=$bench/$s.pgbench
  if [[ $(grep -c '^SELECT set_config' "$src") != 1 ]]; then
    echo "run.sh: $src must have exactly one line starting with SELECT set_config" >&2
    exit 1
  fi
  method=GET read_only=", set_config('transaction_read_only', 'on', true)"
  if [[ $s == insert ]]; then method=POST read_only=; fi
  {
    grep '^\\set' "$src" || true
    echo '\startpipeline'
    grep '^SELECT set_config' "$src" | sed -e 's/;[[:space:]]*$//' \
      -e "s/^SELECT set_config(/SELECT set_config('role', 'authenticated', true), set_config(/" \
      -e "s|\$|, set_config('request.method', '$method', true), set_config('request.path', '/rest/v1/customers', true), set_config('request.ip', '127.0.0.1', true), set_config('request.user_agent', 'pgbench', true), set_config('request.id', '0f4c3b2a1d5e6f708192a3b4c5d6e7f8', true)$read_only;|"
    awk '/^SELECT set_config/ { getline; print; exit }' "$src"
    echo '\endpipeline'
  } >"$dir/${s}_pipelined.pgbench"
done

declare -A tps lat
# run_pgbench KEY DB SCRIPT MODE CLIENTS THREADS
run_pgbench() {
  local key=$1 db=$2 script=$3 mode=$4 c=$5 j=$6 out file=$bench/$3.pgbench protocol=$4
  out=$dir/pgbench_${key//\//_}_$db.log
  if [[ $mode == pipelined ]]; then file=$dir/${script}_pipelined.pgbench protocol=prepared; fi
  if ! "$bindir/pgbench" -n -r -h "$dir" -p 5432 -U postgres -c "$c" -j "$j" -T "$duration" \
      -M "$protocol" -D csms="$csms" -D even="$even" -f "$file" "$db" >"$out" 2>&1 ||
     grep -q 'aborted' "$out"; then
    echo "run.sh: pgbench $script $mode on $db failed:" >&2
    tail -5 "$out" >&2
    exit 1
  fi
  tps[$key,$db]=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$out")
  # Average latency of the script's query (the statement after set_config);
  # pipelined, the whole round trip (pgbench charges it to \endpipeline).
  if [[ $mode == pipelined ]]; then
    lat[$key,$db]=$(awk '/\\endpipeline/ { print $1; exit }' "$out")
  else
    lat[$key,$db]=$(awk '/set_config/ { getline; print $1; exit }' "$out")
  fi
  printf '  %-28s %-10s %10s tps   query %9s ms\n' "$key" "$db" "${tps[$key,$db]}" "${lat[$key,$db]}"
}

# run_rounds KEY SCRIPT MODE: ours and seed-literal alternately, $rounds times.
# The machine's speed drifts by 10-20 % within minutes (shared vCPUs), and
# one run of each side in turn puts that drift into the ratio; alternating
# spreads it over both. tps and latency are the means of the rounds (equal
# durations: the mean tps is all transactions over all the time).
declare -A round_ratios
run_rounds() {
  local key=$1 script=$2 mode=$3 r db
  for ((r = 1; r <= rounds; r++)); do
    for db in bench_ours bench_seed; do
      run_pgbench "$key#$r" "$db" "$script" "$mode" "$clients" "$threads"
    done
    round_ratios[$key]+=$(awk -v a="${tps[$key#$r,bench_ours]}" -v b="${tps[$key#$r,bench_seed]}" \
      'BEGIN { printf " %.2fx", a / b }')
  done
  for db in bench_ours bench_seed; do
    tps[$key,$db]=$(for ((r = 1; r <= rounds; r++)); do echo "${tps[$key#$r,$db]}"; done |
      awk '{ s += $1 } END { printf "%.1f", s / NR }')
    lat[$key,$db]=$(for ((r = 1; r <= rounds; r++)); do echo "${lat[$key#$r,$db]}"; done |
      awk '{ s += $1 } END { printf "%.3f", s / NR }')
  done
}

rows=()
for mode in $modes; do
  echo "-- $mode mode"
  for s in list detail; do
    run_rounds "$s/$mode/$clients" "$s" "$mode"
    rows+=("$s/$mode/$clients")
  done
  run_pgbench "health/$mode/$clients" bench_ours health "$mode" "$clients" "$threads"
  rows+=("health/$mode/$clients")
  # The seed's view joins every customer's children (about 100 million rows
  # here) for each call: 32 concurrent calls would not finish in minutes. So
  # the comparison runs both with as many clients as CPUs, once (planning
  # time does not matter next to its run time).
  if [[ $mode == "${modes%% *}" ]]; then
    for db in bench_ours bench_seed; do run_pgbench "health/$mode/$ncpu" "$db" health "$mode" "$ncpu" "$ncpu"; done
    rows+=("health/$mode/$ncpu")
  fi
done
# Inserts last: they add rows, and every read above ran on the generated data.
for mode in $modes; do
  echo "-- $mode mode, insert"
  for db in bench_ours bench_seed; do run_pgbench "insert/$mode/$clients" "$db" insert "$mode" "$clients" "$threads"; done
  rows+=("insert/$mode/$clients")
done
echo

# --- Health-score recompute -----------------------------------------------------
# On a pristine copy: all 10,000 customers, as superuser, three times; then
# the seed's way (update_health_score per customer) for comparison and for
# equality; then as two CSMs.
rc_sql="\\timing on
\\echo run1
SELECT update_all_health_scores();
\\echo run2
SELECT update_all_health_scores();
\\echo run3
SELECT update_all_health_scores();
CREATE TEMP TABLE set_based AS SELECT id, health_score FROM customers;
UPDATE customers SET health_score = NULL;
\\echo loop
SELECT count(update_health_score(id)) FROM customers;
\\echo mismatches
SELECT count(*) FROM customers c JOIN set_based s USING (id) WHERE c.health_score IS DISTINCT FROM s.health_score;
\\echo distinct
SELECT count(DISTINCT health_score) FROM customers;
$(as_csm 1)
\\echo csm1
SELECT update_all_health_scores();
COMMIT;
$(as_csm 7)
\\echo csm7
SELECT update_all_health_scores();
COMMIT;"
echo "$rc_sql" | q bench_recompute -At >"$dir/recompute.log" 2>&1
rc_time() { awk -v k="$1" '$0 == k { f = 1; next } f && /^Time:/ { print $2; exit }' "$dir/recompute.log"; }
rc_value() { awk -v k="$1" '$0 == k { f = 1; next } f && !/^Time:/ { print; exit }' "$dir/recompute.log"; }
r1=$(rc_time run1) r2=$(rc_time run2) r3=$(rc_time run3)
best=$(printf '%s\n' "$r1" "$r2" "$r3" | sort -g | head -1)

# --- Table ---------------------------------------------------------------------
target() {
  case $1 in list) echo 8 ;; detail) echo 2 ;; health) echo 40 ;; *) echo "" ;; esac
}
echo "== Results (tps = transactions per second, whole transaction: BEGIN, SET LOCAL ROLE, set_config, query, COMMIT;"
echo "   pipelined: one identity statement as cscx sends it (role, claims, request settings), query; one round trip)"
printf '%-8s %-9s %7s %12s %14s %9s %8s  %s\n' query mode clients "tps ours" "tps seed-lit" ratio target met
for key in "${rows[@]}"; do
  IFS=/ read -r s mode c <<<"$key"
  o=${tps[$key,bench_ours]:-} sd=${tps[$key,bench_seed]:-}
  tg=$(target "$s")
  if [[ -n $sd ]]; then
    ratio=$(awk -v a="$o" -v b="$sd" 'BEGIN { printf "%.2fx", a / b }')
    if [[ -n $tg ]]; then
      met=$(awk -v a="$o" -v b="$sd" -v t="$tg" 'BEGIN { print (a / b >= t ? "yes" : "NO") }')
      tg=">= ${tg}x"
    else
      met="-" tg="-"
    fi
  else
    sd="not run" ratio="-" met="-" tg="-"
  fi
  printf '%-8s %-9s %7s %12s %14s %9s %8s  %s\n' "$s" "$mode" "$c" "$o" "$sd" "$ratio" "$tg" "$met"
done
echo
echo "ratio of each round (list and detail; the table has the ratio of the means):"
for key in "${!round_ratios[@]}"; do
  printf '  %-28s%s\n' "$key" "${round_ratios[$key]}"
done | sort
echo
echo "query latency inside the transaction (ms, pgbench -r, includes queueing at $clients clients; pipelined: the round trip):"
for key in "${rows[@]}"; do
  printf '  %-28s ours %9s   seed-literal %9s\n' "$key" "${lat[$key,bench_ours]:-}" "${lat[$key,bench_seed]:--}"
done
echo
echo "health_score recompute, 10,000 customers, superuser, pristine copy:"
echo "  update_all_health_scores(): run 1 $r1 ms, run 2 $r2 ms, run 3 $r3 ms (returned $(rc_value run1))"
echo "  target < 500 ms: $(awk -v a="$r1" 'BEGIN { print (a < 500 ? "met" : "NOT met") }') on the first run (pristine copy); best $best ms"
echo "  seed way, update_health_score(id) per customer: $(rc_time loop) ms"
echo "  scores differing between the two: $(rc_value mismatches) (of 10000; $(rc_value distinct) distinct scores)"
echo "  as CSM 1: $(rc_value csm1) customers in $(rc_time csm1) ms; as CSM 7: $(rc_value csm7) customers in $(rc_time csm7) ms"
echo
echo "load avg:   $(cut -d' ' -f1-3 /proc/loadavg) (at end); total $(since "$t_start")"
