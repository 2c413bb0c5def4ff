#!/usr/bin/env bash
# bench/rest/run.sh: /rest/v1 against pgbench running the same SQL (issue 5).
# By hand, after a build of cscx; wrk from scripts/bootstrap.sh. See the
# "/rest/v1" section of bench/README.md.
#
#   bench/rest/run.sh                  CSCX=build/cscx by default
#
# Environment: CSCX (binary), CSCX_PG_BINDIR (/usr/lib/postgresql/15/bin),
# BENCH_DURATION (15 s per run), BENCH_CLIENTS (32), BENCH_THREADS (2),
# BENCH_CSM (7: CSM 1..50, each owns 200 customers), BENCH_VARIANTS (8:
# sessions the insert rotates over), BENCH_DETAIL_VARIANTS (1: customers the
# detail rotates over; see README for why both are small),
# BENCH_ONLY ("list detail insert health": a subset), BENCH_KEEP_HOME (1:
# keep the temp home), BENCH_OUT (a directory: copy the captured SQL, the
# generated pgbench scripts and the plans there).
# BENCH_AUTOGROUP (0|1: kernel.sched_autogroup_enabled for the run, root
# only, restored after; unset: as it is; see bench/lib.sh).
#
# Steps: temp home; `cscx db start` (embedded cluster, migrated) +
# bench/rest/generate.sql; `cscx serve --port 0`; a CSM token; each request
# once with curl under log_statement = all, which gives the exact SQL and
# parameters the server sent (checked against bench/rest/*.pgbench); EXPLAIN
# (ANALYZE, BUFFERS) of the generated SQL (custom and generic plan) and of the
# hand-written SQL (bench/rest/hand_*.pgbench), as the CSM; then per request:
# wrk, pgbench with the generated SQL, pgbench with the hand-written SQL, all
# with the same connections and duration; a table at the end.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
rb=$repo/bench/rest
src_cscx=${CSCX:-$repo/build/cscx}
bindir=${CSCX_PG_BINDIR:-/usr/lib/postgresql/15/bin}
duration=${BENCH_DURATION:-15}
clients=${BENCH_CLIENTS:-32}
threads=${BENCH_THREADS:-2}
csm=${BENCH_CSM:-7}
variants=${BENCH_VARIANTS:-8}                # sessions the insert rotates over
detail_variants=${BENCH_DETAIL_VARIANTS:-1}  # customers the detail rotates over
only=${BENCH_ONLY:-list detail insert health}
secret=cscx-rest-bench-secret-0123456789abcdefgh  # fixed, >= 32 characters
export CSCX_JWT_SECRET=$secret

[[ -x $src_cscx ]] || { echo "run.sh: $src_cscx not found; build cscx first" >&2; exit 1; }
for b in psql pgbench; do
  [[ -x $bindir/$b ]] || { echo "run.sh: $bindir/$b not found (PostgreSQL 15 client)" >&2; exit 1; }
done
for c in wrk curl python3; do
  command -v "$c" >/dev/null || { echo "run.sh: $c not found (scripts/bootstrap.sh installs wrk)" >&2; exit 1; }
done
(( csm >= 1 && csm <= 50 )) || { echo "run.sh: BENCH_CSM must be 1..50" >&2; exit 1; }
(( variants >= 1 && variants <= 200 && detail_variants >= 1 && detail_variants <= 200 )) ||
  { echo "run.sh: BENCH_VARIANTS and BENCH_DETAIL_VARIANTS must be 1..200" >&2; exit 1; }

name=run.sh
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
bench_home cscx-rest-bench

t_start=$(now)
load_start=$(loadavg)
echo "== CSCX Core /rest/v1 benchmark: cscx against pgbench on the same SQL"
bench_header
echo "runs:       $clients connections, $threads threads, ${duration} s each; CSM $csm; detail over $detail_variants customer(s), insert over $variants sessions"

# --- Database ------------------------------------------------------------------
t=$(now)
admin_url=$(bench_cluster)
pglog=$(find "$home" -name postgres.log -print -quit)
[[ -n $pglog ]] || { echo "run.sh: no postgres.log under $home" >&2; exit 1; }
echo "cluster:    started and migrated ($(since "$t"))"
psql_admin() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$admin_url" "$@"; }
t=$(now)
psql_admin -f "$rb/generate.sql" >"$home/generate.log" 2>&1 || { tail -20 "$home/generate.log" >&2; exit 1; }
echo "data:       bench/rest/generate.sql ($(since "$t")): $(psql_admin -At -c "SELECT format('%s customers, %s CSMs, CSM $csm owns %s; stakeholders %s, contracts %s, entitlements %s, sessions %s, messages %s, meetings %s, insights %s, training_progress %s; %s',
  (SELECT count(*) FROM customers), (SELECT count(DISTINCT csm_id) FROM customers),
  (SELECT count(*) FROM customers WHERE csm_id = md5('csm:$csm')::uuid),
  (SELECT count(*) FROM stakeholders), (SELECT count(*) FROM contracts), (SELECT count(*) FROM entitlements),
  (SELECT count(*) FROM agent_sessions), (SELECT count(*) FROM agent_messages), (SELECT count(*) FROM meetings),
  (SELECT count(*) FROM insights), (SELECT count(*) FROM training_progress),
  pg_size_pretty(pg_database_size(current_database())))")"
echo "postgres:   $(psql_admin -At -c "SELECT format('%s, shared_buffers %s, max_connections %s, synchronous_commit %s, jit %s', current_setting('server_version'), current_setting('shared_buffers'), current_setting('max_connections'), current_setting('synchronous_commit'), current_setting('jit'))")"

# --- Server --------------------------------------------------------------------
bench_serve
echo "server:     cscx serve pid $serve_pid on $base, CSCX_THREADS=${CSCX_THREADS:-default (cores)}, CSCX_DB_POOL_SIZE=${CSCX_DB_POOL_SIZE:-default}"

# --- Credentials and request values ---------------------------------------------
csm_uuid=$(psql_admin -At -c "SELECT md5('csm:$csm')::uuid")
{ read -r token; read -r claims; } < <(python3 "$repo/bench/http_jwt.py" "$secret" "$csm_uuid")
anon=$("$cscx" keys --home "$home" | sed -n 's/^anon_key=//p')
[[ -n $anon && -n $token ]] || { echo "run.sh: no anon key or token" >&2; exit 1; }
# The CSM's customers are i = csm + 50 j; variant v uses j = 25 v (spread over
# the book). Every customer has session 1.
mapfile -t cust_ids < <(psql_admin -At -c "SELECT md5('cust:' || ($csm + 50 * ((25 * v) % 200)))::uuid FROM generate_series(0, $detail_variants - 1) v ORDER BY v")
mapfile -t ses_ids < <(psql_admin -At -c "SELECT md5('ses:' || ($csm + 50 * ((25 * v) % 200)) || ':1')::uuid FROM generate_series(0, $variants - 1) v ORDER BY v")
insert_body() { printf '{"session_id":"%s","role":"user","content":"Can you summarise the open action items for this account?","metadata":{"source":"bench"}}' "$1"; }

# request name -> method, path (variant 0), extra curl/wrk headers
declare -A method path
method[list]=GET;    path[list]='/rest/v1/customers?select=id,name,arr,health_score,stage&order=name&limit=20'
method[detail]=GET;  path[detail]="/rest/v1/customers?id=eq.${cust_ids[0]}&select=*,stakeholders(*),contracts(*)"
method[insert]=POST; path[insert]='/rest/v1/agent_messages?select=id,created_at'
method[health]=GET;  path[health]='/rest/v1/customer_health_view?order=arr.desc&limit=20'
auth_headers=(-H "apikey: $anon" -H "Authorization: Bearer $token" -H "User-Agent: wrk")
insert_headers=(-H 'Content-Type: application/json' -H 'Prefer: return=representation')

# --- Capture: the SQL each request sends -----------------------------------------
psql_admin -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
for r in $only; do
  offset=$(stat -c %s "$pglog")
  args=(-s -o "$home/$r.body" -w '%{http_code}' -A wrk "${auth_headers[@]}")
  [[ $r == insert ]] && args+=("${insert_headers[@]}" -X POST --data-binary "$(insert_body "${ses_ids[0]}")")
  code=$(curl "${args[@]}" "$base${path[$r]}")
  sleep 0.3  # the log is written asynchronously to our read
  python3 "$rb/capture.py" "$pglog" "$offset" "$home/$r.capture.json"
  check=$(python3 - "$r" "$code" "$home/$r.body" <<'PY'
import json, sys
r, code, body = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
want = {"list": "200", "detail": "200", "insert": "201", "health": "200"}[r]
ok = code == want and isinstance(body, list)
if ok and r in ("list", "health"): ok = len(body) == 20
if ok and r == "detail": ok = len(body) == 1 and len(body[0]["stakeholders"]) >= 3 and len(body[0]["contracts"]) >= 1
if ok and r == "insert": ok = len(body) == 1 and set(body[0]) == {"id", "created_at"}
desc = {"list": lambda: f"{len(body)} customers, first {body[0]['name']!r}" if body else "",
        "detail": lambda: f"1 customer, {len(body[0]['stakeholders'])} stakeholders, {len(body[0]['contracts'])} contracts" if body else "",
        "insert": lambda: f"row {body[0]['id']}" if body else "",
        "health": lambda: f"{len(body)} rows, top arr {body[0]['arr']}" if body else ""}[r]
print(("ok " if ok else "BAD ") + f"{code}, " + (desc() if isinstance(body, list) else str(body)[:200]))
PY
)
  printf '%-10s %s %s -> %s\n' "check:" "${method[$r]}" "${path[$r]}" "$check"
  [[ $check == ok* ]] || exit 1
done
psql_admin -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null

# Scripts for pgbench: the captured statements (identity, the request's
# statement; no BEGIN or COMMIT: the pipeline's Sync ends the transaction) with every $n replaced by a pgbench variable,
# one script per variant (pgbench variables cannot be computed strings, so
# each variant's values are -D variables of its own script), pipelined.
# Also compares the captured request statement with bench/rest/<r>.pgbench.
python3 - "$home" "$rb" "$variants" "${cust_ids[*]}" "${ses_ids[*]}" $only <<'PY'
import json, os, re, sys
home, rb, variants, custs, sess, reqs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split(), sys.argv[5].split(), sys.argv[6:]

def to_vars(sql, prefix):
    seen = []
    def sub(m):
        seen.append(int(m.group(1)))
        return f":{prefix}{m.group(1)}"
    out = re.sub(r"\$(\d+)\b", sub, sql)
    return out, seen

def stmt_of(template, kind):
    """The SQL lines of a committed .pgbench template (comments and meta
    commands dropped), joined: [identity, statement]."""
    lines = [l for l in open(template).read().split("\n") if l and not l.startswith("--") and not l.startswith("\\")]
    return [l.rstrip(";") for l in lines]

for r in reqs:
    cap = json.load(open(f"{home}/{r}.capture.json"))["statements"]
    if len(cap) != 2:
        sys.exit(f"run.sh: {r}: expected 2 statements in the log (identity, request), got {len(cap)}: " + json.dumps(cap)[:2000])
    ident, req = cap
    if not ident["sql"].startswith("SELECT set_config('role'"):
        sys.exit(f"run.sh: {r}: unexpected framing: {ident['sql'][:200]}")
    ident_sql, _ = to_vars(ident["sql"], "i")
    req_sql, order = to_vars(req["sql"], "p")
    if order != sorted(order) or len(set(order)) != len(order):
        sys.exit(f"run.sh: {r}: parameters not used once each in order: {order}")
    # Variants: variant 0 is the captured request; the others replace its
    # customer / session id.
    values = []
    for v in range(len(custs) if r == "detail" else len(sess) if r == "insert" else 1):
        p = list(req["params"])
        if r == "detail": p = [x.replace(custs[0], custs[v]) if x else x for x in p]
        if r == "insert": p = [x.replace(sess[0], sess[v]) if x else x for x in p]
        values.append(p)
    ident_vals = list(ident["params"])
    ident_vals[5] = "wrk"  # request.user_agent: wrk and curl both send "User-Agent: wrk"
    with open(f"{home}/{r}.defines", "w") as f:
        for n, val in enumerate(ident_vals, 1):
            f.write(f"i{n}\t{val}\n")
        for v, p in enumerate(values):
            for n, val in enumerate(p, 1):
                f.write(f"p{n}_{v}\t{val}\n")
    for v in range(len(values)):
        body = re.sub(r":p(\d+)\b", lambda m: f":p{m.group(1)}_{v}", req_sql)
        with open(f"{home}/{r}.gen.{v}.pgbench", "w") as f:
            f.write(f"\\startpipeline\n{ident_sql};\n{body};\n\\endpipeline\n")
    json.dump({"ident": ident["sql"], "ident_params": ident_vals, "sql": req["sql"], "params": values},
              open(f"{home}/{r}.gen.json", "w"), indent=1)
    # The committed reference copy.
    ref = stmt_of(f"{rb}/{r}.pgbench", "gen")
    got = [ident_sql, req_sql]
    if ref != got:
        print(f"WARNING: {r}: the SQL cscx sends differs from bench/rest/{r}.pgbench (the run uses what cscx sends):")
        for a, b in zip(ref + [""] * 4, got):
            if a != b: print(f"   committed: {a}\n   captured:  {b}")
    else:
        print(f"sql:        {r}: captured statement = bench/rest/{r}.pgbench")
PY

# Hand-written scripts: bench/rest/hand_<r>.pgbench with variables i1..i7
# (identity, as above) and h1, h2 ... per variant.
for r in $only; do
  python3 - "$home" "$rb" "$r" "$variants" "${cust_ids[*]}" "${ses_ids[*]}" <<'PY'
import json, re, sys
home, rb, r, variants, custs, sess = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5].split(), sys.argv[6].split()
lines = [l for l in open(f"{rb}/hand_{r}.pgbench").read().split("\n") if l and not l.startswith("--")]
n = len(custs) if r == "detail" else len(sess) if r == "insert" else 1
with open(f"{home}/{r}.defines", "a") as f:
    for v in range(n):
        if r == "detail": f.write(f"h1_{v}\t{custs[v]}\n")
        if r == "insert": f.write(f"h1_{v}\t{sess[v]}\n")
for v in range(n):
    with open(f"{home}/{r}.hand.{v}.pgbench", "w") as f:
        f.write("\n".join(re.sub(r":h(\d+)\b", lambda m: f":h{m.group(1)}_{v}", l) for l in lines) + "\n")
PY
done

api_url=${admin_url/user=postgres/user=authenticator}
[[ $api_url == *user=authenticator* ]] || { echo "run.sh: cannot make the authenticator URL from $admin_url" >&2; exit 1; }

# pgbench -D arguments of a request (name<TAB>value lines).
defines() { local -n _out=$2; _out=(); while IFS=$'\t' read -r k v; do _out+=(-D "$k=$v"); done <"$home/$1.defines"; }

# The captured transaction, run by psql as authenticator (the pool's login
# role) with variant 0's values, answers byte for byte what the server sent
# (reads; PostgreSQL builds the body, cscx passes it on).
for r in $only; do
  [[ $r == insert ]] && continue
  python3 - "$home" "$r" >"$home/$r.check.sql" <<'PY'
import json, re, sys
home, r = sys.argv[1], sys.argv[2]
g = json.load(open(f"{home}/{r}.gen.json"))
lit = lambda v: "NULL" if v is None else "'" + v.replace("'", "''") + "'"
sub = lambda sql, vals: re.sub(r"\$(\d+)\b", lambda m: lit(vals[int(m.group(1)) - 1]), sql)
print("BEGIN;")  # psql's simple protocol: the block keeps the settings
print(sub(g["ident"], g["ident_params"]) + " \\g /dev/null")
print("SELECT b FROM (" + sub(g["sql"], g["params"][0]) + ") AS q(b, n);")
print("COMMIT;")
PY
  "$bindir/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$api_url" -f "$home/$r.check.sql" >"$home/$r.psql_body" 2>&1 ||
    { cat "$home/$r.psql_body" >&2; exit 1; }
  if python3 -c 'import sys; a = open(sys.argv[1], "rb").read(); b = open(sys.argv[2], "rb").read(); sys.exit(0 if a.rstrip(b"\n") == b.rstrip(b"\n") else 1)' "$home/$r.body" "$home/$r.psql_body"; then
    echo "same body:  $r: the captured transaction as authenticator returns the server's body byte for byte"
  else
    echo "run.sh: $r: the captured SQL as authenticator does not return the server's body" >&2; exit 1
  fi
done

# --- Plans --------------------------------------------------------------------------
# As the CSM (SET LOCAL ROLE authenticated + claims, as the pool does),
# variant 0: the generated statement as a custom plan (parameters as
# literals), as the generic plan the server's prepared statement settles on
# after five executions (PREPARE + plan_cache_mode = force_generic_plan), and
# the hand-written statement. Each is EXPLAIN (ANALYZE, BUFFERS)ed
# $explain_n times in one session; the median planning and execution times
# and the last plan are kept. The inserts are rolled back.
explain_n=${BENCH_EXPLAIN_N:-9}
plans=$home/plans.txt
: >"$home/plans.raw"
for r in $only; do
  python3 - "$home" "$rb" "$r" "$claims" "$explain_n" >"$home/$r.explain.sql" <<'PY'
import json, re, sys
home, rb, r, claims, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
g = json.load(open(f"{home}/{r}.gen.json"))
lit = lambda v: "NULL" if v is None else "'" + v.replace("'", "''") + "'"
sql, params = g["sql"], g["params"][0]
defs = dict(l.rstrip("\n").split("\t", 1) for l in open(f"{home}/{r}.defines"))
hand = [l for l in open(f"{rb}/hand_{r}.pgbench").read().split("\n") if l and not l.startswith("--") and not l.startswith("\\")][1].rstrip(";")
hand = re.sub(r":(h\d+)\b", lambda m: lit(defs[m.group(1) + "_0"]), hand)
ex = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) "
def frame(kind, setup, stmt, text):
    print(f"\\echo '## {r} {kind}'")
    print("BEGIN;\nSET LOCAL ROLE authenticated;")
    print(f"SELECT set_config('request.jwt.claims', {lit(claims)}, true) \\g /dev/null")
    print(setup)
    for _ in range(n):
        print(f"\\echo '#run'\n{ex}{stmt};")
    print("ROLLBACK;")
custom = re.sub(r"\$(\d+)\b", lambda m: lit(params[int(m.group(1)) - 1]), sql)
frame("generated-custom", "", custom, sql)
frame("generated-generic", f"SET LOCAL plan_cache_mode = force_generic_plan;\nPREPARE bench_g AS {sql};",
      "EXECUTE bench_g(" + ", ".join(lit(p) for p in params) + ")", sql)
frame("hand-written", "", hand, hand)
PY
  "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$admin_url" -f "$home/$r.explain.sql" >>"$home/plans.raw" 2>&1 ||
    { tail -30 "$home/plans.raw" >&2; echo "run.sh: EXPLAIN of $r failed" >&2; exit 1; }
done
# plans.txt: per request and kind, the SQL, median planning / execution time
# and the last plan; a summary table on stdout.
python3 - "$home" "$rb" "$explain_n" $only >"$plans" <<'PY'
import json, re, statistics, sys
home, rb, n, reqs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
raw = open(f"{home}/plans.raw").read()
for r in reqs:
    g = json.load(open(f"{home}/{r}.gen.json"))
    hand = [l for l in open(f"{rb}/hand_{r}.pgbench").read().split("\n") if l and not l.startswith("--") and not l.startswith("\\")][1]
    print(f"# {r}\ngenerated ($ parameters; variant 0: {json.dumps(g['params'][0])}):\n  {g['sql']}\nhand-written (bench/rest/hand_{r}.pgbench):\n  {hand}\n")
sections = re.split(r"^## (\S+) (\S+)$", raw, flags=re.M)
summary = []
for i in range(1, len(sections), 3):
    r, kind, body = sections[i], sections[i + 1], sections[i + 2]
    runs = [x for x in body.split("#run")[1:]]
    plan_ms = [float(m) for m in re.findall(r"Planning Time: ([0-9.]+) ms", body)]
    exec_ms = [float(m) for m in re.findall(r"Execution Time: ([0-9.]+) ms", body)]
    last = runs[-1]
    lines = [l for l in last.split("\n") if l.strip() and not re.match(r"^\s*QUERY PLAN\s*$", l) and not re.match(r"^-+$", l.strip()) and not re.match(r"^\(\d+ rows?\)$", l.strip())]
    top_buf = re.search(r"^ \S.*\n\s+Buffers: (.*)$", last, flags=re.M)
    print(f"## {r}, {kind}: median of {len(exec_ms)} runs: planning {statistics.median(plan_ms):.3f} ms, execution {statistics.median(exec_ms):.3f} ms")
    print("\n".join(lines))
    print()
    summary.append((r, kind, statistics.median(plan_ms), statistics.median(exec_ms), top_buf.group(1) if top_buf else "?"))
with open(f"{home}/plans.summary", "w") as f:
    f.write(f"{'request':<8} {'SQL':<18} {'planning ms':>11} {'execution ms':>12}  buffers (top node, last run)\n")
    for r, kind, p, e, b in summary:
        f.write(f"{r:<8} {kind:<18} {p:>11.3f} {e:>12.3f}  {b}\n")
PY
if [[ -n ${BENCH_OUT:-} ]]; then mkdir -p "$BENCH_OUT"; cp "$plans" "$home/plans.summary" "$BENCH_OUT"/; fi
echo "plans:      EXPLAIN (ANALYZE, BUFFERS) as CSM $csm, median of $explain_n runs each (full plans: $plans$( [[ -n ${BENCH_OUT:-} ]] && echo ", copied to $BENCH_OUT")):"
sed 's/^/   /' "$home/plans.summary"
echo

# --- Runs -------------------------------------------------------------------------------
declare -A rps p50 p99 tps lat errs
run_wrk() {
  local r=$1 out=$home/wrk_$1.log lua=$home/$1.lua
  python3 - "$r" "$base" "${path[$r]}" "${cust_ids[*]}" "${ses_ids[*]}" "$variants" >"$lua" <<'PY'
import json, sys
r, base, path, custs, sess, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(), sys.argv[5].split(), int(sys.argv[6])
lua = lambda s: json.dumps(s)  # a JSON string is a valid Lua string literal here (ASCII, no escapes beyond \")
if r == "detail":
    paths = [path.replace(custs[0], c) for c in custs[:n]]
    print("local paths = {" + ", ".join(lua(p) for p in paths) + "}")
    print("local i = 0")
    print("request = function() i = i % #paths + 1; return wrk.format('GET', paths[i]) end")
elif r == "insert":
    bodies = ['{"session_id":"%s","role":"user","content":"Can you summarise the open action items for this account?","metadata":{"source":"bench"}}' % s for s in sess[:n]]
    print("local bodies = {" + ", ".join(lua(b) for b in bodies) + "}")
    print("local i = 0")
    print(f"request = function() i = i % #bodies + 1; return wrk.format('POST', {lua(path)}, nil, bodies[i]) end")
else:
    print(f"request = function() return wrk.format('GET', {lua(path)}) end")
PY
  local hdr=("${auth_headers[@]}")
  [[ $r == insert ]] && hdr+=("${insert_headers[@]}")
  wrk -t "$threads" -c "$clients" -d "${duration}s" --timeout 10s --latency -s "$lua" "${hdr[@]}" "$base/" >"$out" 2>&1 ||
    { cat "$out" >&2; exit 1; }
  rps[$r]=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
  p50[$r]=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
  p99[$r]=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
  echo "-- wrk ${method[$r]} ${path[$r]}"
  sed -n '/Thread Stats/,$p' "$out" | sed 's/^/   /'
  # Errors are reported in the table, not fatal: on a loaded machine a
  # request can exceed even wrk's 10 s timeout.
  errs[$r]=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$out")
  [[ ${errs[$r]} == 0 ]] || echo "   WARNING: $r: ${errs[$r]} failed requests (non-2xx or socket errors)"
}
# run_pgbench REQUEST KIND(gen|hand) MODE
run_pgbench() {
  local r=$1 kind=$2 mode=$3 key=$1/$2/$3 out=$home/pgbench_$1_$2_$3.log d files=()
  defines "$r" d
  for f in "$home/$r.$kind".*.pgbench; do files+=(-f "$f"); done
  if ! "$bindir/pgbench" -n -c "$clients" -j "$threads" -T "$duration" -M "$mode" "${d[@]}" "${files[@]}" "$api_url" >"$out" 2>&1 ||
     grep -q 'aborted' "$out"; then
    echo "run.sh: pgbench $key failed:" >&2; tail -5 "$out" >&2; exit 1
  fi
  tps[$key]=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$out" | awk '{ printf "%.0f", $1 }')
  lat[$key]=$(sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p' "$out")
  printf -- '-- pgbench %-24s tps %8s   latency avg %8s ms\n' "$key" "${tps[$key]}" "${lat[$key]}"
}

for r in $only; do
  run_wrk "$r"
  run_pgbench "$r" gen prepared
  run_pgbench "$r" hand prepared
  # cscx sends writes unprepared (extended protocol, unnamed statement):
  # pgbench the same way, for reference.
  [[ $r == insert ]] && run_pgbench "$r" gen extended
  echo
done

if [[ -n ${BENCH_OUT:-} ]]; then
  mkdir -p "$BENCH_OUT"
  cp "$home"/*.gen.json "$home"/*.pgbench "$home"/*.log "$BENCH_OUT"/
fi
"$cscx" db stop --home "$home" >/dev/null 2>&1 || true

# --- Summary -----------------------------------------------------------------------------
echo "== Summary ($clients connections, $threads threads, ${duration} s; latency in ms; pgbench: same transaction, -M prepared, pipelined)"
printf '%-8s %10s %9s %9s %7s %12s %8s %12s %10s\n' request "wrk req/s" p50 p99 errors "pgbench tps" ratio "hand tps" "gen/hand"
for r in $only; do
  g=${tps[$r/gen/prepared]} h=${tps[$r/hand/prepared]}
  printf '%-8s %10s %9s %9s %7s %12s %7s%% %12s %9s%%\n' "$r" "${rps[$r]}" "${p50[$r]}" "${p99[$r]}" "${errs[$r]}" "$g" \
    "$(awk -v a="${rps[$r]}" -v b="$g" 'BEGIN { printf "%.1f", 100 * a / b }')" "$h" \
    "$(awk -v a="$g" -v b="$h" 'BEGIN { printf "%.1f", 100 * a / b }')"
done
[[ -n ${tps[insert/gen/extended]:-} ]] &&
  echo "insert, pgbench -M extended (unnamed statements, as cscx sends writes): ${tps[insert/gen/extended]} tps; wrk/that = $(awk -v a="${rps[insert]}" -v b="${tps[insert/gen/extended]}" 'BEGIN { printf "%.1f", 100 * a / b }') %"
echo "target (issue 5): wrk >= 85 % of pgbench on each request"
echo "load avg:   $(loadavg) (at end; $load_start at start); total $(since "$t_start")"
