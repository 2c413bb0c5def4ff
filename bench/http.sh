#!/usr/bin/env bash
# HTTP benchmark: cscx against pgbench running the same SQL (bench/README.md,
# section "HTTP: cscx against pgbench"). Run by hand, after scripts/build.sh;
# needs wrk (scripts/bootstrap.sh installs it), python3, PostgreSQL 15.
#
#   bench/http.sh
#
# Environment: CSCX (binary, default build/cscx), CSCX_PG_BINDIR
# (/usr/lib/postgresql/15/bin), BENCH_DURATION seconds per wrk/pgbench run
# (20), BENCH_CLIENTS (32), BENCH_THREADS (2), BENCH_IDLE (10000 idle
# connections), BENCH_IDLE_HOLD (10 s), BENCH_ROUNDS (0: rounds of wrk then
# pgbench on the API endpoint, alternating, for a ratio the machine's drift
# hits alike; median reported), BENCH_ROUND_SECONDS (6), CSCX_THREADS
# (passed to cscx serve; default there: cores).
# BENCH_AUTOGROUP (0|1: kernel.sched_autogroup_enabled for the run, root
# only, restored after; unset: as it is; see bench/lib.sh).
#
# Steps: throwaway home (mktemp -d); `cscx db start` (embedded cluster,
# migrated) + bench/generate.sql; `cscx serve --port 0`; a user token for
# CSM 7 and the anon key; wrk on /health and GET /api/customers; pgbench with
# the endpoint's transaction (prepared, then pipelined); 10,000 idle
# keep-alive connections; summary. cscx, the cluster and the home are removed
# on exit.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
bench=$repo/bench
src_cscx=${CSCX:-$repo/build/cscx}
bindir=${CSCX_PG_BINDIR:-/usr/lib/postgresql/15/bin}
duration=${BENCH_DURATION:-20}
clients=${BENCH_CLIENTS:-32}
threads=${BENCH_THREADS:-2}
idle_count=${BENCH_IDLE:-10000}
idle_hold=${BENCH_IDLE_HOLD:-10}
rounds=${BENCH_ROUNDS:-0}              # interleaved wrk/pgbench rounds (0 = none)
round_seconds=${BENCH_ROUND_SECONDS:-6}
csm=7
secret=cscx-http-bench-secret-0123456789abcdefg  # 40 characters, fixed
export CSCX_JWT_SECRET=$secret

[[ -x $src_cscx ]] || { echo "http.sh: $src_cscx not found; run scripts/build.sh first" >&2; exit 1; }
for b in psql pgbench; do
  [[ -x $bindir/$b ]] || { echo "http.sh: $bindir/$b not found (PostgreSQL 15 client)" >&2; exit 1; }
done
for c in wrk curl python3 ss; do
  command -v "$c" >/dev/null || { echo "http.sh: $c not found (scripts/bootstrap.sh installs wrk)" >&2; exit 1; }
done

# Descriptors: 10,000 idle connections on the client side (the python script
# inherits this limit); cscx raises its own soft limit to the hard limit.
ulimit -Hn 65536 2>/dev/null || true
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

name=http.sh
# shellcheck source=bench/lib.sh
source "$bench/lib.sh"
bench_home cscx-http-bench

# CPU by process group over 2 s, sampled in the middle of a run (top's
# second iteration; the first one averages since the process started).
cpu_split() {
  top -b -n2 -d2 -w 200 | awk '
    /^top -/ { it++ } it == 2 && $1 ~ /^[0-9]+$/ {
      cmd = $12; cpu = $9
      if (cmd ~ /^cscx/) c["cscx"] += cpu
      else if (cmd ~ /^postgres/) c["postgres"] += cpu
      else if (cmd ~ /^wrk/) c["wrk"] += cpu
      else if (cmd ~ /^pgbench/) c["pgbench"] += cpu
      else { c["other"] += cpu; o[cmd] += cpu }
    }
    END {
      printf "cscx %.0f%%, postgres %.0f%%, wrk %.0f%%, pgbench %.0f%%, other processes %.0f%% (of %d%% = all cores)",
        c["cscx"], c["postgres"], c["wrk"], c["pgbench"], c["other"], 100 * ncpu
      n = 0; s = ""
      for (k in o) if (o[k] >= 5) s = s (n++ ? ", " : "") k " " o[k] "%"
      if (n) printf " [other: %s]", s
    }' ncpu="$(nproc)"
}

t_start=$(now)
load_start=$(loadavg)
echo "== CSCX Core HTTP benchmark: cscx against pgbench on the same SQL"
bench_header
echo "runs:       wrk and pgbench: $clients connections, $threads threads, ${duration} s each; idle: $idle_count connections held ${idle_hold} s"

# --- Database ------------------------------------------------------------------
t=$(now)
admin_url=$(bench_cluster)
echo "cluster:    started and migrated ($(since "$t")): $admin_url"
t=$(now)
"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$admin_url" -f "$bench/generate.sql" >"$home/generate.log" 2>&1 ||
  { tail -20 "$home/generate.log" >&2; exit 1; }
echo "data:       generate.sql ($(since "$t")): $("$bindir/psql" -X -At -d "$admin_url" -c "SELECT format('%s customers, %s CSMs, CSM $csm has %s', (SELECT count(*) FROM customers), (SELECT count(DISTINCT csm_id) FROM customers), (SELECT count(*) FROM customers WHERE csm_id = md5('csm:$csm')::uuid))")"
echo "postgres:   $("$bindir/psql" -X -At -d "$admin_url" -c "SELECT format('%s, shared_buffers %s, max_connections %s, synchronous_commit %s, jit %s', current_setting('server_version'), current_setting('shared_buffers'), current_setting('max_connections'), current_setting('synchronous_commit'), current_setting('jit'))")"

# --- Server -------------------------------------------------------------------
# The access log (one JSON line per request, on stderr) goes to a file, as a
# deployment would send it somewhere; writing it is part of the measured cost.
bench_serve
echo "server:     cscx serve pid $serve_pid on $base, CSCX_THREADS=${CSCX_THREADS:-default (cores)}, fd limit $(awk '/Max open files/ { print $4 }' "/proc/$serve_pid/limits")"

# --- Credentials ----------------------------------------------------------------
csm_uuid=$("$bindir/psql" -X -At -d "$admin_url" -c "SELECT md5('csm:$csm')::uuid")
{ read -r token; read -r claims; } < <(python3 "$bench/http_jwt.py" "$secret" "$csm_uuid")
anon=$("$cscx" keys --home "$home" | sed -n 's/^anon_key=//p')
[[ -n $anon && -n $token ]] || { echo "http.sh: no anon key or token" >&2; exit 1; }

code=$(curl -s -o "$home/check.json" -w '%{http_code}' "$base/api/customers" \
  -H "apikey: $anon" -H "Authorization: Bearer $token")
count=$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(len(d) if isinstance(d, list) else -1)' "$home/check.json" 2>/dev/null || echo -1)
if [[ $code != 200 || $count != 12 ]]; then
  echo "http.sh: GET /api/customers as CSM $csm: status $code, $count customers (want 200, 12)" >&2
  head -c 500 "$home/check.json" >&2; echo >&2
  exit 1
fi
echo "check:      GET /api/customers as CSM $csm -> $code, JSON array of $count customers"
echo

# --- wrk ----------------------------------------------------------------------
declare -A rps p50 p99 cpu
# run_wrk NAME PATH [wrk header args...]
run_wrk() {
  local name=$1 path=$2 out=$home/wrk_$1.log
  shift 2
  wrk -t "$threads" -c "$clients" -d "${duration}s" --latency "$@" "$base$path" >"$out" 2>&1 &
  local wpid=$!
  sleep $((duration / 2))
  cpu[$name]=$(cpu_split)
  local pool
  pool=$(curl -s "$base/metrics" | awk '/^cscx_db_pool_connections\{state="in_use"\}/ { u = $2 } /^cscx_db_pool_connections\{state="idle"\}/ { i = $2 } /^cscx_db_pool_waiting / { w = $2 } END { printf "in_use %s, idle %s, waiting %s", u, i, w }')
  wait "$wpid" || { cat "$out" >&2; exit 1; }
  rps[$name]=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
  p50[$name]=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
  p99[$name]=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
  local non2xx
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
  echo "-- wrk GET $path"
  sed -n '/Thread Stats/,$p' "$out" | sed 's/^/   /'
  echo "   cpu mid-run: ${cpu[$name]}"
  echo "   cscx db pool mid-run (/metrics): $pool"
  if [[ -n $non2xx ]] || grep -q 'Socket errors' "$out"; then
    echo "http.sh: wrk GET $path had errors (see above)" >&2
    exit 1
  fi
}
run_wrk health /health
run_wrk customers /api/customers -H "apikey: $anon" -H "Authorization: Bearer $token"
echo

# --- pgbench: the endpoint's transaction ----------------------------------------
bench_customers_tx "$claims"
api_url=${admin_url/user=postgres/user=authenticator}
[[ $api_url == *user=authenticator* ]] || { echo "http.sh: cannot make the authenticator URL from $admin_url" >&2; exit 1; }
# Same answer as the endpoint, as authenticator.
pg_check=$({ printf 'BEGIN;\n%s \\g /dev/null\n' "$ident_sql"; echo "SELECT json_array_length(page::json) FROM ($list_sql) AS list(page, next_key, next_id);"; echo "COMMIT;"; } |
  "$bindir/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$api_url")
[[ $pg_check == 12 ]] || { echo "http.sh: the transaction as authenticator returned $pg_check customers, not 12" >&2; exit 1; }

declare -A tps lat
# run_pgbench NAME MODE SCRIPT
run_pgbench() {
  local name=$1 mode=$2 script=$3 out=$home/pgbench_$1.log
  "$bindir/pgbench" -n -c "$clients" -j "$threads" -T "$duration" -M "$mode" \
    -f "$script" "$api_url" >"$out" 2>&1 &
  local ppid=$!
  sleep $((duration / 2))
  cpu[$name]=$(cpu_split)
  if ! wait "$ppid" || grep -q 'aborted' "$out"; then
    echo "http.sh: pgbench $name failed:" >&2; tail -5 "$out" >&2; exit 1
  fi
  tps[$name]=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$out" | awk '{ printf "%.1f", $1 }')
  lat[$name]=$(sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p' "$out")
  echo "-- pgbench $name (-M $mode)"
  grep -E '^(number of transactions actually processed|number of failed|latency average|initial connection time|tps)' "$out" | sed 's/^/   /'
  echo "   cpu mid-run: ${cpu[$name]}"
}
echo "pgbench transaction (as authenticator, $(sed 's/host=[^&]*/host=…/' <<<"$api_url")):"
sed 's/^/   /' "$home/tx_pipeline.pgbench"
run_pgbench prepared prepared "$home/tx.pgbench"
run_pgbench pipelined prepared "$home/tx_pipeline.pgbench"
run_pgbench pipelined_extended extended "$home/tx_pipeline.pgbench"
echo

# --- Interleaved rounds (BENCH_ROUNDS > 0) ---------------------------------------
# On a shared VM the machine's speed drifts over the minutes between the wrk
# and the pgbench runs above. Rounds of wrk on /api/customers, then pgbench
# pipelined, each BENCH_ROUND_SECONDS long, expose both sides to the same
# drift; the median ratio and p99 over the rounds are the fairer figures.
round_ratios=() round_p99s=() round_errors=()
if (( rounds > 0 )); then
  echo "-- $rounds interleaved rounds of ${round_seconds} s: wrk GET /api/customers, then pgbench pipelined"
  for ((i = 1; i <= rounds; i++)); do
    wrk -t "$threads" -c "$clients" -d "${round_seconds}s" --latency \
      -H "apikey: $anon" -H "Authorization: Bearer $token" "$base/api/customers" >"$home/round_wrk.log" 2>&1 ||
      { cat "$home/round_wrk.log" >&2; exit 1; }
    if grep -q 'Non-2xx' "$home/round_wrk.log"; then
      echo "http.sh: round $i: wrong answers" >&2; cat "$home/round_wrk.log" >&2; exit 1
    fi
    # Timeouts (no answer within wrk's 2 s) are the tail the target is about:
    # reported with the round, not a reason to throw the run away.
    e=$(sed -n 's/^ *Socket errors: //p' "$home/round_wrk.log")
    [[ -n $e ]] && round_errors+=("round $i: $e")
    "$bindir/pgbench" -n -c "$clients" -j "$threads" -T "$round_seconds" -M prepared \
      -f "$home/tx_pipeline.pgbench" "$api_url" >"$home/round_pgbench.log" 2>&1 ||
      { tail -5 "$home/round_pgbench.log" >&2; exit 1; }
    r=$(awk '/^Requests\/sec:/ { print $2 }' "$home/round_wrk.log")
    p=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$home/round_wrk.log")")
    g=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$home/round_pgbench.log")
    q=$(awk -v a="$r" -v b="$g" 'BEGIN { printf "%.1f", 100 * a / b }')
    round_ratios+=("$q") round_p99s+=("$p")
    printf '   round %2d: cscx %9.1f req/s, p99 %8.3f ms; pgbench %9.1f tps; ratio %5.1f %%; load %s%s\n' \
      "$i" "$r" "$p" "$g" "$q" "$(cut -d' ' -f1 /proc/loadavg)" "${e:+; wrk socket errors: $e}"
  done
  echo
fi
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- Idle keep-alive connections ------------------------------------------------
echo "-- $idle_count idle keep-alive connections, held ${idle_hold} s (fd limit here $(ulimit -n))"
python3 "$bench/http_idle.py" "$port" "$idle_count" "$idle_hold" | tee "$home/idle.log" | sed 's/^/   /'
idle_held=$(sed -n 's/^idle_held: //p' "$home/idle.log")
idle_result=$(sed -n 's/^idle_result: //p' "$home/idle.log")
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/api/customers" -H "apikey: $anon" -H "Authorization: Bearer $token")
echo "   after: GET /api/customers -> $code; server pid $serve_pid $(kill -0 "$serve_pid" 2>/dev/null && echo alive || echo GONE), $(grep -c '"level":"error"' "$home/serve.err" || true) error lines in its log"
echo

# --- Stop ------------------------------------------------------------------------
kill -TERM "$serve_pid"
for _ in $(seq 1 100); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$serve_pid" 2>/dev/null; then echo "http.sh: cscx did not stop on SIGTERM in 10 s" >&2; else
  wait "$serve_pid" && echo "cscx:       stopped on SIGTERM (exit 0)" || echo "cscx:       stopped on SIGTERM (exit $?)"; fi
serve_pid=
"$cscx" db stop --home "$home" >/dev/null && echo "cluster:    stopped"

# --- Summary ---------------------------------------------------------------------
ratio=$(awk -v a="${rps[customers]}" -v b="${tps[pipelined]}" 'BEGIN { printf "%.1f", 100 * a / b }')
ratio_ext=$(awk -v a="${rps[customers]}" -v b="${tps[pipelined_extended]}" 'BEGIN { printf "%.1f", 100 * a / b }')
echo
echo "== Summary ($clients connections, $threads threads, ${duration} s; latency in ms)"
printf '%-40s %10s %9s %9s\n' endpoint "req/s" p50 p99
printf '%-40s %10s %9s %9s\n' "GET /health" "${rps[health]}" "${p50[health]}" "${p99[health]}"
printf '%-40s %10s %9s %9s\n' "GET /api/customers (CSM $csm, 12 rows)" "${rps[customers]}" "${p50[customers]}" "${p99[customers]}"
echo
printf '%-40s %10s %12s\n' "pgbench, same transaction" tps "lat avg"
printf '%-40s %10s %12s\n' "-M prepared" "${tps[prepared]}" "${lat[prepared]}"
printf '%-40s %10s %12s\n' "-M prepared, pipelined" "${tps[pipelined]}" "${lat[pipelined]}"
printf '%-40s %10s %12s\n' "-M extended, pipelined (cscx's protocol)" "${tps[pipelined_extended]}" "${lat[pipelined_extended]}"
echo
echo "ratio cscx / pgbench pipelined (prepared): ${ratio} %   (/ pipelined extended: ${ratio_ext} %)"
echo "idle keep-alive connections held:          ${idle_held:-0} of $idle_count (${idle_result:-FAILED})"
if (( rounds > 0 )); then
  median_ratio=$(median "${round_ratios[@]}")
  median_p99=$(median "${round_p99s[@]}")
  echo "interleaved rounds ($rounds x ${round_seconds} s): median ratio ${median_ratio} % (${round_ratios[*]}), median p99 ${median_p99} ms"
  (( ${#round_errors[@]} == 0 )) || echo "rounds with wrk socket errors: ${round_errors[*]}"
fi
echo
met() { [[ $1 == 1 ]] && echo met || echo "NOT met"; }
echo "targets (issue 4):"
echo "  /api/customers >= 85 % of pgbench pipelined tps: ${ratio} % -> $(met "$(awk -v r="$ratio" 'BEGIN { print (r >= 85) }')")"
echo "  p99 < 10 ms at $clients connections:              ${p99[customers]} ms -> $(met "$(awk -v p="${p99[customers]}" 'BEGIN { print (p < 10) }')")"
echo "  $idle_count idle keep-alive connections, no errors: ${idle_held:-0} -> $(met "$([[ $idle_result == ok ]] && echo 1)")"
if (( rounds > 0 )); then
  echo "  over the interleaved rounds: ratio ${median_ratio} % -> $(met "$(awk -v r="$median_ratio" 'BEGIN { print (r >= 85) }')"), p99 ${median_p99} ms -> $(met "$(awk -v p="$median_p99" 'BEGIN { print (p < 10) }')") (medians; ${#round_errors[@]} rounds with socket errors)"
fi
echo
echo "load avg:   $(loadavg) (at end; $load_start at start); total $(since "$t_start")"
