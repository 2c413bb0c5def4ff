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
case $target in
  jwt_fuzz)
    sources=("$src/tests/fuzz/jwt_fuzz.cpp" "$src/src/auth/jwt.cpp" "$src/src/core/error.cpp")
    libs=(-lboost_json -lcrypto)
    ;;
  http_request_fuzz)
    # Written and ready, but clang 14's SanitizerCoverage cannot instrument
    # the coroutines of src/http ("Cannot represent a difference across
    # sections", with any -g level; ASan/UBSan alone compile). Skipped until
    # the parser path is split out of the coroutines or AFL++ (GCC) is used.
    echo "http_request_fuzz: clang 14 cannot instrument src/http's coroutines; skipped"
    exit 77
    ;;
  *) echo "unknown fuzz target $target" >&2; exit 2 ;;
esac
objects=()
for s in "${sources[@]}"; do
  o=$out/$target.$(basename "$s").o
  "${launcher[@]}" "$clang" -std=c++20 -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
    -fno-sanitize-recover=undefined -I"$src/src" -c "$s" -o "$o"
  objects+=("$o")
done
"$clang" -fsanitize=fuzzer,address,undefined "${objects[@]}" "${libs[@]}" -o "$out/$target"
# Seeds: a valid token and a few near misses, so the fuzzer starts deep.
printf 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYW5vbiIsImV4cCI6NDEwMjQ0NDgwMH0.x' \
  >"$out/$target.corpus/seed1"
printf 'eyJhbGciOiJub25lIn0.e30.' >"$out/$target.corpus/seed2"
exec "$out/$target" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
  -print_final_stats=1 "$out/$target.corpus"
