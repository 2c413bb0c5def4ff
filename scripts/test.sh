#!/usr/bin/env bash
# Builds and runs every test (ctest; the harness starts its own PostgreSQL).
# The last line printed is "N passed, N failed"; the exit code is ctest's.
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh || { echo "0 passed, 1 failed"; exit 1; }
jobs=$(( $(nproc) * 2 ))
log=$(mktemp)
ctest --test-dir build --output-on-failure -j "$jobs" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1)
if [[ $summary =~ ([0-9]+)\ tests\ failed\ out\ of\ ([0-9]+) ]]; then
  failed=${BASH_REMATCH[1]} total=${BASH_REMATCH[2]}
  # ctest counts skipped tests as passed; say them apart.
  skipped=$(grep -c '\*\*\*Skipped' "$log" || true)
  [[ $skipped -eq 0 ]] || echo "$skipped skipped (see the reasons above)"
  echo "$((total - failed - skipped)) passed, $failed failed"
else
  echo "0 passed, 1 failed"
  [[ $status -ne 0 ]] || status=1
fi
rm -f "$log"
exit "$status"
