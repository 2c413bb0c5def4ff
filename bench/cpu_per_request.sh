#!/usr/bin/env bash
# CPU and system calls per request of a running cscx (bench/README.md,
# section "CPU per request"). Unlike requests/s, which on this 2-core box
# depends on whatever else runs, CPU time per request holds on a busy
# machine: it is read from the kernel's accounting of cscx alone.
#
#   bench/cpu_per_request.sh            # all three endpoints, counts + syscalls
#   PROFILE=1 bench/cpu_per_request.sh  # also perf record -g of the API run
#
# Environment: CSCX (binary, default build/cscx), CSCX_PG_BINDIR
# (/usr/lib/postgresql/15/bin), BENCH_DURATION seconds per measured wrk run
# (10), BENCH_CLIENTS (32), STRACE_DURATION (4 s under strace -c -f),
# PROFILE (1 = perf record -g during an extra run, report in the output),
# ONLY=customers or ONLY=rest (that endpoint alone), KEEP=PREFIX (keep strace
# and perf files).
# BENCH_AUTOGROUP (0|1: kernel.sched_autogroup_enabled for the run, root
# only, restored after; unset: as it is; see bench/lib.sh).
#
# Steps: throwaway home; `cscx db start` + bench/generate.sql; `cscx serve
# --port 0` with its access log to a file; a token for CSM 7 and the anon
# key; per endpoint (/health, GET /api/customers, the /rest/v1 customer
# page of bench/rest/list.pgbench): a 2 s warm-up, then utime+stime of cscx
# (/proc/PID/stat), of the cluster's backends and of wrk around a wrk run,
# divided by the requests wrk completed; then the same under `strace -c -f`
# for system calls per request. Then pgbench on each endpoint's transaction,
# and the ceiling that the CPU per request puts on cscx's rate against
# pgbench's on these shared cores.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
bench=$repo/bench
src_cscx=${CSCX:-$repo/build/cscx}
bindir=${CSCX_PG_BINDIR:-/usr/lib/postgresql/15/bin}
duration=${BENCH_DURATION:-10}
clients=${BENCH_CLIENTS:-32}
strace_duration=${STRACE_DURATION:-4}
profile=${PROFILE:-0}
csm=7
secret=cscx-http-bench-secret-0123456789abcdefg  # as bench/http.sh
export CSCX_JWT_SECRET=$secret

[[ -x $src_cscx ]] || { echo "cpu_per_request.sh: $src_cscx not found" >&2; exit 1; }
for c in wrk curl python3 strace; do
  command -v "$c" >/dev/null || { echo "cpu_per_request.sh: $c not found" >&2; exit 1; }
done

name=cpu_per_request.sh
# shellcheck source=bench/lib.sh
source "$bench/lib.sh"
bench_home cscx-cpu-bench

hz=$(getconf CLK_TCK)
# utime+stime of one process, all its threads, in clock ticks.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# utime+stime of the cluster: the postmaster's children (backends, walwriter...),
# and those that exited and were reaped (the postmaster's cutime+cstime), so
# pgbench's backends, gone when it ends, still count.
pg_ticks() {
  local total pid
  total=$(awk '{ print $16 + $17 }' "/proc/$postmaster/stat")
  for pid in $(pgrep -P "$postmaster"); do
    [[ -r /proc/$pid/stat ]] && total=$((total + $(ticks "$pid" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
# Context switches of all of cscx's threads (voluntary: it blocked;
# involuntary: it was preempted).
switches() {
  cat /proc/"$1"/task/*/status 2>/dev/null |
    awk '/^voluntary_ctxt_switches/ { v += $2 } /^nonvoluntary_ctxt_switches/ { n += $2 } END { print v, n }'
}
# "N requests in ..." from wrk's output.
wrk_requests() { awk '/requests in/ { print $1 }' "$1"; }
# run_timed OUT CMD...: runs CMD with its output in OUT and prints the CPU
# seconds (user + system) it used.
run_timed() {
  python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[2:], stdout=open(sys.argv[1], "w"), stderr=subprocess.STDOUT, check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(r.ru_utime + r.ru_stime)' "$@"
}

echo "== cscx CPU and system calls per request"
echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC'); load avg $(cut -d' ' -f1-3 /proc/loadavg) (at start)"
echo "kernel:   $(bench_kernel)"
echo "binary:   $src_cscx (built $(date -u -r "$src_cscx" '+%Y-%m-%d %H:%M UTC'); this checkout: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$repo" diff --quiet HEAD -- src 2>/dev/null || echo ', src/ has uncommitted changes'))"

admin_url=$(bench_cluster)
"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$admin_url" -f "$bench/generate.sql" >"$home/generate.log" 2>&1 ||
  { tail -20 "$home/generate.log" >&2; exit 1; }
postmaster=$(head -1 "$(find "$home" -name postmaster.pid | head -1)")

bench_serve
csm_uuid=$("$bindir/psql" -X -At -d "$admin_url" -c "SELECT md5('csm:$csm')::uuid")
{ read -r token; read -r claims; } < <(python3 "$bench/http_jwt.py" "$secret" "$csm_uuid")
anon=$("$cscx" keys --home "$home" | sed -n 's/^anon_key=//p')
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/api/customers" -H "apikey: $anon" -H "Authorization: Bearer $token")
[[ $code == 200 ]] || { echo "cpu_per_request.sh: GET /api/customers -> $code" >&2; exit 1; }
echo "server:   pid $serve_pid on $base, CSCX_THREADS=${CSCX_THREADS:-default (cores)}; wrk: $clients connections, 1 thread, ${duration} s"
echo

# measure NAME PATH [wrk args...]; sets http_us[NAME] (cscx + postgres + wrk
# CPU per request).
declare -A http_us
measure() {
  local name=$1 path=$2
  shift 2
  wrk -t1 -c "$clients" -d2s "$@" "$base$path" >/dev/null 2>&1
  local c0 p0 c1 p1 n s0 s1 w
  c0=$(ticks "$serve_pid"); p0=$(pg_ticks); s0=$(switches "$serve_pid")
  w=$(run_timed "$home/wrk_$name.log" wrk -t1 -c "$clients" -d "${duration}s" "$@" "$base$path")
  c1=$(ticks "$serve_pid"); p1=$(pg_ticks); s1=$(switches "$serve_pid")
  n=$(wrk_requests "$home/wrk_$name.log")
  if grep -q 'Non-2xx' "$home/wrk_$name.log"; then
    echo "cpu_per_request.sh: GET $path answered non-2xx:" >&2
    grep 'Non-2xx' "$home/wrk_$name.log" >&2
    exit 1
  fi
  echo "-- GET $path: $n requests in ${duration} s (load avg $(cut -d' ' -f1 /proc/loadavg))"
  awk -v c=$((c1 - c0)) -v p=$((p1 - p0)) -v n="$n" -v hz="$hz" -v s0="$s0" -v s1="$s1" -v w="$w" 'BEGIN {
    split(s0, a, " "); split(s1, b, " ")
    printf "   cpu per request: cscx %.1f us, postgres %.1f us, wrk %.1f us; cscx context switches per request: %.2f voluntary, %.2f involuntary\n",
      1e6 * c / hz / n, 1e6 * p / hz / n, 1e6 * w / n, (b[1] - a[1]) / n, (b[2] - a[2]) / n }'
  http_us[$name]=$(awk -v c=$((c1 - c0)) -v p=$((p1 - p0)) -v n="$n" -v hz="$hz" -v w="$w" \
    'BEGIN { printf "%.1f", 1e6 * (c + p) / hz / n + 1e6 * w / n }')

  # System calls: strace slows cscx down, but the count per request holds.
  strace -c -f -q -p "$serve_pid" -o "$home/strace_$name.txt" &
  local spid=$!
  sleep 0.5
  wrk -t1 -c "$clients" -d "${strace_duration}s" "$@" "$base$path" >"$home/wrk_strace_$name.log" 2>&1
  sleep 0.2
  kill -INT "$spid"; wait "$spid" 2>/dev/null || true
  n=$(wrk_requests "$home/wrk_strace_$name.log")
  # strace -c columns: % time, seconds, usecs/call, calls, [errors,] syscall.
  awk -v n="$n" '
    $NF == "total" { total = $4; next }
    $1 ~ /^[0-9.]+$/ && $4 ~ /^[0-9]+$/ {
      if ($4 / n >= 0.05) s = s sprintf("%s%s %.2f", s == "" ? "" : ", ", $NF, $4 / n) }
    END { printf "   syscalls per request: %.2f (%s)\n", total / n, s }' "$home/strace_$name.txt"
  if [[ -n ${KEEP:-} ]]; then cp "$home/strace_$name.txt" "$KEEP.strace_$name.txt"; fi

  if [[ $profile == 1 && $name == customers ]]; then
    perf record -q -g -p "$serve_pid" -o "$home/perf.data" -- sleep "$duration" >/dev/null 2>&1 &
    local ppid=$!
    wrk -t1 -c "$clients" -d "${duration}s" "$@" "$base$path" >/dev/null 2>&1
    wait "$ppid" || true
    if [[ -n ${KEEP:-} ]]; then cp "$home/perf.data" "$KEEP.perf.data"; fi
    echo "   perf (self, top 25):"
    perf report -q -i "$home/perf.data" --no-children -g none --sort dso,symbol 2>/dev/null |
      grep -v '^$' | head -25 | cut -c1-120 | sed 's/^/     /'
  fi
}
rest_path='/rest/v1/customers?select=id,name,arr,health_score,stage&order=name&limit=20'
only=${ONLY:-}
[[ -z $only || $only == customers || $only == rest ]] ||
  { echo "cpu_per_request.sh: ONLY must be customers or rest" >&2; exit 1; }
[[ -n $only ]] || measure health /health
[[ $only == rest ]] || measure customers /api/customers -H "apikey: $anon" -H "Authorization: Bearer $token"
if [[ $only != customers ]]; then
  code=$(curl -s -o /dev/null -w '%{http_code}' "$base$rest_path" -H "apikey: $anon" -H "Authorization: Bearer $token")
  [[ $code == 200 ]] || { echo "cpu_per_request.sh: GET $rest_path -> $code" >&2; exit 1; }
  measure rest "$rest_path" -H "apikey: $anon" -H "Authorization: Bearer $token" -H "User-Agent: wrk"
fi

# pgbench_cpu NAME SCRIPT [pgbench args...]: the endpoint's transaction from
# pgbench, prepared and pipelined (the issue-4 and issue-5 targets'
# denominator): PostgreSQL's CPU per transaction when no HTTP server stands
# in between, and pgbench's own. Then the ceiling: on cores that cscx,
# PostgreSQL and wrk share, cscx's rate can reach about pgbench's CPU per
# transaction over the CPU per request of the three (an estimate: it
# assumes both keep the cores busy; bench/README.md, "The ceiling").
pgbench_cpu() {
  local name=$1 script=$2 p0 p1 n c
  shift 2
  p0=$(pg_ticks)
  c=$(run_timed "$home/pgbench_$name.log" "$bindir/pgbench" -n -c "$clients" -j 1 -T "$duration" \
    -M prepared "$@" -f "$script" "${admin_url/user=postgres/user=authenticator}")
  sleep 0.5  # the postmaster reaps the backends
  p1=$(pg_ticks)
  n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$home/pgbench_$name.log")
  echo "-- pgbench, $name transaction, -M prepared, pipelined: $n transactions in ${duration} s ($(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$home/pgbench_$name.log") tps)"
  awk -v p=$((p1 - p0)) -v n="$n" -v hz="$hz" -v c="$c" -v h="${http_us[$name]}" 'BEGIN {
    t = 1e6 * p / hz / n + 1e6 * c / n
    printf "   cpu per transaction: postgres %.1f us, pgbench %.1f us\n", 1e6 * p / hz / n, 1e6 * c / n
    printf "   ceiling of cscx / pgbench here: %.1f us / %.1f us (cscx + postgres + wrk per request) = %.1f %%\n", t, h, 100 * t / h }'
}
if [[ -x $bindir/pgbench ]]; then
  if [[ $only != rest ]]; then
    bench_customers_tx "$claims"
    pgbench_cpu customers "$home/tx_pipeline.pgbench"
  fi
  # bench/rest/list.pgbench with the values cscx binds for this request
  # (pgbench refuses an empty -D value, so wrk sends a User-Agent here).
  [[ $only == customers ]] ||
    pgbench_cpu rest "$bench/rest/list.pgbench" -D i1=authenticated -D "i2=$claims" -D i3=GET \
      -D i4=/rest/v1/customers -D i5=127.0.0.1 -D i6=wrk -D i7=0f4c3b2a1d5e6f708192a3b4c5d6e7f8 -D p1=20
fi
echo
echo "access log: $(wc -l <"$home/serve.err") lines; load avg $(cut -d' ' -f1-3 /proc/loadavg) (at end)"
