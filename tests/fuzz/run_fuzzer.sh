#!/usr/bin/env bash
# Builds a libFuzzer target with clang-14 (ASan + UBSan) and runs it for a
# bounded time: run_fuzzer.sh SOURCE_DIR BUILD_DIR TARGET SECONDS
# CI runs each for a few seconds; by hand, give it minutes or hours.
set -euo pipefail
src=$1 build=$2 target=$3 seconds=$4
clang=$(command -v clang++-14 || true)
if [[ -z $clang ]]; then
  echo "clang++-14 not installed (scripts/bootstrap.sh installs it); skipping"
  exit 77
fi
out=$build/fuzz
mkdir -p "$out/$target.corpus"
launcher=()
command -v ccache >/dev/null && launcher=(ccache)
# Each target describes itself in targets/<target>.sh: it sets `sources`
# `libs` and optionally `cflags` and `plain_sources` (built with ASan/UBSan
# but without coverage instrumentation and without UBSan's `function` check:
# clang 14 cannot emit either for coroutines, "Cannot represent a difference
# across sections"), and may define `seed DIR` to write starting inputs.
config=$src/tests/fuzz/targets/$target.sh
[[ -f $config ]] || { echo "unknown fuzz target $target" >&2; exit 2; }
sources=() plain_sources=() libs=() cflags=()
# shellcheck source=/dev/null
source "$config"
objects=()
for s in "${sources[@]}"; do
  o=$out/$target.$(basename "$s").o
  "${launcher[@]}" "$clang" -std=c++20 -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
    -fno-sanitize-recover=undefined -I"$src/src" "${cflags[@]}" -c "$s" -o "$o"
  objects+=("$o")
done
for s in "${plain_sources[@]}"; do
  o=$out/$target.$(basename "$s").o
  "${launcher[@]}" "$clang" -std=c++20 -g -O1 -fsanitize=address,undefined \
    -fno-sanitize=function -fno-sanitize-recover=undefined -I"$src/src" "${cflags[@]}" \
    -c "$s" -o "$o"
  objects+=("$o")
done
"$clang" -fsanitize=fuzzer,address,undefined "${objects[@]}" "${libs[@]}" -o "$out/$target"
if declare -F seed >/dev/null; then seed "$out/$target.corpus"; fi
# libFuzzer exits with 77 on a finding by default, which is also the code
# this script (and ctest's SKIP_RETURN_CODE) uses for "skipped": a crash
# would have been reported as a skipped test. A finding exits with 1.
exec "$out/$target" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
  -error_exitcode=1 -print_final_stats=1 "$out/$target.corpus"
