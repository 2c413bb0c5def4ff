# Sourced by run_fuzzer.sh: the sources and libraries of jwt_fuzz, and its seeds.
sources=("$src/tests/fuzz/jwt_fuzz.cpp" "$src/src/auth/jwt.cpp" "$src/src/core/error.cpp")
libs=(-lboost_json -lcrypto)
seed() {
  # A valid token and a few near misses, so the fuzzer starts deep.
  printf 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYW5vbiIsImV4cCI6NDEwMjQ0NDgwMH0.x' \
    >"$1/seed1"
  printf 'eyJhbGciOiJub25lIn0.e30.' >"$1/seed2"
}
