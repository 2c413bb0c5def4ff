# Sourced by run_fuzzer.sh: the contract parser on PDF bytes.
source "$src/tests/fuzz/targets/contract_sources.sh"
sources=("$src/tests/fuzz/contract_pdf_fuzz.cpp" "${contract_sources[@]}")
seed() {
  local i=0
  for f in "$src"/tests/data/contracts/dev/*.pdf "$src"/tests/data/contracts/fixtures/*.pdf; do
    cp "$f" "$1/pdf$((i++))"
  done
}
