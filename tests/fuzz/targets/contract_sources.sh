# Sourced by the contract_*_fuzz targets (not a target itself): the parser's
# sources and the system libraries it links, as pkg-config reports them.
# The parser only (cscx_contracts): the route and store files need libpq and
# Asio and are not what these targets fuzz.
contract_sources=("$src/src/core/error.cpp")
for f in "$src"/src/contracts/*.cpp; do
  case $(basename "$f") in contract_routes.cpp | contract_store.cpp) continue ;; esac
  contract_sources+=("$f")
done
# shellcheck disable=SC2207
cflags=($(pkg-config --cflags poppler-cpp libzip pugixml libutf8proc) -I"$src/tests/fuzz")
# shellcheck disable=SC2207
libs=($(pkg-config --libs poppler-cpp libzip pugixml libutf8proc) -lboost_json)
contract_seed_text() {
  local i=0
  for f in "$src"/tests/data/contracts/dev/*.txt; do cp "$f" "$1/dev$((i++))"; done
}
