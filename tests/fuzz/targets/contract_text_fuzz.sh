# Sourced by run_fuzzer.sh: the contract parser on text.
source "$src/tests/fuzz/targets/contract_sources.sh"
sources=("$src/tests/fuzz/contract_text_fuzz.cpp" "${contract_sources[@]}")
seed() { contract_seed_text "$1"; }
