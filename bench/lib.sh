# Sourced by the HTTP benchmarks (bench/http.sh, bench/rest/run.sh,
# bench/cpu_per_request.sh): one way to set up the throwaway home, the
# embedded cluster and `cscx serve`, and the helpers they print with.
# The caller sets `src_cscx` (the binary) and `name` (for messages) first.

# A throwaway home under /tmp with a private copy of the binary in $cscx
# (others may rebuild build/cscx meanwhile); on exit the server is stopped,
# the cluster stopped and the home removed (kept with BENCH_KEEP_HOME=1).
# Usage: bench_home PREFIX   (sets home, cscx)
bench_home() {
  home=$(mktemp -d "/tmp/$1.XXXXXX")
  cscx=$home/cscx
  serve_pid=
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  cp "$src_cscx" "$cscx"
  bench_autogroup
  # As root the cluster runs as postgres, which must be able to write the
  # home (else cscx puts the cluster under /var/lib/cscx, which rm -rf would
  # miss).
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --user-group --no-create-home postgres
    chown postgres: "$home"
  fi
  cd /
}

bench_cleanup() {
  set +e
  [[ -n ${autogroup_restore:-} ]] && echo "$autogroup_restore" >"$autogroup_file"
  if [[ -n $serve_pid ]] && kill -0 "$serve_pid" 2>/dev/null; then
    kill -TERM "$serve_pid"
    for _ in $(seq 1 100); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$serve_pid" 2>/dev/null && kill -KILL "$serve_pid"
  fi
  [[ -x $cscx ]] && "$cscx" db stop --home "$home" >/dev/null 2>&1
  if [[ ${BENCH_KEEP_HOME:-0} == 1 ]]; then echo "$name: home kept in $home" >&2; else rm -rf "$home"; fi
}

# Linux's autogroup scheduling gives every session a scheduling group of its
# own, and every PostgreSQL backend calls setsid(): each backend is then a
# group alone, which under full CPU load stalled single queries for up to a
# second here (bench/README.md, "Kernel scheduling"). BENCH_AUTOGROUP=0 or 1
# sets kernel.sched_autogroup_enabled for the run (root; restored on exit);
# unset leaves it. Called by bench_home, before the cluster and the server
# start: a process keeps the group it got when it was forked or called
# setsid(), and the backends behind the pool are forked when the server
# connects. Two runs at once could restore it under each other. Sets
# `autogroup` (the value in force, or "absent") for bench_kernel.
autogroup_file=/proc/sys/kernel/sched_autogroup_enabled
bench_autogroup() {
  local want=${BENCH_AUTOGROUP:-}
  [[ -z $want || $want == 0 || $want == 1 ]] ||
    { echo "$name: BENCH_AUTOGROUP must be 0 or 1" >&2; exit 1; }
  autogroup=absent
  if [[ ! -r $autogroup_file ]]; then
    [[ -z $want ]] && return 0
    echo "$name: BENCH_AUTOGROUP=$want, but this kernel has no $autogroup_file" >&2
    exit 1
  fi
  autogroup=$(<"$autogroup_file")
  [[ -z $want || $want == "$autogroup" ]] && return 0
  echo "$want" 2>/dev/null >"$autogroup_file" ||
    { echo "$name: cannot write $autogroup_file (needs root and a writable /proc/sys)" >&2; exit 1; }
  autogroup_restore=$autogroup
  autogroup=$want
}

# One line on the kernel and its scheduling setting, for the run's header.
bench_kernel() {
  echo "$(uname -r), kernel.sched_autogroup_enabled $autogroup$([[ -n ${autogroup_restore:-} ]] && echo " (set by BENCH_AUTOGROUP; $autogroup_restore before)")"
}

# The run's first lines: machine, date, load at the start, kernel setting
# and the binary with the commit it was built from. Needs load_start.
bench_header() {
  echo "machine:    $(nproc) CPUs ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM"
  echo "date:       $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "load avg:   $load_start (at start)"
  echo "kernel:     $(bench_kernel)"
  echo "binary:     $src_cscx ($(date -u -r "$src_cscx" '+%Y-%m-%d %H:%M:%S UTC'), HEAD $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$repo" diff --quiet HEAD -- src migrations 2>/dev/null || echo ', src/ or migrations/ have uncommitted changes'))"
}

# Starts the embedded cluster (initdb, migrations) and prints its URL.
bench_cluster() {
  local url
  url=$("$cscx" db start --home "$home" | grep -E '^postgres(ql)?:' | tail -1)
  [[ -n $url ]] || { echo "$name: cscx db start printed no URL" >&2; return 1; }
  echo "$url"
}

# Starts `cscx serve --port 0` (output in $home/serve.out and serve.err) and
# waits for it to listen. Sets serve_pid, port and base.
bench_serve() {
  "$cscx" serve --home "$home" --port 0 >"$home/serve.out" 2>"$home/serve.err" &
  serve_pid=$!
  port=
  for _ in $(seq 1 300); do
    port=$(sed -n 's|^cscx: listening on http://[^ ]*:\([0-9]*\)$|\1|p' "$home/serve.out")
    [[ -n $port ]] && break
    kill -0 "$serve_pid" 2>/dev/null || { cat "$home/serve.out" "$home/serve.err" >&2; return 1; }
    sleep 0.1
  done
  [[ -n $port ]] || { echo "$name: cscx serve did not print 'listening on' in 30 s" >&2; return 1; }
  base=http://127.0.0.1:$port
}

# The /api/customers transaction as pgbench scripts, exactly what cscx's
# pool sends (src/db/pool.cpp): one SELECT of every set_config with the
# request's values, then the handler's statement, taken from the handler so
# the two cannot drift apart; no BEGIN or COMMIT (the pipeline's Sync ends
# the implicit transaction; in the unpipelined script each statement is its
# own, which only the pipelined one is compared with). user_agent is empty
# (wrk sends none); request.id a 32-hex id. Writes $home/tx.pgbench and
# $home/tx_pipeline.pgbench; sets list_sql and ident_sql.
# Usage: bench_customers_tx CLAIMS_JSON
bench_customers_tx() {
  local claims=$1
  list_sql=$(python3 - "$repo/src/customers/customer_list.cpp" <<'PY'
import re, sys
src = open(sys.argv[1]).read()
m = re.search(r'kListCustomers\s*=\s*((?:\s*"(?:[^"\\]|\\.)*")+)\s*;', src)
if not m:
    sys.exit("kListCustomers not found in customer_list.cpp")
print("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))))
PY
)
  ident_sql="SELECT set_config('role', 'authenticated', true), set_config('request.jwt.claims', '$claims', true), set_config('request.method', 'GET', true), set_config('request.path', '/api/customers', true), set_config('request.ip', '127.0.0.1', true), set_config('request.user_agent', '', true), set_config('request.id', '0f4c3b2a1d5e6f708192a3b4c5d6e7f8', true)"
  printf 'BEGIN;\n%s;\n%s;\nCOMMIT;\n' "$ident_sql" "$list_sql" >"$home/tx.pgbench"
  printf '\\startpipeline\n%s;\n%s;\n\\endpipeline\n' "$ident_sql" "$list_sql" >"$home/tx_pipeline.pgbench"
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# wrk latency value ("812.00us", "1.23ms", "1.02s") in ms.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else print "?" }'
}
