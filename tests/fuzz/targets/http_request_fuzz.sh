# Sourced by run_fuzzer.sh: the HTTP request path (see http_request_fuzz.cpp).
# clang 14 cannot coverage-instrument src/http's coroutines ("Cannot represent
# a difference across sections"), so those files are `plain_sources`: ASan and
# UBSan (less its `function` check) without coverage. The parser, make_request, router and CORS give
# the fuzzer its feedback.
# The files that give the fuzzer its feedback are instrumented; every other
# .cpp of cscx_http (as tests/CMakeLists.txt lists them) is a plain source.
sources=("$src/tests/fuzz/http_request_fuzz.cpp" "$src/src/core/error.cpp")
instrumented=(wire.cpp request.cpp router.cpp cors.cpp error_response.cpp)
plain_sources=("$src/tests/fuzz/http_request_fuzz_server.cpp")
mapfile -t http_sources <"$build/fuzz/cscx_http.sources"
for f in "${http_sources[@]}"; do
  if [[ " ${instrumented[*]} " == *" $(basename "$f") "* ]]; then
    sources+=("$f")
  else
    plain_sources+=("$f")
  fi
done
cflags=(-DSPDLOG_COMPILED_LIB -DSPDLOG_FMT_EXTERNAL -DSPDLOG_SHARED_LIB -DFMT_SHARED)
libs=(-lboost_json -lboost_url -lspdlog -lfmt -lpthread)
seed() {
  printf 'GET /api/customers/0b0a/health?x=1 HTTP/1.1\r\nHost: a\r\nOrigin: https://app.example.com\r\n\r\n' >"$1/seed1"
  printf 'POST /rest/v1/t HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n' >"$1/seed2"
  printf 'OPTIONS /health HTTP/1.1\r\nOrigin: https://app.example.com\r\nAccess-Control-Request-Method: GET\r\n\r\n' >"$1/seed3"
}
