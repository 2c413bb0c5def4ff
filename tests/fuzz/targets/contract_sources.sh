# Sourced by the contract_*_fuzz targets (not a target itself): the parser's
# sources and the system libraries it links, as pkg-config reports them.
# The parser only: the .cpp files of cscx_contracts, as tests/CMakeLists.txt
# lists them (the route and store files are another library: they need
# libpq and Asio and are not what these targets fuzz).
mapfile -t contract_sources <"$build/fuzz/cscx_contracts.sources"
contract_sources+=("$src/src/core/error.cpp")
# shellcheck disable=SC2207
cflags=($(pkg-config --cflags poppler-cpp libzip pugixml libutf8proc) -I"$src/tests/fuzz")
# shellcheck disable=SC2207
libs=($(pkg-config --libs poppler-cpp libzip pugixml libutf8proc) -lboost_json)
contract_seed_text() {
  local i=0
  for f in "$src"/tests/data/contracts/dev/*.txt; do cp "$f" "$1/dev$((i++))"; done
}
